#pragma once
// How many cores this process may run on (its CPU affinity, which containers and taskset
// narrow), not how many the host has; at least 1.

namespace pianokpm {

int usable_cores();

}  // namespace pianokpm
