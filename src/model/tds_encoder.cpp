#include "model/tds_encoder.h"

#include <stdexcept>

namespace pianokpm {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

nn::ModuleList make_front_path(const ModelConfig& c, int in_channels) {
  nn::ModuleList path;
  int channels = in_channels;
  for (int kernel : c.front_kernels) {
    path->push_back(Conv1dBlock(channels, c.hidden_channels, kernel, c.layer_norm_eps));
    channels = c.hidden_channels;
  }
  return path;
}

torch::Tensor run_path(nn::ModuleList& path, torch::Tensor x) {
  for (const auto& block : *path) x = block->as<Conv1dBlockImpl>()->forward(x);
  return x;
}

}  // namespace

EncoderImpl::EncoderImpl(const ModelConfig& config) : config_(config) {
  config_.check();
  if (uses_pose(config_.modality)) pose_conv_ = register_module("pose_conv", make_front_path(config_, config_.pose_channels()));
  if (uses_keys(config_.modality)) key_conv_ = register_module("key_conv", make_front_path(config_, config_.num_keys));
  tds_stages_ = register_module("tds_stages", nn::ModuleList());
  for (const auto& s : config_.stages) {
    tds_stages_->push_back(TdsStage(config_.tds_channels, config_.tds_width, s.conv_kernel, s.tds_kernel, s.num_blocks,
                                    s.out_features.value_or(0), config_.layer_norm_eps));
  }
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& pose, const torch::Tensor& keys) {
  torch::Tensor fused;
  if (pose_conv_) {
    if (!pose.defined()) throw std::invalid_argument("this model needs pose input");
    // 60 fps pose to the keystroke rate: linear, align_corners=true (as released)
    auto up = F::interpolate(
        pose,
        F::InterpolateFuncOptions().size(std::vector<int64_t>{config_.window_samples}).mode(torch::kLinear).align_corners(true));
    fused = run_path(pose_conv_, up);
  }
  if (key_conv_) {
    if (!keys.defined()) throw std::invalid_argument("this model needs keystroke input");
    auto k = run_path(key_conv_, keys);
    fused = fused.defined() ? fused + k : k;
  }
  for (const auto& stage : *tds_stages_) fused = stage->as<TdsStageImpl>()->forward(fused);
  return fused;
}

}  // namespace pianokpm
