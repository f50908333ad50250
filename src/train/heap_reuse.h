#pragma once
// Training allocates and frees the same large activations (32 MB Sinkhorn cost blocks, encoder
// activations) every step. glibc serves blocks above its mmap threshold (at most 32 MB) with fresh
// mappings and returns freed heap tops to the system, so each step page-faults (and zeroes) that
// memory again: 12% of a training step at batch 8 on 2 cores (bench/train_bench.cpp). Training
// therefore keeps freed memory in the process for reuse. No effect outside glibc.

namespace pianokpm {

void keep_freed_memory_for_reuse();

}  // namespace pianokpm
