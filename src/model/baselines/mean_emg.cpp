#include "model/baselines/mean_emg.h"

#include <stdexcept>

#include "model/model_options.h"
#include "model/model_registry.h"

namespace pianokpm {

MeanEmgImpl::MeanEmgImpl(const ModelConfig& config) : EmgModelImpl(config) {
  mean_emg_ = register_buffer("mean_emg", torch::zeros({config.emg_channels}));
}

void MeanEmgImpl::fit_closed_form(const std::vector<torch::Tensor>& emg) {
  torch::Tensor sum = torch::zeros({config().emg_channels}, torch::kDouble);
  int64_t rows = 0;
  for (const torch::Tensor& e : emg) {
    sum += e.to(torch::kDouble).sum(0);
    rows += e.size(0);
  }
  if (rows == 0) throw std::invalid_argument("mean predictor: no EMG to average");
  torch::NoGradGuard no_grad;
  mean_emg_.copy_((sum / static_cast<double>(rows)).to(torch::kFloat));
}

torch::Tensor MeanEmgImpl::encode(const torch::Tensor& pose, const torch::Tensor& keys) {
  const auto& ref = keys.defined() ? keys : pose;
  const int64_t c = config().emg_channels;
  return mean_emg_.view({1, -1, 1}).expand({ref.size(0), c, config().window_samples()}).clone();
}

PIANOKPM_REGISTER_MODEL(mean, MeanEmgImpl, NoOptions, "the training set's mean envelope, whatever the input (the floor)")

}  // namespace pianokpm
