#pragma once
// OpenBLAS runs its own thread pool beside libtorch's OpenMP one; when both spin on the same
// cores, the many small matrix products of the decoder (and its backward) slow down several
// times. Training therefore keeps BLAS single-threaded and lets OpenMP use the cores.

#include <ATen/Parallel.h>

namespace pianokpm {

// Sets OpenBLAS's thread count when the process's BLAS is OpenBLAS; returns false otherwise.
bool set_blas_threads(int threads);
// OpenBLAS's thread count, or 0 when the BLAS is not OpenBLAS.
int blas_threads();

// libtorch's OpenMP thread count for a scope, restored after. Loops that call the BLAS every step
// (the decoder's) run with one: OpenMP workers spinning beside the BLAS's own threads on the same
// cores slowed such loops down about 4x (measured on 2 cores).
class ScopedOpenMpThreads {
 public:
  explicit ScopedOpenMpThreads(int threads) : previous_(at::get_num_threads()) { at::set_num_threads(threads); }
  ~ScopedOpenMpThreads() { at::set_num_threads(previous_); }
  ScopedOpenMpThreads(const ScopedOpenMpThreads&) = delete;
  ScopedOpenMpThreads& operator=(const ScopedOpenMpThreads&) = delete;

 private:
  int previous_;
};

// Sets OpenBLAS's thread count for a scope and restores it after.
class ScopedBlasThreads {
 public:
  explicit ScopedBlasThreads(int threads) : previous_(blas_threads()) {
    if (previous_ > 0) set_blas_threads(threads);
  }
  ~ScopedBlasThreads() {
    if (previous_ > 0) set_blas_threads(previous_);
  }
  ScopedBlasThreads(const ScopedBlasThreads&) = delete;
  ScopedBlasThreads& operator=(const ScopedBlasThreads&) = delete;

 private:
  int previous_;
};

}  // namespace pianokpm
