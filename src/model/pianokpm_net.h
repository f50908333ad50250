#pragma once
// PianoKPM Net as released: a time-channel-wise (TDS) encoder over fused pose and keystroke
// features, then an autoregressive MLP decoder at the keystroke rate. Pure tensors in and out:
// windowing of whole performances lives in predict/.
#include <torch/torch.h>

#include "model/blocks.h"
#include "model/model_config.h"

namespace pianokpm {

// Pose path, key path, fusion sum and TDS stages. Names: pose_conv.N, key_conv.N, tds_stages.N.
class EncoderImpl : public torch::nn::Module {
 public:
  explicit EncoderImpl(const ModelConfig& config);
  // pose [B, views*21*2, pose_frames] (keypoint-major x,y; top view first), keys [B, 88, samples];
  // either may be undefined when the modality lacks it. Returns features [B, F, samples].
  torch::Tensor forward(const torch::Tensor& pose, const torch::Tensor& keys);

 private:
  ModelConfig config_;
  torch::nn::ModuleList pose_conv_{nullptr}, key_conv_{nullptr}, tds_stages_{nullptr};
};
TORCH_MODULE(Encoder);

// e_0 = 0; e_t = scale * MLP([h_t, e_{t-1}]) for t = 1..T, each window from zero state.
// MLP names: mlp.0 Linear, mlp.1 LayerNorm, mlp.2 LeakyReLU, mlp.3, mlp.4, mlp.5, mlp.6 Linear.
class ArDecoderImpl : public torch::nn::Module {
 public:
  explicit ArDecoderImpl(const ModelConfig& config);
  // [B, F, T] -> [B, emg, T]; on CPU (float32/float64) the recurrence is one fused operation
  // (model/decoder_recurrence.h), elsewhere composed from libtorch operations.
  torch::Tensor forward(const torch::Tensor& features);
  // Always the composed path: the plain reference the fused one is tested against.
  torch::Tensor forward_composed(const torch::Tensor& features);

 private:
  ModelConfig config_;
  torch::nn::Sequential mlp_{nullptr};
  torch::Tensor run(const torch::Tensor& features, bool composed);
};
TORCH_MODULE(ArDecoder);

// NeuroPose-style baseline: a 1-D convolutional encoder-decoder (three stride-2 stages down,
// three up, skip connections) over the pose (resampled to the keystroke rate) and keys, stacked
// as channels.
class ConvEncoderDecoderImpl : public torch::nn::Module {
 public:
  explicit ConvEncoderDecoderImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& pose, const torch::Tensor& keys);  // -> [B, emg, T]

 private:
  ModelConfig config_;
  torch::nn::Conv1d stem_{nullptr}, head_{nullptr};
  torch::nn::ModuleList down_{nullptr}, up_{nullptr}, merge_{nullptr};
};
TORCH_MODULE(ConvEncoderDecoder);

// The model behind every checkpoint, by config.architecture. Names: network (the encoder),
// decoder (pianokpm), readout (linear_readout), neuropose, mean_emg (mean, a buffer).
class PianoKpmNetImpl : public torch::nn::Module {
 public:
  explicit PianoKpmNetImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& pose, const torch::Tensor& keys);  // -> [B, emg, T]
  const ModelConfig& config() const { return config_; }
  // Encoder features [B, features, T] of raw inputs: pose_scale and standardisation applied
  // (pianokpm and linear_readout). Callers that run the decoder separately start here, not at
  // encoder(), which takes already normalised pose.
  torch::Tensor encode(const torch::Tensor& pose, const torch::Tensor& keys);
  Encoder encoder() { return encoder_; }
  ArDecoder decoder() { return decoder_; }
  // The mean predictor's output, [emg].
  void set_mean_emg(const torch::Tensor& mean);

 private:
  ModelConfig config_;
  Encoder encoder_{nullptr};
  ArDecoder decoder_{nullptr};
  torch::nn::Linear readout_{nullptr};
  ConvEncoderDecoder neuropose_{nullptr};
  torch::Tensor mean_emg_;

  // Applies config.pose_scale, then pose_mean/pose_std when present.
  torch::Tensor normalised_pose(const torch::Tensor& pose) const;
};
TORCH_MODULE(PianoKpmNet);

}  // namespace pianokpm
