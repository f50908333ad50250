#include "core/cpu_cores.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <thread>

namespace pianokpm {

int usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

namespace {

std::vector<int> thread_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cores;
  if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set) != 0) return cores;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) cores.push_back(cpu);
  return cores;
}

bool set_thread_cores(const std::vector<int>& cores) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cores) CPU_SET(cpu, &set);
  return !cores.empty() && pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

}  // namespace

ScopedCorePin::ScopedCorePin(int n) : previous_(thread_cores()) {
  if (previous_.empty() || n < 0) return;
  pinned_ = set_thread_cores({previous_[static_cast<size_t>(n) % previous_.size()]});
}

ScopedCorePin::~ScopedCorePin() {
  if (pinned_) set_thread_cores(previous_);
}

}  // namespace pianokpm
