// Pose standardisation: the training set's per-channel statistics and the network applying them.
#include "train/pose_standardisation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "model/model_registry.h"
#include "model/pianokpm_net.h"
#include "test_support.h"

namespace pianokpm {
namespace {

CorpusPerformance with_pose(torch::Tensor pose) {
  CorpusPerformance p;
  p.streams.pose = std::move(pose);
  return p;
}

ModelConfig one_keypoint_config() {
  ModelConfig c;
  c.num_views = 1;
  c.num_keypoints = 1;  // two channels: x, y
  c.pose.scale = {0.5, 0.25};
  return c;
}

TEST(PoseStatistics, MeanAndDeviationOverAllFramesAfterPoseScale) {
  // x: 1, 2, 3 then 5; y never moves.
  std::vector<CorpusPerformance> set;
  set.push_back(with_pose(torch::tensor({1.f, 10.f, 2.f, 10.f, 3.f, 10.f}).view({3, 2})));
  set.push_back(CorpusPerformance{});  // keys only: skipped
  set.push_back(with_pose(torch::tensor({5.f, 10.f}).view({1, 2})));
  const PoseStatistics s = pose_statistics(set, one_keypoint_config());
  ASSERT_EQ(s.mean.size(), 2u);
  // by hand: mean x 2.75, variance (1.75^2 + 0.75^2 + 0.25^2 + 2.25^2) / 4 = 2.1875
  EXPECT_NEAR(s.mean[0], 0.5 * 2.75, 1e-12);
  EXPECT_NEAR(s.std[0], 0.5 * std::sqrt(2.1875), 1e-12);
  EXPECT_NEAR(s.mean[1], 0.25 * 10.0, 1e-12);
  EXPECT_EQ(s.std[1], 1.0);  // a still channel is left unscaled

  EXPECT_THROW(pose_statistics({CorpusPerformance{}}, one_keypoint_config()), std::invalid_argument);
}

TEST(PoseStatistics, ConfigRoundTripsAndRejectsBadValues) {
  ModelConfig c = one_keypoint_config();
  c.pose.mean = {0.1, 0.2};
  c.pose.std = {0.3, 0.4};
  EXPECT_EQ(ModelConfig::from_json(c.to_json()).to_json(), c.to_json());
  c.pose.std = {0.3};
  EXPECT_THROW(c.check(), std::invalid_argument);
  c.pose.std = {0.3, 0.0};
  EXPECT_THROW(c.check(), std::invalid_argument);
}

TEST(PoseStatistics, NetworkStandardisesItsPoseInput) {
  ModelConfig plain;
  plain.architecture = "linear_readout";
  plain.pose.scale = {1.0 / 1280, 1.0 / 720};
  torch::manual_seed(5);
  const torch::Tensor pose = torch::rand({2, plain.pose_channels(), plain.pose_frames()}) * 700;
  const torch::Tensor keys = torch::rand({2, plain.num_keys, plain.window_samples()});
  ModelConfig standardised = plain;
  for (int c = 0; c < plain.pose_channels(); ++c) {
    standardised.pose.mean.push_back(0.3 + 0.01 * c);
    standardised.pose.std.push_back(0.05 + 0.002 * c);
  }
  // What the standardised net must see, worked out in float64 and handed to a plain net
  // (pose_scale 1) with the same weights.
  const auto d = torch::TensorOptions().dtype(torch::kDouble);
  const torch::Tensor scale = torch::tensor(plain.pose.scale, d).repeat({plain.pose_channels() / 2}).view({1, -1, 1});
  const torch::Tensor mean = torch::tensor(standardised.pose.mean, d).view({1, -1, 1});
  const torch::Tensor std = torch::tensor(standardised.pose.std, d).view({1, -1, 1});
  const torch::Tensor expected_input = ((pose.to(torch::kDouble) * scale - mean) / std).to(torch::kFloat);
  ModelConfig unscaled = plain;
  unscaled.pose.scale = {1.0, 1.0};

  EmgModel a = make_model(standardised), b = make_model(unscaled);
  {
    torch::NoGradGuard no_grad;
    auto pb = b->named_parameters();
    for (auto& p : a->named_parameters()) pb[p.key()].copy_(p.value());
  }
  a->eval();
  b->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor got = a->forward(pose, keys), want = b->forward(expected_input, keys);
  EXPECT_LE(testing::max_abs_diff(got, want), 1e-4 * want.abs().max().item<double>());
  // and the statistics matter: without them the output differs
  EXPECT_GT(testing::max_abs_diff(b->forward(pose, keys), want), 1e-2);
}

}  // namespace
}  // namespace pianokpm
