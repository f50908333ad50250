#pragma once
// OpenBLAS runs its own thread pool beside libtorch's OpenMP one; when both spin on the same
// cores, the many small matrix products of the decoder (and its backward) slow down several
// times. Training therefore keeps BLAS single-threaded and lets OpenMP use the cores.

namespace pianokpm {

// Sets OpenBLAS's thread count when the process's BLAS is OpenBLAS; returns false otherwise.
bool set_blas_threads(int threads);

}  // namespace pianokpm
