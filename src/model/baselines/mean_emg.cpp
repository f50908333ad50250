#include "model/baselines/mean_emg.h"

namespace pianokpm {

MeanEmgImpl::MeanEmgImpl(const ModelConfig& config) : EmgModelImpl(config) {
  mean_emg_ = register_buffer("mean_emg", torch::zeros({config.emg_channels}));
}

void MeanEmgImpl::set_mean_emg(const torch::Tensor& mean) {
  torch::NoGradGuard no_grad;
  mean_emg_.copy_(mean);
}

torch::Tensor MeanEmgImpl::encode(const torch::Tensor& pose, const torch::Tensor& keys) {
  const auto& ref = keys.defined() ? keys : pose;
  const int64_t c = config().emg_channels;
  return mean_emg_.view({1, -1, 1}).expand({ref.size(0), c, config().window_samples}).clone();
}

}  // namespace pianokpm
