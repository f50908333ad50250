// Burst detection against values worked out by hand on constructed envelopes.
#include "analysis/bursts.h"

#include <gtest/gtest.h>

namespace pianokpm {
namespace {

// 4 s at 1000 Hz: rest at 0.1; bursts of 0.6 at 1.0-1.5 s, 2.000-2.010 s (too short),
// 3.000-3.200 s and 3.210-3.400 s (a 10-ms gap, bridged).
std::vector<float> constructed() {
  std::vector<float> x(4000, 0.1f);
  auto fill = [&](int from, int to) {
    for (int i = from; i < to; ++i) x[i] = 0.6f;
  };
  fill(1000, 1500);
  fill(2000, 2010);
  fill(3000, 3200);
  fill(3210, 3400);
  return x;
}

TEST(Bursts, HandWorkedNoiselessBaseline) {
  BurstOptions o;
  o.rate_hz = 1000;
  const BurstDetection d = detect_bursts(constructed(), o);
  EXPECT_NEAR(d.baseline_mean, 0.1, 1e-7);
  EXPECT_NEAR(d.baseline_sd, 0.0, 1e-7);
  // SD is 0, so the floor decides: 0.1 + 0.1 * (0.6 - 0.1) = 0.15.
  EXPECT_NEAR(d.threshold, 0.15, 1e-6);
  ASSERT_EQ(d.bursts.size(), 2u);
  EXPECT_EQ(d.bursts[0].onset, 1000);
  EXPECT_EQ(d.bursts[0].offset, 1500);
  EXPECT_EQ(d.bursts[1].onset, 3000);
  EXPECT_EQ(d.bursts[1].offset, 3400);
}

TEST(Bursts, KSdRuleOnNoisyBaseline) {
  // Baseline alternating 0.08 / 0.12: mean 0.1, SD 0.02, so mean + 3 SD = 0.16 beats the floor
  // 0.1 + 0.1 * (0.3 - 0.1) = 0.12. A plateau at 0.15 is no burst, one at 0.17 is.
  std::vector<float> x(3000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = i % 2 ? 0.12f : 0.08f;
  for (int i = 1000; i < 1200; ++i) x[i] = 0.15f;
  for (int i = 2000; i < 2100; ++i) x[i] = 0.17f;
  x[2500] = 0.3f;  // a 1-ms spike sets the peak; too short to count
  BurstOptions o;
  o.rate_hz = 1000;
  const BurstDetection d = detect_bursts(x, o);
  EXPECT_NEAR(d.baseline_sd, 0.02, 1e-6);
  EXPECT_NEAR(d.threshold, 0.16, 1e-6);
  ASSERT_EQ(d.bursts.size(), 1u);
  EXPECT_EQ(d.bursts[0].onset, 2000);
  EXPECT_EQ(d.bursts[0].offset, 2100);
}

TEST(Bursts, MinimumsAreOptions) {
  BurstOptions o;
  o.rate_hz = 1000;
  o.min_burst_s = 0.005;  // the 10-ms burst now counts
  o.min_gap_s = 0.005;    // and the 10-ms gap splits
  EXPECT_EQ(detect_bursts(constructed(), o).bursts.size(), 4u);
  o.k_sd = -1;
  EXPECT_THROW(o.check(), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm
