// Familiarity: hand-worked scores, descriptors and fitting (on synthetic hands:
// tests/integration/familiarity_of_hands_test.cpp).
#include "model/familiarity.h"

#include <cmath>

#include "model/pose_front_end.h"
#include "test_support.h"

namespace pianokpm {
namespace {

// Two neighbours at z = (0, 0) and (4, 0), the distance to the nearest; calibration quantiles
// 0, 0.01, ..., 1.
FamiliarityReference unit_reference() {
  FamiliarityReference r;
  r.mean = {0, 0};
  r.std = {1, 1};
  r.neighbours = {0, 0, 4, 0};
  r.nearest = 1;
  for (int i = 0; i <= 100; ++i) r.distance_quantiles.push_back(i / 100.0);
  r.windows = 1000;
  return r;
}

TEST(Familiarity, HandWorkedScores) {
  const FamiliarityReference r = unit_reference();
  r.check(2);
  // distance = sqrt(mean over entries of (z - nearest)^2)
  const torch::Tensor d =
      torch::tensor(std::vector<double>{0.5, 0.5, 0.0, 0.0, 2.0, 2.0, 4.0, 0.51, std::nan(""), 0.0, 3.0, -0.5}, torch::kDouble)
          .view({6, 2});
  const torch::Tensor dist = familiarity_distance(r, d);
  EXPECT_NEAR(dist[0].item<double>(), 0.5, 1e-12);
  EXPECT_NEAR(dist[3].item<double>(), 0.51 / std::sqrt(2.0), 1e-12) << "near the second neighbour";
  EXPECT_NEAR(dist[5].item<double>(), std::sqrt((1.0 + 0.25) / 2), 1e-12);
  const torch::Tensor s = familiarity_scores(r, d);
  EXPECT_NEAR(s[0].item<double>(), 0.5, 1e-12);
  EXPECT_NEAR(s[1].item<double>(), 1.0, 1e-12);
  EXPECT_NEAR(s[2].item<double>(), 0.0, 1e-12) << "2 from both neighbours: beyond every calibration window";
  EXPECT_NEAR(s[3].item<double>(), 1.0 - 0.51 / std::sqrt(2.0), 1e-9);  // interpolated between percentiles
  EXPECT_EQ(s[4].item<double>(), 0.0) << "no hand at all (NaN) is not familiar";
  // the second nearest instead: (0.5, 0.5) is sqrt((3.5^2 + 0.5^2) / 2) from (4, 0)
  FamiliarityReference second = r;
  second.nearest = 2;
  EXPECT_NEAR(familiarity_distance(second, d)[0].item<double>(), std::sqrt((3.5 * 3.5 + 0.25) / 2), 1e-12);
}

TEST(Familiarity, DescriptorIsMeanAndLogSpread) {
  const torch::Tensor f = torch::tensor({1.0, 2.0, 3.0, 4.0}, torch::kDouble).view({1, 1, 4});
  const torch::Tensor d = window_descriptors(f);
  EXPECT_NEAR(d[0][0].item<double>(), 2.5, 1e-12);
  EXPECT_NEAR(d[0][1].item<double>(), std::log(std::sqrt(1.25) + 1e-3), 1e-12);
}

TEST(Familiarity, ReferenceChecksAndRoundTrips) {
  FamiliarityReference r = unit_reference();
  EXPECT_NO_THROW(FamiliarityReference::from_json(r.to_json()).check(2));
  EXPECT_THROW(r.check(4), std::invalid_argument);
  FamiliarityReference bad = r;
  bad.nearest = 3;
  EXPECT_THROW(bad.check(2), std::invalid_argument) << "more than the neighbours";
  bad = r;
  bad.neighbours.pop_back();
  EXPECT_THROW(bad.check(2), std::invalid_argument) << "a partial row";
  r.distance_quantiles[3] = -1;
  EXPECT_THROW(r.check(2), std::invalid_argument);
}

TEST(Familiarity, FitKeepsAnEvenSampleAndCalibratesOnTheOtherWindows) {
  // neighbours 0, 1, ..., 9 on one axis; calibration windows half-way between them
  const torch::Tensor a = torch::arange(10, torch::kDouble).unsqueeze(1);
  const torch::Tensor b = (torch::arange(9, torch::kDouble) + 0.5).unsqueeze(1);
  FamiliarityFitOptions o;
  o.max_neighbours = 4;
  o.nearest = 1;
  const FamiliarityReference r = fit_familiarity(a, b, o);
  EXPECT_EQ(r.neighbour_count(), 4);
  EXPECT_EQ(r.windows, 19);
  // every calibration window is 0.5 / std from its nearest of the kept rows 0, 3, 6, 9 or 1.5 / std
  const double std = torch::cat({a, b}).std(0, false).item<double>();
  EXPECT_NEAR(r.distance_quantiles.front(), 0.5 / std, 1e-3);
  EXPECT_NEAR(r.distance_quantiles.back(), 1.5 / std, 1e-3);
}

}  // namespace
}  // namespace pianokpm
