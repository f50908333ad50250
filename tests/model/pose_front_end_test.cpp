// The hand frame: hand-worked values, and a model reading it gives the same EMG whatever camera
// translation, scale, in-plane rotation or mirroring the keypoints went through.
#include "model/pose_front_end.h"

#include <cmath>

#include "model/model_registry.h"
#include "io/array_file.h"
#include "model/hand_poses.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::moved;
torch::Tensor synthetic_hand(int64_t first_frame, int64_t frames) {
  return testing::synthetic_top_view_hand(first_frame, frames);
}

TEST(HandFrame, HandWorkedValues) {
  // wrist (100, 200), middle MCP (100, 100): size 100, already upright; the wrist moves 10 px right per frame
  torch::Tensor pose = torch::zeros({1, 42, 2}, torch::kDouble);
  auto set = [&](int k, double x, double y) {
    for (int f = 0; f < 2; ++f) {
      pose[0][2 * k][f] = x + 10 * f;
      pose[0][2 * k + 1][f] = y;
    }
  };
  for (int k = 0; k < 21; ++k) set(k, 100, 150);
  set(0, 100, 200);
  set(9, 100, 100);
  set(5, 80, 100);    // index MCP on the left: a right hand, not mirrored
  set(17, 130, 110);  // little MCP on the right
  set(8, 150, 50);    // index tip
  const torch::Tensor h = hand_frame(pose);
  for (int f = 0; f < 2; ++f) {
    EXPECT_NEAR(h[0][2 * 8][f].item<double>(), 0.5, 1e-12);
    EXPECT_NEAR(h[0][2 * 8 + 1][f].item<double>(), -1.5, 1e-12);
    EXPECT_NEAR(h[0][2 * 17][f].item<double>(), 0.3, 1e-12);
    EXPECT_NEAR(h[0][2 * 17 + 1][f].item<double>(), -0.9, 1e-12);
    // the wrist's slots: velocity (0.1 hand sizes per frame to the right, none up); the first frame repeats
    EXPECT_NEAR(h[0][0][f].item<double>(), 0.1, 1e-12);
    EXPECT_NEAR(h[0][1][f].item<double>(), 0.0, 1e-12);
    // the middle MCP's: no zoom, no turn
    EXPECT_NEAR(h[0][18][f].item<double>(), 0.0, 1e-12);
    EXPECT_NEAR(h[0][19][f].item<double>(), 0.0, 1e-12);
  }
  // the same hand mirrored (x -> 300 - x) reads the same: the index MCP goes back to the left
  const torch::Tensor mirrored = pose.clone();
  for (int k = 0; k < 21; ++k) mirrored.select(1, 2 * k).mul_(-1).add_(300);
  EXPECT_TRUE(torch::allclose(hand_frame(mirrored), h, 0, 1e-12));
}

TEST(HandFrame, TurningAndApproachingHandGivesItsRates) {
  // a hand of size 100 turning by 0.1 rad per frame about its wrist while growing 10% per frame
  const int64_t frames = 5;
  torch::Tensor pose = torch::zeros({1, 42, frames}, torch::kDouble);
  for (int64_t f = 0; f < frames; ++f) {
    const double angle = 0.1 * static_cast<double>(f), size = 100 * std::pow(1.1, static_cast<double>(f));
    for (int k = 0; k < 21; ++k) {
      // every keypoint on the wrist-middle axis except the two MCPs that decide the handedness
      const double along = k == 0 ? 0 : (k == 5 || k == 17 ? 0.9 : 1.0), side = k == 5 ? -0.2 : (k == 17 ? 0.3 : 0.0);
      // local (side, -along) rotated by angle, scaled, at the wrist (500, 500)
      const double lx = side * size, ly = -along * size;
      pose[0][2 * k][f] = 500 + std::cos(angle) * lx - std::sin(angle) * ly;
      pose[0][2 * k + 1][f] = 500 + std::sin(angle) * lx + std::cos(angle) * ly;
    }
  }
  const torch::Tensor h = hand_frame(pose);
  for (int64_t f = 0; f < frames; ++f) {
    EXPECT_NEAR(h[0][18][f].item<double>(), std::log(1.1), 1e-12) << "zoom, frame " << f;
    EXPECT_NEAR(std::abs(h[0][19][f].item<double>()), 0.1, 1e-12) << "turn, frame " << f;
    EXPECT_NEAR(h[0][0][f].item<double>(), 0.0, 1e-12) << "the wrist stays";
    EXPECT_NEAR(h[0][2 * 8 + 1][f].item<double>(), -1.0, 1e-12) << "shape unchanged";
  }
}

TEST(HandFrame, SameForAnyTranslationScaleRotationAndMirror) {
  const torch::Tensor pose = synthetic_hand(30, 60).to(torch::kDouble);
  const torch::Tensor reference = hand_frame(pose);
  ASSERT_FALSE(reference.isnan().any().item<bool>());
  struct Move {
    double scale, degrees, tx, ty;
    bool mirror;
  };
  for (const Move& m : {Move{1, 0, 350, -120, false}, Move{0.37, 0, 0, 0, false}, Move{1, 73, 0, 0, false},
                        Move{1, 0, 0, 0, true}, Move{2.5, -140, -900, 433, true}}) {
    const torch::Tensor h = hand_frame(moved(pose, m.scale, m.degrees, m.tx, m.ty, m.mirror));
    EXPECT_LT((h - reference).abs().max().item<double>(), 1e-9) << "scale " << m.scale << " rotation " << m.degrees;
  }
}

TEST(HandFrame, ModelOutputsIdenticalForMovedKeypoints) {
  ModelConfig config;
  config.architecture = "neuropose";
  config.modality = Modality::kPoseOnly;
  config.num_views = 1;
  config.pose.frame = PoseFrame::kHand;
  const torch::Tensor pose = synthetic_hand(0, 120).view({1, 42, 2, 60}).permute({0, 3, 1, 2}).reshape({2, 42, 60});
  // standardised as training would: per-channel statistics of the hand-frame features
  const torch::Tensor features = hand_frame(pose.to(torch::kDouble)).permute({1, 0, 2}).reshape({42, -1});
  const torch::Tensor mean = features.mean(1), std = features.std(1, false).clamp_min(1e-6);
  config.pose.mean.assign(mean.data_ptr<double>(), mean.data_ptr<double>() + 42);
  config.pose.std.assign(std.contiguous().data_ptr<double>(), std.contiguous().data_ptr<double>() + 42);
  torch::manual_seed(3);
  const EmgModel model = make_model(config);
  torch::NoGradGuard no_grad;
  const torch::Tensor expected = model->forward(pose, {});
  EXPECT_GT(expected.std().item<double>(), 1e-4) << "an output that varies, so that equality means something";
  for (const bool mirror : {false, true}) {
    const torch::Tensor other = moved(pose, 0.6, 37, 240, -75, mirror).to(torch::kFloat);
    EXPECT_LT((model->forward(other, {}) - expected).abs().max().item<double>(), 1e-5) << "mirror " << mirror;
  }
  // an image-frame model of the same weights does see the camera move
  ModelConfig image = config;
  image.pose.frame = PoseFrame::kImage;
  image.pose.mean.clear();
  image.pose.std.clear();
  image.pose.scale = {1.0 / 1280, 1.0 / 720};
  torch::manual_seed(3);
  const EmgModel image_model = make_model(image);
  const torch::Tensor image_out = image_model->forward(pose, {});
  EXPECT_GT(
      (image_model->forward(moved(pose, 0.6, 37, 240, -75, false).to(torch::kFloat), {}) - image_out).abs().max().item<double>(),
      1e-3);
}

TEST(HandFrame, MissingHandGivesZerosNotNaN) {
  const torch::Tensor h = hand_frame(torch::zeros({2, 84, 60}));
  EXPECT_EQ(h.sizes(), (std::vector<int64_t>{2, 84, 60}));
  EXPECT_EQ(h.abs().max().item<float>(), 0.0f);
}

TEST(HandFrame, RefusesOtherLayouts) {
  EXPECT_THROW(hand_frame(torch::zeros({1, 40, 60})), std::invalid_argument);
  EXPECT_THROW(hand_frame(torch::zeros({1, 42, 1})), std::invalid_argument);
  ModelConfig config;
  config.pose.frame = PoseFrame::kHand;
  config.pose.scale = {1.0 / 1280, 1.0 / 720};
  EXPECT_THROW(config.check(), std::invalid_argument) << "the hand frame has no pixel scale";
}

TEST(HandFrame, ConfigRoundTripKeepsOldConfigsAsTheyWere) {
  ModelConfig config;
  EXPECT_FALSE(config.to_json().contains("pose_frame")) << "a config of the release's kind is written as before";
  EXPECT_EQ(ModelConfig::from_json(config.to_json()).pose.frame, PoseFrame::kImage);
  config.pose.frame = PoseFrame::kHand;
  config.pose.scale = {1.0, 1.0};
  EXPECT_EQ(config.to_json().at("pose_frame"), "hand");
  EXPECT_EQ(ModelConfig::from_json(config.to_json()).pose.frame, PoseFrame::kHand);
  nlohmann::json bad = config.to_json();
  bad["pose_frame"] = "camera";
  EXPECT_THROW(ModelConfig::from_json(bad), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm
