// Familiarity: hand-worked scores, and on synthetic hands: windows like the training ones are
// familiar, frozen or scrambled keypoints are not, and a camera move the hand frame removes
// changes nothing.
#include "model/familiarity.h"

#include <cmath>

#include "model/pose_front_end.h"
#include "synth/corpus.h"
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

// Top-view windows [W, 42, 60] of one synthetic performance (pixels).
torch::Tensor windows_of(int pianist, int take, const std::string& cameras = "fixed") {
  synth::SynthOptions o;
  o.seconds = 40;
  o.cameras = cameras;
  const synth::Pianist p = synth::Pianist::sample(pianist, o.seed);
  const synth::Performance perf = synth::generate_performance(o, p, {1, 1, 1, 1, 1, 1}, 7, take);
  const int64_t w = perf.pose_top.size(0) / 60;
  return perf.pose_top.narrow(0, 0, w * 60).narrow(2, 0, 2).reshape({w, 60, 42}).permute({0, 2, 1}).contiguous();
}

TEST(Familiarity, TellsHandsLikeTheTrainingOnesFromFrozenAndScrambledOnes) {
  ModelConfig config;
  config.modality = Modality::kPoseOnly;
  config.num_views = 1;
  config.pose.frame = PoseFrame::kHand;
  std::vector<torch::Tensor> neighbours, calibration;
  for (int pianist = 1; pianist <= 4; ++pianist) neighbours.push_back(windows_of(pianist, 1));
  for (int pianist = 1; pianist <= 4; ++pianist) calibration.push_back(windows_of(pianist, 3));
  config.familiarity = fit_familiarity(window_descriptors(pose_features(config, torch::cat(neighbours, 0))),
                                       window_descriptors(pose_features(config, torch::cat(calibration, 0))));
  config.check();

  const torch::Tensor unseen = windows_of(5, 2);
  const torch::Tensor familiar = pose_familiarity(config, unseen);
  EXPECT_GT(familiar.median().item<double>(), 0.1) << familiar;

  // one frame held for the whole window: a frozen tracker
  const torch::Tensor frozen = unseen.narrow(2, 0, 1).expand_as(unseen).contiguous();
  EXPECT_LT(pose_familiarity(config, frozen).max().item<double>(), 0.01);
  // keypoints in the wrong slots (the wrist and middle MCP kept, so the frame is still defined): not a hand
  const torch::Tensor order =
      torch::tensor({0, 20, 19, 18, 17, 16, 15, 14, 13, 9, 12, 11, 10, 8, 7, 6, 5, 4, 3, 2, 1}, torch::kLong);
  const torch::Tensor scrambled = unseen.view({-1, 21, 2, 60}).index_select(1, order).reshape_as(unseen);
  EXPECT_LT(pose_familiarity(config, scrambled).median().item<double>(), 0.01);
  // the camera moved (and a left hand): the hand frame removes it, familiarity is unchanged (up to
  // the float32 rounding of the moved pixel coordinates)
  torch::Tensor moved = unseen.clone();
  moved.view({-1, 21, 2, 60}).select(2, 0).mul_(-0.5).add_(900);
  moved.view({-1, 21, 2, 60}).select(2, 1).mul_(0.5).add_(-40);
  EXPECT_LT((pose_familiarity(config, moved) - familiar).abs().max().item<double>(), 1e-4);
}

}  // namespace
}  // namespace pianokpm
