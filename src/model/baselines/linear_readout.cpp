#include "model/baselines/linear_readout.h"

#include "model/model_options.h"
#include "model/model_registry.h"

namespace pianokpm {

LinearReadoutNetImpl::LinearReadoutNetImpl(const ModelConfig& config) : EmgModelImpl(config) {
  const auto options = model_options<LinearReadoutOptions>(config);
  encoder_ = register_module("network", Encoder(config.layout(), options.encoder));
  readout_ = register_module("readout", torch::nn::Linear(options.encoder.feature_channels(), config.emg_channels));
}

torch::Tensor LinearReadoutNetImpl::encode(const torch::Tensor& pose, const torch::Tensor& keys) {
  return read_out(encoder_(normalised_pose(pose), keys));
}

torch::Tensor LinearReadoutNetImpl::stream_tail(const torch::Tensor& pose, const torch::Tensor& keys, int64_t samples,
                                                const torch::Tensor& /*previous_emg*/) {
  return read_out(encoder_->forward_tail(normalised_pose(pose), keys, samples));
}

torch::Tensor LinearReadoutNetImpl::read_out(const torch::Tensor& features) const {
  return torch::matmul(readout_->weight, features) + readout_->bias.view({1, -1, 1});
}

std::vector<std::string> LinearReadoutNetImpl::part_parameters(const std::string& part) const {
  if (part == "encoder") return {"network."};
  if (part == "decoder") return {"readout."};
  return EmgModelImpl::part_parameters(part);
}

LinearReadoutOptions LinearReadoutOptions::from_json(const nlohmann::json& j) {
  refuse_unknown_fields(j, LinearReadoutOptions().to_json());
  return {TdsEncoderOptions::read(j)};
}

nlohmann::json LinearReadoutOptions::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  encoder.write(j);
  return j;
}

PIANOKPM_REGISTER_MODEL(linear_readout, LinearReadoutNetImpl, LinearReadoutOptions,
                        "PianoKPM Net's encoder with a per-step linear read-out")

}  // namespace pianokpm
