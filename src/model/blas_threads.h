#pragma once
// OpenBLAS runs its own thread pool beside libtorch's OpenMP one; when both spin on the same
// cores, the many small matrix products of the decoder (and its backward) slow down several
// times. Training therefore keeps BLAS single-threaded and lets OpenMP use the cores.

namespace pianokpm {

// Sets OpenBLAS's thread count when the process's BLAS is OpenBLAS; returns false otherwise.
bool set_blas_threads(int threads);
// OpenBLAS's thread count, or 0 when the BLAS is not OpenBLAS.
int blas_threads();

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
