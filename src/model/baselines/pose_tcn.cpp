#include "model/baselines/pose_tcn.h"

namespace pianokpm {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {
constexpr int kWidth = 128;
constexpr int kDilations[] = {1, 2, 4, 8, 1, 2, 4, 8};  // receptive field 5 + 2 * 30 = 65 frames

// LayerNorm over the channels of each frame: x [B, C, T].
torch::Tensor per_frame(nn::LayerNormImpl& norm, const torch::Tensor& x) {
  return norm.forward(x.transpose(1, 2)).transpose(1, 2);
}
}  // namespace

PoseTcnNetImpl::PoseTcnNetImpl(const ModelConfig& c) : EmgModelImpl(c) {
  const int in = (uses_pose(c.modality) ? c.pose_channels() : 0) + (uses_keys(c.modality) ? c.num_keys : 0);
  stem_ = register_module("stem", nn::Conv1d(nn::Conv1dOptions(in, kWidth, 5).padding(2)));
  norms_ = register_module("norms", nn::ModuleList());
  convs_ = register_module("convs", nn::ModuleList());
  for (int d : kDilations) {
    norms_->push_back(nn::LayerNorm(nn::LayerNormOptions({kWidth})));
    convs_->push_back(nn::Conv1d(nn::Conv1dOptions(kWidth, kWidth, 3).padding(d).dilation(d)));
  }
  out_norm_ = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({kWidth})));
  head_ = register_module("head", nn::Conv1d(nn::Conv1dOptions(kWidth, c.emg_channels, 1)));
}

torch::Tensor PoseTcnNetImpl::encode(const torch::Tensor& pose, const torch::Tensor& keys) {
  const ModelConfig& c = config();
  std::vector<torch::Tensor> inputs;
  if (uses_pose(c.modality)) {
    if (!pose.defined()) throw std::invalid_argument("this model needs pose input");
    inputs.push_back(normalised_pose(pose));
  }
  if (uses_keys(c.modality)) {
    if (!keys.defined()) throw std::invalid_argument("this model needs keystroke input");
    inputs.push_back(F::adaptive_avg_pool1d(keys, F::AdaptiveAvgPool1dFuncOptions(c.pose_frames)));
  }
  torch::Tensor x = stem_(torch::cat(inputs, 1));
  for (size_t i = 0; i < convs_->size(); ++i) {
    const auto h = torch::gelu(per_frame(*norms_[i]->as<nn::LayerNormImpl>(), x));
    x = x + convs_[i]->as<nn::Conv1dImpl>()->forward(h);
  }
  const torch::Tensor at_frames = head_(torch::gelu(per_frame(*out_norm_, x)));  // [B, emg, F]
  return F::interpolate(
      at_frames,
      F::InterpolateFuncOptions().size(std::vector<int64_t>{c.window_samples}).mode(torch::kLinear).align_corners(true));
}

}  // namespace pianokpm
