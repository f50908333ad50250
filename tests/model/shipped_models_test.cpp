// Checkpoints written before the models were split into one class each still load and predict
// what they predicted then. tests/fixtures/shipped/ holds fixed inputs and each shipped model's
// output on them, written by the code before that change (commit 18937a6); the many-camera
// models' (synthetic_any_camera*) were written when they shipped, by the code that trained them.
#include "io/array_file.h"
#include "model/checkpoint.h"
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
}

INSTANTIATE_TEST_SUITE_P(All, ShippedModel,
                         ::testing::Values("synthetic_mean", "synthetic_pianokpm", "synthetic_top_pose",
                                           "synthetic_top_pose_keys", "synthetic_top_pose_stream", "synthetic_any_camera",
                                           "synthetic_any_camera_mean"));

}  // namespace
}  // namespace pianokpm
