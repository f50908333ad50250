#pragma once
// Linear read-out baseline (architecture "linear_readout"): PianoKPM Net's encoder with a per-step
// Linear layer in place of the autoregressive decoder. Names: network (the encoder), readout.
#include <torch/torch.h>

#include "model/emg_model.h"
#include "model/tds_encoder.h"

namespace pianokpm {

// The encoder's hyperparameters only (flat JSON, as PianoKPM Net's).
struct LinearReadoutOptions {
  TdsEncoderOptions encoder;
  void check(const StreamLayout& /*layout*/) const { encoder.check(); }
  nlohmann::json to_json() const;
  static LinearReadoutOptions from_json(const nlohmann::json& j);
};

class LinearReadoutNetImpl : public EmgModelImpl {
 public:
  explicit LinearReadoutNetImpl(const ModelConfig& config);
  torch::Tensor encode(const torch::Tensor& pose, const torch::Tensor& keys) override;  // the EMG
  // Streams: the encoder's tail (Encoder::forward_tail), read out per step.
  bool streams() const override { return true; }
  torch::Tensor stream_tail(const torch::Tensor& pose, const torch::Tensor& keys, int64_t samples,
                            const torch::Tensor& previous_emg) override;
  std::vector<std::string> part_parameters(const std::string& part) const override;  // network., readout.

 private:
  torch::Tensor read_out(const torch::Tensor& features) const;  // [B, F, T] -> [B, emg, T]
  Encoder encoder_{nullptr};
  torch::nn::Linear readout_{nullptr};
};

}  // namespace pianokpm
