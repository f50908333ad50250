// Checkpoints written before the models were split into one class each still load and predict
// what they predicted then; the one-camera model is selective on a real hand. tests/fixtures/shipped/ holds fixed inputs and each
// shipped model's output on them, written by the code before that change (commit 18937a6); the many-camera models'
// (synthetic_any_camera*) were written by tests/fixtures/shipped/make_any_camera_reference.cpp.
#include <fstream>

#include "io/array_file.h"
#include "model/checkpoint.h"
#include "model/hand_poses.h"
#include "test_support.h"

namespace pianokpm {
namespace {

std::string shipped(const std::string& file) { return std::string(PIANOKPM_FIXTURES) + "/shipped/" + file; }
std::string model_file(const std::string& name) {
  return std::string(PIANOKPM_FIXTURES) + "/../../assets/models/" + name + ".pt";
}

class ShippedModel : public ::testing::TestWithParam<const char*> {};

TEST_P(ShippedModel, PredictsWhatItPredictedBeforeTheModelInterface) {
  const std::string name = GetParam();
  const LoadedModel m = load_model(model_file(name));
  const ModelConfig& c = m.net->config();
  const torch::Tensor pose =
      uses_pose(c.modality) ? read_array(shipped(c.num_views == 2 ? "pose_2views.npy" : "pose_1view.npy")) : torch::Tensor();
  const torch::Tensor keys = uses_keys(c.modality) ? read_array(shipped("keys.npy")) : torch::Tensor();
  torch::NoGradGuard no_grad;
  const torch::Tensor got = m.net->forward(pose, keys);
  const torch::Tensor expected = read_array(shipped(name + "_emg.npy"));
  ASSERT_EQ(got.sizes(), expected.sizes());
  EXPECT_LE(testing::max_abs_diff(got, expected), 1e-6) << name;
  EXPECT_GT(expected.abs().max().item<double>(), 1e-3) << "the reference is not trivially zero";
  const std::string hand_reference = shipped(name + "_hand_emg.npy");
  if (std::ifstream(hand_reference).good()) {
    const torch::Tensor on_hand = m.net->forward(read_array(shipped("pose_1view_hand.npy")), keys);
    EXPECT_LE(testing::max_abs_diff(on_hand, read_array(hand_reference)), 1e-6) << name << " on a hand";
    const torch::Tensor on_real = m.net->forward(testing::real_hand_window(), keys);
    EXPECT_LE(testing::max_abs_diff(on_real, read_array(shipped(name + "_real_hand_emg.npy"))), 1e-6)
        << name << " on a real hand";
  }
}

INSTANTIATE_TEST_SUITE_P(All, ShippedModel,
                         ::testing::Values("synthetic_mean", "synthetic_pianokpm", "synthetic_top_pose",
                                           "synthetic_top_pose_keys", "synthetic_top_pose_stream", "synthetic_any_camera",
                                           "synthetic_any_camera_mean", "synthetic_any_camera_keys"));

// The shipped one-camera models on a real hand's finger moves (testing::finger_move_hits): the
// muscle anatomy names rises most for at least 5 of the 6 sideways moves and 4 of the 5 presses
// (the keys model with every key at rest: no piano under the photographed hand).
class ShippedOneCameraModel : public ::testing::TestWithParam<const char*> {};

TEST_P(ShippedOneCameraModel, OnARealHandTheNamedMuscleRisesMost) {
  const LoadedModel m = load_model(model_file(GetParam()));
  const ModelConfig& c = m.net->config();
  torch::NoGradGuard no_grad;
  const torch::Tensor keys = uses_keys(c.modality) ? torch::zeros({1, c.num_keys, c.window_samples()}) : torch::Tensor();
  const auto hits =
      testing::finger_move_hits(c.pose_frames(), static_cast<int64_t>(c.emg_rate_hz),
                                [&](const torch::Tensor& pose) { return m.net->forward(pose.to(torch::kFloat), keys); });
  EXPECT_GE(hits.sideways, 5) << "of 6 sideways moves";
  EXPECT_GE(hits.presses, 4) << "of 5 presses";
}

INSTANTIATE_TEST_SUITE_P(Shipped, ShippedOneCameraModel, ::testing::Values("synthetic_any_camera", "synthetic_any_camera_keys"));

}  // namespace
}  // namespace pianokpm
