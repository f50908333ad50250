#include "core/blas_threads.h"

#include <dlfcn.h>

namespace pianokpm {

bool set_blas_threads(int threads) {
  // Looked up at run time: Debian's libblas.so.3 may be OpenBLAS or the reference BLAS.
  using SetThreads = void (*)(int);
  auto* fn = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (!fn) return false;
  fn(threads);
  return true;
}

int blas_threads() {
  using GetThreads = int (*)();
  auto* fn = reinterpret_cast<GetThreads>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return fn ? fn() : 0;
}

}  // namespace pianokpm
