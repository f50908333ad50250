#include "model/baselines/linear_regression.h"

#include "model/model_registry.h"

namespace pianokpm {

LinearRegressionImpl::LinearRegressionImpl(const ModelConfig& config) : EmgModelImpl(config) {
  const auto options = model_options<LinearRegressionOptions>(config);
  const int in = (uses_pose(config.modality) ? config.pose_channels() : 0) + (uses_keys(config.modality) ? config.num_keys : 0);
  conv_ = register_module(
      "conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(in, config.emg_channels, options.kernel).padding(options.kernel / 2)));
}

torch::Tensor LinearRegressionImpl::encode(const torch::Tensor& pose, const torch::Tensor& keys) {
  return conv_(inputs_at_key_rate(pose, keys));
}

PIANOKPM_REGISTER_MODEL(linear_regression, LinearRegressionImpl, LinearRegressionOptions,
                        "each sample a linear function of the inputs around it (one Conv1d)")

}  // namespace pianokpm
