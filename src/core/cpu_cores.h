#pragma once
// The cores this process may run on (its CPU affinity, which containers and taskset narrow), not
// those the host has.

#include <vector>

namespace pianokpm {

int usable_cores();  // how many; at least 1

// Keeps the calling thread on the n-th usable core (n modulo usable_cores()) while it lives; the
// thread's earlier cores come back when it ends. Threads started meanwhile inherit the pin.
class ScopedCorePin {
 public:
  explicit ScopedCorePin(int n);
  ~ScopedCorePin();
  ScopedCorePin(const ScopedCorePin&) = delete;
  ScopedCorePin& operator=(const ScopedCorePin&) = delete;
  bool pinned() const { return pinned_; }  // false: the system refused (nothing changed)

 private:
  std::vector<int> previous_;  // the cores the thread could run on before
  bool pinned_ = false;
};

}  // namespace pianokpm
