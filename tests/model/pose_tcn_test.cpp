// The pose-rate temporal convolutional network: shapes, a receptive field of 32 frames to either
// side and nothing beyond, and that it learns.
#include "model/baselines/pose_tcn.h"

#include "model/model_registry.h"
#include "test_support.h"

namespace pianokpm {
namespace {

ModelConfig tcn_config(Modality modality) {
  ModelConfig c;
  c.architecture = "pose_tcn";
  c.modality = modality;
  c.num_views = 1;
  return c;
}

TEST(PoseTcn, ShapesForPoseAndKeys) {
  torch::manual_seed(1);
  const torch::Tensor pose = torch::rand({2, 42, 60}), keys = torch::rand({2, 88, 1024});
  for (Modality m : {Modality::kPoseOnly, Modality::kPoseAndKeys}) {
    const EmgModel model = make_model(tcn_config(m));
    EXPECT_EQ(model->forward(pose, keys).sizes(), (std::vector<int64_t>{2, 6, 1024}));
  }
  EXPECT_THROW(make_model(tcn_config(Modality::kPoseOnly))->forward({}, keys), std::invalid_argument);
}

TEST(PoseTcn, SeesThirtyTwoFramesToEitherSideAndNoFurther) {
  torch::manual_seed(2);
  const EmgModel model = make_model(tcn_config(Modality::kPoseOnly));
  torch::NoGradGuard no_grad;
  const torch::Tensor pose = torch::rand({1, 42, 60});
  torch::Tensor changed = pose.clone();
  changed.select(2, 0).add_(5.0);
  const torch::Tensor a = model->forward(pose, {}), b = model->forward(changed, {});
  // frame 0 reaches frames 0..32; sample s sits at frame s * 59 / 1023, so samples from 573 on
  // interpolate between frames >= 33 only
  EXPECT_LT((a - b).narrow(2, 573, 1024 - 573).abs().max().item<float>(), 1e-6);
  EXPECT_GT((a - b).narrow(2, 0, 32).abs().max().item<float>(), 1e-4);
  // frame 32 is still reached: samples around it change
  EXPECT_GT((a - b).narrow(2, 540, 20).abs().max().item<float>(), 1e-7);
}

TEST(PoseTcn, LearnsAFixedBatch) {
  torch::manual_seed(3);
  const EmgModel model = make_model(tcn_config(Modality::kPoseOnly));
  const torch::Tensor pose = torch::randn({4, 42, 60});
  // a target that depends on the pose: the sigmoid of its first six channels, upsampled
  const torch::Tensor target = torch::nn::functional::interpolate(
      pose.narrow(1, 0, 6).sigmoid(),
      torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{1024}).mode(torch::kLinear).align_corners(true));
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(3e-3));
  const double first = torch::mse_loss(model->forward(pose, {}), target).item<double>();
  for (int step = 0; step < 60; ++step) {
    opt.zero_grad();
    const torch::Tensor loss = torch::mse_loss(model->forward(pose, {}), target);
    loss.backward();
    opt.step();
  }
  EXPECT_LT(torch::mse_loss(model->forward(pose, {}), target).item<double>(), 0.2 * first);
}

}  // namespace
}  // namespace pianokpm
