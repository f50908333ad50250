#pragma once
// Building blocks of the PianoKPM Net encoder. Children are registered under the names the
// released PyTorch state dict uses, so loading is a checked name lookup. Layout: [B, C, T].
#include <torch/torch.h>

namespace pianokpm {

// Conv1d -> ReLU -> LayerNorm over channels. Names: conv.0 (the Conv1d), norm.
class Conv1dBlockImpl : public torch::nn::Module {
 public:
  Conv1dBlockImpl(int in_channels, int out_channels, int kernel, double eps);
  torch::Tensor forward(const torch::Tensor& x);  // [B, Cin, T] -> [B, Cout, T]

 private:
  torch::nn::Conv1d conv_{nullptr};  // registered inside the `conv` Sequential
  torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(Conv1dBlock);

// TDS conv block: [B, C*W, T] seen as [B, C, W, T], Conv2d (1, k) over time, ReLU, residual,
// LayerNorm over the C*W channels. Names: conv2d, layer_norm.
class TdsConvBlockImpl : public torch::nn::Module {
 public:
  TdsConvBlockImpl(int channels, int width, int kernel, double eps);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int channels_, width_;
  torch::nn::Conv2d conv2d_{nullptr};
  torch::nn::LayerNorm layer_norm_{nullptr};
};
TORCH_MODULE(TdsConvBlock);

// TDS fully connected block: Linear -> ReLU -> Linear over channels, residual, LayerNorm.
// Names: fc_block.0, fc_block.2, layer_norm.
class TdsFcBlockImpl : public torch::nn::Module {
 public:
  TdsFcBlockImpl(int features, double eps);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Sequential fc_block_{nullptr};
  torch::nn::LayerNorm layer_norm_{nullptr};
};
TORCH_MODULE(TdsFcBlock);

// One encoder stage: Conv1dBlock, num_blocks x [TdsConvBlock, TdsFcBlock], optional Linear
// projection over channels. Names: layers.conv1dblock, layers.tds_block.tds_conv_blocks.N,
// linear_layer.
class TdsStageImpl : public torch::nn::Module {
 public:
  TdsStageImpl(int channels, int width, int conv_kernel, int tds_kernel, int num_blocks, int out_features,
               double eps);  // out_features <= 0: no projection
  torch::Tensor forward(const torch::Tensor& x);

 private:
  Conv1dBlock conv1dblock_{nullptr};
  torch::nn::ModuleList tds_blocks_{nullptr};
  torch::nn::Linear linear_layer_{nullptr};
};
TORCH_MODULE(TdsStage);

}  // namespace pianokpm
