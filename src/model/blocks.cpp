#include "model/blocks.h"

#include "model/fused_ops.h"

namespace pianokpm {

namespace nn = torch::nn;

Conv1dBlockImpl::Conv1dBlockImpl(int in_channels, int out_channels, int kernel, double eps) {
  // The release wraps Conv1d and ReLU in a Sequential named `conv`; the ReLU is fused below.
  conv_ = nn::Conv1d(nn::Conv1dOptions(in_channels, out_channels, kernel).padding((kernel - 1) / 2));
  register_module("conv", nn::Sequential(conv_, nn::ReLU()));
  norm_ = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({out_channels}).eps(eps)));
}

torch::Tensor Conv1dBlockImpl::forward(const torch::Tensor& x) {
  return channel_layer_norm(conv_(x), {}, /*relu_first=*/true, norm_->weight, norm_->bias, norm_->options.eps());
}

TdsConvBlockImpl::TdsConvBlockImpl(int channels, int width, int kernel, double eps) : channels_(channels), width_(width) {
  conv2d_ =
      register_module("conv2d", nn::Conv2d(nn::Conv2dOptions(channels, channels, {1, kernel}).padding({0, (kernel - 1) / 2})));
  layer_norm_ = register_module("layer_norm", nn::LayerNorm(nn::LayerNormOptions({channels * width}).eps(eps)));
}

torch::Tensor TdsConvBlockImpl::forward(const torch::Tensor& x) {
  const auto b = x.size(0), t = x.size(2);
  auto y = conv2d_(x.reshape({b, channels_, width_, t})).reshape({b, channels_ * width_, t});
  return channel_layer_norm(y, x, /*relu_first=*/true, layer_norm_->weight, layer_norm_->bias, layer_norm_->options.eps());
}

TdsFcBlockImpl::TdsFcBlockImpl(int features, double eps) {
  fc_block_ =
      register_module("fc_block", nn::Sequential(nn::Linear(features, features), nn::ReLU(), nn::Linear(features, features)));
  layer_norm_ = register_module("layer_norm", nn::LayerNorm(nn::LayerNormOptions({features}).eps(eps)));
}

torch::Tensor TdsFcBlockImpl::forward(const torch::Tensor& x) {
  auto* first = fc_block_[0]->as<nn::LinearImpl>();
  auto* second = fc_block_[2]->as<nn::LinearImpl>();
  auto h = torch::relu(channel_linear(x, first->weight, first->bias));
  return channel_layer_norm(channel_linear(h, second->weight, second->bias), x, /*relu_first=*/false, layer_norm_->weight,
                            layer_norm_->bias, layer_norm_->options.eps());
}

TdsStageImpl::TdsStageImpl(int channels, int width, int conv_kernel, int tds_kernel, int num_blocks, int out_features,
                           double eps) {
  const int features = channels * width;
  // The release nests the stage's blocks in a `layers` container.
  auto layers = std::make_shared<nn::Module>();
  conv1dblock_ = layers->register_module("conv1dblock", Conv1dBlock(features, features, conv_kernel, eps));
  auto tds_block = std::make_shared<nn::Module>();
  tds_blocks_ = tds_block->register_module("tds_conv_blocks", nn::ModuleList());
  for (int i = 0; i < num_blocks; ++i) {
    tds_blocks_->push_back(TdsConvBlock(channels, width, tds_kernel, eps));
    tds_blocks_->push_back(TdsFcBlock(features, eps));
  }
  layers->register_module("tds_block", tds_block);
  register_module("layers", layers);
  if (out_features > 0) linear_layer_ = register_module("linear_layer", nn::Linear(features, out_features));
}

torch::Tensor TdsStageImpl::forward(const torch::Tensor& x) {
  auto y = conv1dblock_(x);
  for (size_t i = 0; i < tds_blocks_->size(); i += 2) {
    y = tds_blocks_[i]->as<TdsConvBlockImpl>()->forward(y);
    y = tds_blocks_[i + 1]->as<TdsFcBlockImpl>()->forward(y);
  }
  if (linear_layer_) y = channel_linear(y, linear_layer_->weight, linear_layer_->bias);
  return y;
}

}  // namespace pianokpm
