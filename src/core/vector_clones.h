#pragma once
// The build targets plain x86-64 (SSE2) so that one binary runs everywhere; hot loops written for
// the compiler's vectoriser ran 2-3x slower there than libtorch's own AVX2/AVX-512 kernels. With
// GCC on x86-64, a function marked PIANOKPM_VECTOR_CLONES is also compiled for AVX2 and AVX-512
// and the best version for the CPU is picked when the program loads.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define PIANOKPM_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PIANOKPM_VECTOR_CLONES
#endif
