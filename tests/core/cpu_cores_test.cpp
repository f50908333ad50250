// Pinning a thread to one usable core, and its earlier cores coming back, read from the kernel.
#include "core/cpu_cores.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>

#include <thread>
#include <vector>

namespace pianokpm {
namespace {

std::vector<int> cores_of_this_thread() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(pthread_getaffinity_np(pthread_self(), sizeof(set), &set), 0);
  std::vector<int> cores;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) cores.push_back(cpu);
  return cores;
}

TEST(CpuCores, APinKeepsTheThreadOnTheNthUsableCoreUntilItEnds) {
  std::thread([] {
    const std::vector<int> before = cores_of_this_thread();
    ASSERT_EQ(static_cast<int>(before.size()), usable_cores());
    for (int n : {0, 1, static_cast<int>(before.size()) + 1}) {
      {
        const ScopedCorePin pin(n);
        ASSERT_TRUE(pin.pinned());
        EXPECT_EQ(cores_of_this_thread(), std::vector<int>{before[static_cast<size_t>(n) % before.size()]}) << n;
        // a thread started now inherits the pin
        std::vector<int> child;
        std::thread([&] { child = cores_of_this_thread(); }).join();
        EXPECT_EQ(child, cores_of_this_thread());
      }
      EXPECT_EQ(cores_of_this_thread(), before) << "unpinned after pin " << n;
    }
    const ScopedCorePin refused(-1);
    EXPECT_FALSE(refused.pinned());
    EXPECT_EQ(cores_of_this_thread(), before);
  }).join();
}

}  // namespace
}  // namespace pianokpm
