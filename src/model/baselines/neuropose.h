#pragma once
// NeuroPose-style baseline (architecture "neuropose"): a 1-D convolutional encoder-decoder (three
// stride-2 stages down, three up, skip connections) over the pose, resampled to the keystroke
// rate, and the keys, stacked as channels. Names: neuropose.stem, .down.N, .up.N, .merge.N, .head.
#include <torch/torch.h>

#include "model/emg_model.h"

namespace pianokpm {

class ConvEncoderDecoderImpl : public torch::nn::Module {
 public:
  explicit ConvEncoderDecoderImpl(const ModelConfig& config);
  // inputs [B, pose channels (+ 88 keys), window_samples] -> [B, emg, window_samples]
  torch::Tensor forward(const torch::Tensor& inputs);

 private:
  torch::nn::Conv1d stem_{nullptr}, head_{nullptr};
  torch::nn::ModuleList down_{nullptr}, up_{nullptr}, merge_{nullptr};
};
TORCH_MODULE(ConvEncoderDecoder);

class NeuroPoseNetImpl : public EmgModelImpl {
 public:
  explicit NeuroPoseNetImpl(const ModelConfig& config);
  torch::Tensor encode(const torch::Tensor& pose, const torch::Tensor& keys) override;  // the EMG

 private:
  ConvEncoderDecoder net_{nullptr};
};

}  // namespace pianokpm
