// The hand frame: hand-worked values, and a model reading it gives the same EMG whatever camera
// translation, scale, in-plane rotation or mirroring the keypoints went through. The palm frame:
// hand-worked values, the same for any affine map of the image, and a palm seen at a slant through
// a pinhole camera reads as seen from above.
#include "model/pose_front_end.h"

#include <cmath>

#include "model/model_registry.h"
#include "model/state_dict.h"
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

// Two windows of the fixture hand, [2, 42, 60].
torch::Tensor two_windows() { return synthetic_hand(0, 120).view({1, 42, 2, 60}).permute({0, 3, 1, 2}).reshape({2, 42, 60}); }

// A one-view pose model reading `frame`, standardised as training would: per-channel statistics
// of `pose`'s features in that frame.
ModelConfig standardised_pose_model(PoseFrame frame, const torch::Tensor& pose) {
  ModelConfig config;
  config.architecture = "neuropose";
  config.modality = Modality::kPoseOnly;
  config.num_views = 1;
  config.pose.frame = frame;
  const torch::Tensor features = model_frame(config, pose.to(torch::kDouble)).permute({1, 0, 2}).reshape({42, -1});
  const torch::Tensor mean = features.mean(1), std = features.std(1, false).clamp_min(1e-6).contiguous();
  config.pose.mean.assign(mean.data_ptr<double>(), mean.data_ptr<double>() + 42);
  config.pose.std.assign(std.data_ptr<double>(), std.data_ptr<double>() + 42);
  return config;
}

TEST(HandFrame, ModelOutputsIdenticalForMovedKeypoints) {
  const torch::Tensor pose = two_windows();
  const ModelConfig config = standardised_pose_model(PoseFrame::kHand, pose);
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

// pose [B, 42k, F] with every (x, y) mapped by the 2x2 matrix [[a, b], [c, d]] plus (tx, ty), in float64.
torch::Tensor affine_mapped(const torch::Tensor& pose, double a, double b, double c, double d, double tx, double ty) {
  torch::Tensor out = pose.to(torch::kDouble).clone();
  const torch::Tensor x = out.slice(1, 0, out.size(1), 2).clone(), y = out.slice(1, 1, out.size(1), 2).clone();
  out.slice(1, 0, out.size(1), 2).copy_(a * x + b * y + tx);
  out.slice(1, 1, out.size(1), 2).copy_(c * x + d * y + ty);
  return out;
}

// One frame's hand-worked palm: wrist (100, 200), middle MCP (100, 100), index MCP (133, 100),
// little MCP (67, 100): the palm frame is then the image's, moved to the wrist and divided by 100.
torch::Tensor square_palm(int64_t frames) {
  torch::Tensor pose = torch::zeros({1, 42, frames}, torch::kDouble);
  auto set = [&](int k, double x, double y) {
    pose[0][2 * k].fill_(x);
    pose[0][2 * k + 1].fill_(y);
  };
  for (int k = 0; k < 21; ++k) set(k, 100, 150);
  set(0, 100, 200);
  set(9, 100, 100);
  set(5, 133, 100);
  set(17, 67, 100);
  set(8, 150, 50);  // index tip
  return pose;
}

TEST(PalmFrame, HandWorkedValuesAndTheSameThroughAnyAffineMap) {
  const torch::Tensor pose = square_palm(3);
  const torch::Tensor p = palm_frame(pose);
  for (int f = 0; f < 3; ++f) {
    EXPECT_NEAR(p[0][2 * 8][f].item<double>(), 0.5, 1e-12);
    EXPECT_NEAR(p[0][2 * 8 + 1][f].item<double>(), -1.5, 1e-12);
    EXPECT_NEAR(p[0][2 * 5][f].item<double>(), 0.33, 1e-12);
    EXPECT_NEAR(p[0][2 * 5 + 1][f].item<double>(), -1.0, 1e-12);
    EXPECT_NEAR(p[0][2 * 4][f].item<double>(), 0.0, 1e-12);  // the other keypoints at (100, 150)
    EXPECT_NEAR(p[0][2 * 4 + 1][f].item<double>(), -0.5, 1e-12);
    for (const int slot : {0, 9, 17})  // a still hand: no velocity, no change of frame
      for (const int xy : {0, 1}) EXPECT_NEAR(p[0][2 * slot + xy][f].item<double>(), 0.0, 1e-12) << "slot " << slot;
  }
  // a camera slanting the palm (x halved), shearing, turning, mirroring, moving: the same values
  for (const auto& m : std::vector<std::array<double, 6>>{
           {0.5, 0, 0, 1, 0, 0}, {1, 0.4, 0, 1, 30, 0}, {-1, 0, 0, 1, 640, 0}, {0.3, -1.2, 0.9, 0.2, -500, 77}}) {
    const torch::Tensor q = palm_frame(affine_mapped(pose, m[0], m[1], m[2], m[3], m[4], m[5]));
    EXPECT_LT((q - p).abs().max().item<double>(), 1e-12) << m[0] << " " << m[1] << " " << m[2] << " " << m[3];
  }
  // the hand frame sees the slant
  EXPECT_GT((hand_frame(affine_mapped(pose, 0.5, 0, 0, 1, 0, 0)) - hand_frame(pose)).abs().max().item<double>(), 0.1);
}

TEST(PalmFrame, MovingAndApproachingHandGivesItsRates) {
  // the square palm moving 10 px right per frame while growing 10% per frame about its wrist
  const int64_t frames = 4;
  torch::Tensor pose = square_palm(frames);
  for (int64_t f = 0; f < frames; ++f) {
    const double grow = std::pow(1.1, static_cast<double>(f)), shift = 10.0 * static_cast<double>(f);
    for (int k = 0; k < 21; ++k) {
      auto x = pose[0][2 * k][f], y = pose[0][2 * k + 1][f];
      x.copy_((x - 100) * grow + 100 + shift);
      y.copy_((y - 200) * grow + 200);
    }
  }
  const torch::Tensor p = palm_frame(pose);
  for (int64_t f = 1; f < frames; ++f) {
    const double size = 100 * std::pow(1.1, static_cast<double>(f));
    EXPECT_NEAR(p[0][0][f].item<double>(), 10 / size, 1e-12) << "velocity in the current frame's palm units";
    EXPECT_NEAR(p[0][1][f].item<double>(), 0.0, 1e-12);
    // M(t)^-1 M(t-1) - I = (1/1.1 - 1) I: the width column in the middle MCP's slot, the length's in the little MCP's
    EXPECT_NEAR(p[0][18][f].item<double>(), 1 / 1.1 - 1, 1e-12);
    EXPECT_NEAR(p[0][19][f].item<double>(), 0.0, 1e-12);
    EXPECT_NEAR(p[0][34][f].item<double>(), 0.0, 1e-12);
    EXPECT_NEAR(p[0][35][f].item<double>(), 1 / 1.1 - 1, 1e-12);
    EXPECT_NEAR(p[0][2 * 8 + 1][f].item<double>(), -1.5, 1e-12) << "shape unchanged";
  }
  EXPECT_NEAR(p[0][0][0].item<double>(), p[0][0][1].item<double>(), 1e-12) << "the first frame repeats the second";
}

TEST(PalmFrame, SameForAnyAffineMapOfARealisticHand) {
  const torch::Tensor pose = synthetic_hand(30, 60).to(torch::kDouble);
  const torch::Tensor reference = palm_frame(pose);
  ASSERT_FALSE(reference.isnan().any().item<bool>());
  ASSERT_LT(reference.abs().max().item<double>(), kPalmFrameLimit) << "nothing clipped, so equality is exact";
  for (const auto& m : std::vector<std::array<double, 6>>{
           {0.37, 0, 0, 0.37, 0, 0}, {0.6, 0, 0, 1, 350, -120}, {-0.8, 0.3, 0.1, 1.1, 900, 20}, {1.5, -0.7, 0.4, 0.5, 0, 0}}) {
    const torch::Tensor q = palm_frame(affine_mapped(pose, m[0], m[1], m[2], m[3], m[4], m[5]));
    EXPECT_LT((q - reference).abs().max().item<double>(), 1e-9) << m[0] << " " << m[1] << " " << m[2] << " " << m[3];
  }
}

// A flat hand on the keys (z = 0, millimetres; fingers along -y, the player at +y) with the index
// fingertip lifted `lift_mm`, seen through a pinhole camera `distance_mm` from the wrist at
// `elevation_deg` above the keys, from the fingertips' side (a webcam on the music stand at 90 deg
// is straight above) -> pose [1, 42, 2] pixels (two identical frames).
torch::Tensor pinhole_view(double elevation_deg, double distance_mm, double lift_mm) {
  std::array<std::array<double, 3>, 21> hand{};
  for (int k = 0; k < 21; ++k) {
    const int finger = k == 0 ? 0 : (k - 1) / 4, joint = k == 0 ? 0 : (k - 1) % 4;  // joint 0: MCP (CMC for the thumb)
    const double side = (finger - 2) * 20.0, along = 90.0 + joint * 25.0;
    hand[static_cast<size_t>(k)] = k == 0 ? std::array<double, 3>{0, 0, 0} : std::array<double, 3>{side, -along, 0};
  }
  hand[8][2] = lift_mm;
  const double el = elevation_deg * M_PI / 180, focal = 1000;
  // camera on the fingertips' side (-y), looking at the middle MCP; image x along world x
  const std::array<double, 3> target = hand[9];
  const std::array<double, 3> towards = {0, -std::cos(el), std::sin(el)};
  const std::array<double, 3> forward = {0, std::cos(el), -std::sin(el)}, right = {1, 0, 0},
                              down = {0, std::sin(el), std::cos(el)};
  torch::Tensor pose = torch::zeros({1, 42, 2}, torch::kDouble);
  for (int k = 0; k < 21; ++k) {
    std::array<double, 3> rel{};
    for (int i = 0; i < 3; ++i) rel[i] = hand[static_cast<size_t>(k)][i] - (target[i] + distance_mm * towards[i]);
    auto dot = [&](const std::array<double, 3>& a) { return a[0] * rel[0] + a[1] * rel[1] + a[2] * rel[2]; };
    const double depth = dot(forward);
    pose[0][2 * k].fill_(640 + focal * dot(right) / depth);
    pose[0][2 * k + 1].fill_(360 + focal * dot(down) / depth);
  }
  return pose;
}

TEST(PalmFrame, APalmSeenAtASlantReadsAsSeenFromAbove) {
  // the index fingertip lifted 20 mm off the keys, seen from above and from a music-stand webcam
  // at 35 deg, near (600 mm) and far (2 m): the keypoints on the palm's plane (all but the lifted
  // tip; the motion slots are 0 in a still hand) agree to perspective's share, which shrinks with
  // distance; the hand frame sees the palm shortened to about sin 35 deg at any distance.
  auto gaps = [](double distance_mm) {
    const torch::Tensor above = pinhole_view(90, distance_mm, 20), slant = pinhole_view(35, distance_mm, 20);
    const torch::Tensor palm = palm_frame(slant) - palm_frame(above), hand = hand_frame(slant) - hand_frame(above);
    double palm_gap = 0, hand_gap = 0;
    for (int k : {1, 2, 3, 4, 6, 7, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20}) {
      for (int xy : {0, 1}) {
        palm_gap = std::max(palm_gap, std::abs(palm[0][2 * k + xy][0].item<double>()));
        hand_gap = std::max(hand_gap, std::abs(hand[0][2 * k + xy][0].item<double>()));
      }
    }
    return std::array<double, 2>{palm_gap, hand_gap};
  };
  const auto near = gaps(600), far = gaps(2000);
  EXPECT_LT(near[0], near[1] / 2) << "palm " << near[0] << " hand " << near[1];
  EXPECT_LT(far[0], 0.08) << "palm " << far[0];
  EXPECT_LT(far[0], near[0] / 2) << "perspective's share shrinks with distance";
  EXPECT_GT(far[1], 0.3) << "the hand frame's does not";
  // the lifted fingertip: from above it lies on its finger's line (lifting only brings it nearer
  // the camera); at a slant it moves along the palm's length: what stays view-dependent
  const torch::Tensor above = palm_frame(pinhole_view(90, 2000, 20)), slant = palm_frame(pinhole_view(35, 2000, 20));
  EXPECT_NEAR(above[0][2 * 8][0].item<double>(), above[0][2 * 7][0].item<double>(), 0.01);
  EXPECT_GT(std::abs(slant[0][2 * 8 + 1][0].item<double>() - above[0][2 * 8 + 1][0].item<double>()), 0.05);
}

TEST(PalmFrame, LostOrEdgeOnHandStaysFiniteAndBounded) {
  const torch::Tensor lost = palm_frame(torch::zeros({2, 84, 60}));
  EXPECT_EQ(lost.sizes(), (std::vector<int64_t>{2, 84, 60}));
  EXPECT_FALSE(lost.isnan().any().item<bool>());
  EXPECT_LE(lost.abs().max().item<double>(), kPalmFrameLimit);
  // the palm edge-on: index and little MCP on the wrist-middle line
  const torch::Tensor edge_on = palm_frame(affine_mapped(square_palm(4), 0, 0, 0, 1, 0, 0));
  EXPECT_FALSE(edge_on.isnan().any().item<bool>());
  EXPECT_LE(edge_on.abs().max().item<double>(), kPalmFrameLimit);
}

TEST(PalmFrame, ModelOutputsIdenticalForAffineMovedKeypoints) {
  const torch::Tensor pose = two_windows();
  const ModelConfig config = standardised_pose_model(PoseFrame::kPalm, pose);
  ASSERT_NO_THROW(config.check());
  torch::manual_seed(3);
  const EmgModel model = make_model(config);
  torch::NoGradGuard no_grad;
  const torch::Tensor expected = model->forward(pose, {});
  EXPECT_GT(expected.std().item<double>(), 1e-4) << "an output that varies, so that equality means something";
  const torch::Tensor slanted = affine_mapped(pose, -0.45, 0.2, 0.1, 0.9, 700, -40).to(torch::kFloat);
  EXPECT_LT((model->forward(slanted, {}) - expected).abs().max().item<double>(), 1e-5);
  EXPECT_EQ(ModelConfig::from_json(config.to_json()).pose.frame, PoseFrame::kPalm);
  ModelConfig release = config.with_architecture("pianokpm");
  EXPECT_NE(release_export_refusal(release).find("palm frame"), std::string::npos) << "the release computes no palm frame";
}

}  // namespace
}  // namespace pianokpm
