#include "eval/metrics.h"

#include "test_support.h"

namespace pianokpm {
namespace {

TEST(Metrics, RmseAndPearsonKnownValues) {
  auto a = torch::zeros({4, 6}), b = torch::full({4, 6}, 0.5);
  EXPECT_DOUBLE_EQ(rmse(a, b), 0.5);
  auto x = torch::arange(100, torch::kDouble).unsqueeze(1).repeat({1, 6});
  for (double r : pearson_per_channel(x, 3 * x + 1)) EXPECT_NEAR(r, 1.0, 1e-12);
  for (double r : pearson_per_channel(x, -x)) EXPECT_NEAR(r, -1.0, 1e-12);
  EXPECT_TRUE(std::isnan(pearson_per_channel(a, b)[0]));
  EXPECT_THROW(rmse(a, torch::zeros({5, 6})), std::invalid_argument);
}

TEST(Metrics, OtdIsZeroForIdenticalAndPositiveOtherwise) {
  torch::manual_seed(2);
  auto x = torch::rand({300, 6});
  EXPECT_NEAR(optimal_transport_distance(x, x), 0.0, 1e-6);
  EXPECT_GT(optimal_transport_distance(x, x + 0.2), 0.1);
}

TEST(Metrics, OnsetTimingMeasuresAKnownShift) {
  // Bursts every 0.5 s; the estimate starts them 50 ms late.
  const int64_t n = 1024 * 5;
  auto truth = torch::zeros({n, 6}), late = torch::zeros({n, 6});
  for (int k = 0; k < 9; ++k) {
    const int64_t start = static_cast<int64_t>((0.3 + 0.5 * k) * 1024);
    truth.narrow(0, start, 150).fill_(1.0);
    late.narrow(0, start + static_cast<int64_t>(0.05 * 1024), 150).fill_(1.0);
  }
  const auto t = onset_timing_error(late, truth);
  EXPECT_EQ(t.measured, 9 * 6);
  EXPECT_EQ(t.matched, 9 * 6);
  EXPECT_NEAR(t.mean_abs_error_ms, 50.0, 1.0);
}

}  // namespace
}  // namespace pianokpm
