#include "model/blocks.h"

namespace pianokpm {

namespace nn = torch::nn;

torch::Tensor channel_layer_norm(const torch::Tensor& x, nn::LayerNorm& norm) {
  return norm(x.transpose(1, 2)).transpose(1, 2);
}

Conv1dBlockImpl::Conv1dBlockImpl(int in_channels, int out_channels, int kernel, double eps) {
  conv_ = register_module(
      "conv", nn::Sequential(nn::Conv1d(nn::Conv1dOptions(in_channels, out_channels, kernel).padding((kernel - 1) / 2)),
                             nn::ReLU()));
  norm_ = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({out_channels}).eps(eps)));
}

torch::Tensor Conv1dBlockImpl::forward(const torch::Tensor& x) { return channel_layer_norm(conv_->forward(x), norm_); }

TdsConvBlockImpl::TdsConvBlockImpl(int channels, int width, int kernel, double eps)
    : channels_(channels), width_(width) {
  conv2d_ = register_module(
      "conv2d", nn::Conv2d(nn::Conv2dOptions(channels, channels, {1, kernel}).padding({0, (kernel - 1) / 2})));
  layer_norm_ = register_module("layer_norm", nn::LayerNorm(nn::LayerNormOptions({channels * width}).eps(eps)));
}

torch::Tensor TdsConvBlockImpl::forward(const torch::Tensor& x) {
  const auto b = x.size(0), t = x.size(2);
  auto y = torch::relu(conv2d_(x.reshape({b, channels_, width_, t}))).reshape({b, channels_ * width_, t});
  return channel_layer_norm(y + x, layer_norm_);
}

TdsFcBlockImpl::TdsFcBlockImpl(int features, double eps) {
  fc_block_ = register_module(
      "fc_block", nn::Sequential(nn::Linear(features, features), nn::ReLU(), nn::Linear(features, features)));
  layer_norm_ = register_module("layer_norm", nn::LayerNorm(nn::LayerNormOptions({features}).eps(eps)));
}

torch::Tensor TdsFcBlockImpl::forward(const torch::Tensor& x) {
  auto xt = x.transpose(1, 2);  // [B, T, C]
  return layer_norm_(fc_block_->forward(xt) + xt).transpose(1, 2);
}

TdsStageImpl::TdsStageImpl(int channels, int width, int conv_kernel, int tds_kernel, int num_blocks,
                           int out_features, double eps) {
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
  if (linear_layer_) y = linear_layer_(y.transpose(1, 2)).transpose(1, 2);
  return y;
}

}  // namespace pianokpm
