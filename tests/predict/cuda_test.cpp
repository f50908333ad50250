// The models on CUDA against the CPU (labelled gpu; skipped where CUDA is not available): the
// official state dict predicts the same EMG on both devices (the CUDA decoder is composed from
// libtorch operations, the CPU one fused), and every architecture runs and trains there.
#include "data/windowing.h"
#include "model/checkpoint.h"
#include "model/model_registry.h"
#include "predict/predictor.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::official;

TEST(Cuda, OfficialModelPredictsOnTheGpuWhatItPredictsOnTheCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "CUDA is not available";
  PerformancePaths paths;
  paths.pose_views = {official("performance/hand_data/keyp_top/t1_p1_1.pkl"),
                      official("performance/hand_data/keyp_right/t1_p1_1.pkl")};
  paths.keys = official("performance/keystroke_data/t1_p1_1.pkl");
  const LoadedModel cpu = load_model(official("state_dict.pth")), gpu = load_model(official("state_dict.pth"));
  gpu.net->to(torch::kCUDA);
  const PerformanceWindows windows(load_performance(paths, cpu.net->config()), cpu.net->config());
  PredictOptions on_gpu;
  on_gpu.device = torch::kCUDA;
  const torch::Tensor a = predict_performance(cpu.net, windows, {}), b = predict_performance(gpu.net, windows, on_gpu);
  ASSERT_EQ(a.sizes(), b.sizes());
  EXPECT_LE(testing::max_abs_diff(a, b), 1e-4);
  EXPECT_EQ(gpu.net->device().type(), torch::kCUDA);  // predicting left the model where it was
}

TEST(Cuda, EveryArchitectureRunsAndTakesAGradientStepOnTheGpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "CUDA is not available";
  for (const std::string& name : model_names()) {
    torch::manual_seed(1);
    ModelConfig c;
    c.architecture = name;
    EmgModel net = make_model(c);
    net->to(torch::kCUDA);
    const auto on = torch::TensorOptions().device(torch::kCUDA);
    const auto pose = torch::rand({2, c.pose_channels(), c.pose_frames()}, on),
               keys = torch::rand({2, 88, c.window_samples()}, on);
    const auto emg = torch::rand({2, 6, c.window_samples()}, on);
    EXPECT_EQ(net->forward(pose, keys).sizes(), emg.sizes()) << name;
    const torch::Tensor loss =
        net->has_own_loss(0) ? net->stage_loss(0, pose, keys, emg) : (net->forward(pose, keys) - emg).pow(2).mean();
    if (name != "mean") {
      loss.backward();
      EXPECT_TRUE(std::isfinite(loss.item<double>())) << name;
    }
  }
}

}  // namespace
}  // namespace pianokpm
