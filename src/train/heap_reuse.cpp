#include "train/heap_reuse.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pianokpm {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);              // every block from the heap, where it is reused
  mallopt(M_TRIM_THRESHOLD, 1 << 30);  // and never handed back while less than 1 GiB is free
#endif
}

}  // namespace pianokpm
