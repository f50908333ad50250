#include "model/baselines/linear_readout.h"

namespace pianokpm {

LinearReadoutNetImpl::LinearReadoutNetImpl(const ModelConfig& config) : EmgModelImpl(config) {
  encoder_ = register_module("network", Encoder(config));
  readout_ = register_module("readout", torch::nn::Linear(config.feature_channels(), config.emg_channels));
}

torch::Tensor LinearReadoutNetImpl::encode(const torch::Tensor& pose, const torch::Tensor& keys) {
  const torch::Tensor features = encoder_(normalised_pose(pose), keys);  // [B, F, T]
  return torch::matmul(readout_->weight, features) + readout_->bias.view({1, -1, 1});
}

std::vector<std::string> LinearReadoutNetImpl::part_parameters(const std::string& part) const {
  if (part == "encoder") return {"network."};
  if (part == "decoder") return {"readout."};
  return EmgModelImpl::part_parameters(part);
}

}  // namespace pianokpm
