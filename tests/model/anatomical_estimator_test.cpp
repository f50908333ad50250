// The anatomical estimator: the same output for any camera placement of the same hand, the named
// abductor for each finger swung sideways in the image, and the resting level without a hand.
#include "model/anatomical_estimator.h"

#include <cmath>

#include "io/array_file.h"
#include "model/model_registry.h"
#include "model/hand_poses.h"
#include "test_support.h"

namespace pianokpm {
namespace {

constexpr int kAdm = 0, k1di = 2, k2di = 3, k3di = 4, k4di = 5;

ModelConfig estimator_config() {
  ModelConfig c;
  c.architecture = "anatomical";
  c.modality = Modality::kPoseOnly;
  c.num_views = 1;
  c.options = model_kind("anatomical").complete_options(nlohmann::json::object(), c.layout());
  return c;
}

// The fixture hand's first frames, float64 pixels: pose [1, 42, F].
torch::Tensor synthetic_hand(int64_t frames) { return testing::synthetic_top_view_hand(0, frames).to(torch::kDouble); }
using testing::moved;

TEST(AnatomicalEstimator, AnyCameraPlacementGivesTheSameEnvelopes) {
  const ModelConfig c = estimator_config();
  EmgModel net = make_model(c);
  const torch::Tensor pose = synthetic_hand(c.pose_frames());
  const torch::Tensor keys;
  // In float64 the estimator divides the camera out exactly (float32 output rounding remains).
  const torch::Tensor reference = net->forward(pose, keys);
  EXPECT_GT((reference - reference.mean(2, true)).abs().max().item<double>(), 1e-3) << "a moving hand, a flat output";
  for (bool mirror : {false, true}) {
    const torch::Tensor other = net->forward(moved(pose, 0.45, 37.0, 210.0, -35.0, mirror), keys);
    EXPECT_LT(testing::max_abs_diff(other, reference), 1e-6) << (mirror ? "mirrored" : "moved");
  }
  // Pixels in float32, as tracking gives them: the rounding moves the envelopes by little.
  const torch::Tensor rounded = net->forward(moved(pose, 0.45, 37.0, 210.0, -35.0, true).to(torch::kFloat), keys);
  EXPECT_LT(testing::max_abs_diff(rounded, reference), 0.02);
}

// A still hand (the fixture's first frame held) whose finger `finger` (1 index .. 4 little) turns
// about its knuckle in the image by `degrees` (positive: towards the thumb) from second 0.5 on;
// `rise`: each muscle's mean envelope over the last 0.3 s less its mean over the first 0.3 s.
void swing(int finger, double degrees, std::array<double, 6>& rise) {
  const ModelConfig c = estimator_config();
  EmgModel net = make_model(c);
  const int64_t frames = c.pose_frames();
  const torch::Tensor first = synthetic_hand(1).select(2, 0);  // [1, 42]
  torch::Tensor pose = first.unsqueeze(2).repeat({1, 1, frames}).contiguous();
  // The fixture's fingers point up the image (y down) with the thumb on the left: turning a finger
  // towards the thumb is a negative angle in x' = x cos a - y sin a, y' = x sin a + y cos a.
  ASSERT_LT(first[0][19].item<double>(), first[0][1].item<double>());  // middle knuckle above the wrist
  ASSERT_LT(first[0][8].item<double>(), first[0][18].item<double>());  // thumb tip left of the middle knuckle
  const double sign = -1.0;
  const int mcp = 1 + 4 * finger;
  const double cx = first[0][2 * mcp].item<double>(), cy = first[0][2 * mcp + 1].item<double>();
  for (int64_t f = 0; f < frames; ++f) {
    const double t = static_cast<double>(f) / c.pose_rate_hz;
    const double s = std::clamp((t - 0.5) / 0.15, 0.0, 1.0);
    const double a = sign * degrees * M_PI / 180 * s;
    for (int k = mcp + 1; k <= mcp + 3; ++k) {
      const double x = first[0][2 * k].item<double>() - cx, y = first[0][2 * k + 1].item<double>() - cy;
      pose[0][2 * k][f] = cx + std::cos(a) * x - std::sin(a) * y;
      pose[0][2 * k + 1][f] = cy + std::sin(a) * x + std::cos(a) * y;
    }
  }
  const torch::Tensor emg = net->forward(pose.to(torch::kFloat), torch::Tensor());
  const int64_t n = emg.size(2), tail = static_cast<int64_t>(0.3 * c.emg_rate_hz);
  for (int m = 0; m < 6; ++m)
    rise[m] = emg[0][m].narrow(0, n - tail, tail).mean().item<double>() - emg[0][m].narrow(0, 0, tail).mean().item<double>();
}

TEST(AnatomicalEstimator, AFingerSwungSidewaysRaisesItsAbductor) {
  struct Case {
    int finger;
    double degrees;
    int muscle;
  };
  for (const Case& k : {Case{1, 15, k1di}, Case{2, 15, k2di}, Case{2, -15, k3di}, Case{3, -15, k4di}, Case{4, -15, kAdm}}) {
    std::array<double, 6> r{};
    swing(k.finger, k.degrees, r);
    const int top = static_cast<int>(std::max_element(r.begin(), r.end()) - r.begin());
    EXPECT_EQ(top, k.muscle) << "finger " << k.finger << " by " << k.degrees << " degrees";
    EXPECT_GT(r[k.muscle], 0.01) << "finger " << k.finger;
  }
}

TEST(AnatomicalEstimator, NoHandGivesTheRestingLevel) {
  const ModelConfig c = estimator_config();
  EmgModel net = make_model(c);
  const torch::Tensor emg = net->forward(torch::zeros({1, 42, c.pose_frames()}), torch::Tensor());
  EXPECT_NEAR(emg.min().item<double>(), 0.045, 1e-6);
  EXPECT_NEAR(emg.max().item<double>(), 0.045, 1e-6);
  nlohmann::json bad = {{"tonic", 2.0}};
  EXPECT_THROW(model_kind("anatomical").complete_options(bad, c.layout()), std::invalid_argument);
}

// On the real hand's finger moves (testing::finger_move_hits), the muscle anatomy names rises most
// for at least 5 of the 6 sideways moves and 4 of the 5 presses.
TEST(AnatomicalEstimator, OnARealHandTheNamedMuscleRisesMost) {
  const ModelConfig c = estimator_config();
  EmgModel net = make_model(c);
  const auto hits = testing::finger_move_hits(c.pose_frames(), static_cast<int64_t>(c.emg_rate_hz),
                                              [&](const torch::Tensor& pose) { return net->forward(pose, {}); });
  EXPECT_GE(hits.sideways, 5) << "of 6 sideways moves";
  EXPECT_GE(hits.presses, 4) << "of 5 presses";
}

}  // namespace
}  // namespace pianokpm
