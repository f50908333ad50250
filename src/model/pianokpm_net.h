#pragma once
// PianoKPM Net as released: the TDS encoder (model/tds_encoder.h) over fused pose and keystroke
// features, then an autoregressive MLP decoder at the keystroke rate. Pure tensors in and out:
// windowing of whole performances lives in predict/.
#include <torch/torch.h>

#include "model/emg_model.h"
#include "model/tds_encoder.h"

namespace pianokpm {

// PianoKPM Net's hyperparameters, defaults = the release (configs/model.json): the encoder's and
// the decoder's, flat in the config's JSON (decoder_hidden, decoder_output_scale, leaky_relu_slope).
struct PianoKpmNetOptions {
  TdsEncoderOptions encoder;
  int decoder_hidden = 512;            // autoregressive MLP width
  double decoder_output_scale = 0.01;  // e_t = scale * MLP([h_t, e_{t-1}])
  double leaky_relu_slope = 0.01;

  void check(const StreamLayout& layout) const;
  nlohmann::json to_json() const;
  static PianoKpmNetOptions from_json(const nlohmann::json& j);
};

// e_0 = 0; e_t = scale * MLP([h_t, e_{t-1}]) for t = 1..T, each window from zero state.
// MLP names: mlp.0 Linear, mlp.1 LayerNorm, mlp.2 LeakyReLU, mlp.3, mlp.4, mlp.5, mlp.6 Linear.
class ArDecoderImpl : public torch::nn::Module {
 public:
  ArDecoderImpl(int emg_channels, const PianoKpmNetOptions& options);
  // [B, F, T] -> [B, emg, T]; on CPU (float32/float64) the recurrence is one fused operation
  // (model/decoder_recurrence.h), elsewhere composed from libtorch operations.
  torch::Tensor forward(const torch::Tensor& features);
  // Always the composed path: the plain reference the fused one is tested against.
  torch::Tensor forward_composed(const torch::Tensor& features);
  // The recursion continued from e_0 = previous [B, emg] (the sample before the features) rather
  // than 0: streaming (EmgModelImpl::stream_tail). forward(f) == forward_from(f, zeros).
  torch::Tensor forward_from(const torch::Tensor& features, const torch::Tensor& previous);

 private:
  int emg_channels_;
  PianoKpmNetOptions options_;
  torch::nn::Sequential mlp_{nullptr};
  torch::Tensor run(const torch::Tensor& features, bool composed, const torch::Tensor& previous = {});
};
TORCH_MODULE(ArDecoder);

// The released network (architecture "pianokpm"). Names as in the release's state dict:
// network (the encoder), decoder.
class PianoKpmNetImpl : public EmgModelImpl {
 public:
  explicit PianoKpmNetImpl(const ModelConfig& config);
  // Encoder features [B, features, T] of raw inputs (pose_scale and standardisation applied).
  torch::Tensor encode(const torch::Tensor& pose, const torch::Tensor& keys) override;
  torch::Tensor decode(const torch::Tensor& features) override;  // the autoregressive decoder
  // Streams: the encoder's tail (Encoder::forward_tail) and the decoder continued from the
  // previous sample's EMG.
  bool streams() const override { return true; }
  torch::Tensor stream_tail(const torch::Tensor& pose, const torch::Tensor& keys, int64_t samples,
                            const torch::Tensor& previous_emg) override;
  std::vector<std::string> part_parameters(const std::string& part) const override;  // network., decoder.
  // The parts, for tests against the release's intermediate tensors. encoder() takes already
  // normalised pose; encode() applies the normalisation first.
  Encoder encoder() { return encoder_; }
  ArDecoder decoder() { return decoder_; }

 private:
  Encoder encoder_{nullptr};
  ArDecoder decoder_{nullptr};
};
TORCH_MODULE(PianoKpmNet);

}  // namespace pianokpm
