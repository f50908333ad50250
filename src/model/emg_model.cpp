#include "model/emg_model.h"

#include "model/pose_front_end.h"

#include <stdexcept>
#include <string>

namespace pianokpm {

namespace F = torch::nn::functional;

EmgModelImpl::EmgModelImpl(const ModelConfig& config) : config_(config) { config_.check(); }

torch::Device EmgModelImpl::device() const {
  for (const auto& p : parameters()) return p.device();
  for (const auto& b : buffers()) return b.device();
  return torch::kCPU;
}

torch::Tensor EmgModelImpl::stage_loss(int stage, const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) {
  throw std::logic_error("stage_loss: this model has no loss of its own in stage " + std::to_string(stage));
}

void EmgModelImpl::fit_closed_form(const std::vector<torch::Tensor>& /*emg*/) {
  throw std::logic_error("fit_closed_form: a " + config_.architecture + " model trains by gradient descent");
}

torch::Tensor EmgModelImpl::stream_tail(const torch::Tensor&, const torch::Tensor&, int64_t, const torch::Tensor&) {
  throw std::logic_error("stream_tail: a " + config_.architecture + " model does not stream");
}

std::vector<std::string> EmgModelImpl::part_parameters(const std::string& part) const {
  if (part == "all") return {};
  if (part == "encoder" || part == "decoder") {
    throw std::invalid_argument("a " + config_.architecture + " model has no separate encoder and decoder: use all");
  }
  throw std::invalid_argument("must be all, decoder or encoder, not '" + part + "'");
}

torch::Tensor EmgModelImpl::normalised_pose(const torch::Tensor& pose) const { return pose_features(config_, pose); }

torch::Tensor EmgModelImpl::inputs_at_key_rate(const torch::Tensor& pose, const torch::Tensor& keys) const {
  std::vector<torch::Tensor> inputs;
  if (uses_pose(modality())) {
    if (!pose.defined()) throw std::invalid_argument("this model needs pose input");
    inputs.push_back(F::interpolate(normalised_pose(pose), F::InterpolateFuncOptions()
                                                               .size(std::vector<int64_t>{config_.window_samples()})
                                                               .mode(torch::kLinear)
                                                               .align_corners(true)));
  }
  if (uses_keys(modality())) {
    if (!keys.defined()) throw std::invalid_argument("this model needs keystroke input");
    inputs.push_back(keys);
  }
  return torch::cat(inputs, 1);
}

}  // namespace pianokpm
