#include "model/baselines/neuropose.h"

#include "model/model_options.h"
#include "model/model_registry.h"

namespace pianokpm {

namespace nn = torch::nn;

namespace {
constexpr int kConvWidths[4] = {64, 128, 256, 256};  // stage widths
}

ConvEncoderDecoderImpl::ConvEncoderDecoderImpl(const ModelConfig& c) {
  const int in = (uses_pose(c.modality) ? c.pose_channels() : 0) + (uses_keys(c.modality) ? c.num_keys : 0);
  stem_ = register_module("stem", nn::Conv1d(nn::Conv1dOptions(in, kConvWidths[0], 7).padding(3)));
  down_ = register_module("down", nn::ModuleList());
  up_ = register_module("up", nn::ModuleList());
  merge_ = register_module("merge", nn::ModuleList());
  for (int i = 0; i < 3; ++i) {
    down_->push_back(nn::Conv1d(nn::Conv1dOptions(kConvWidths[i], kConvWidths[i + 1], 5).stride(2).padding(2)));
  }
  for (int i = 3; i > 0; --i) {
    up_->push_back(nn::ConvTranspose1d(nn::ConvTranspose1dOptions(kConvWidths[i], kConvWidths[i - 1], 4).stride(2).padding(1)));
    merge_->push_back(nn::Conv1d(nn::Conv1dOptions(2 * kConvWidths[i - 1], kConvWidths[i - 1], 5).padding(2)));
  }
  head_ = register_module("head", nn::Conv1d(nn::Conv1dOptions(kConvWidths[0], c.emg_channels, 1)));
}

torch::Tensor ConvEncoderDecoderImpl::forward(const torch::Tensor& inputs) {
  auto x = torch::relu(stem_(inputs));
  std::vector<torch::Tensor> skips;
  for (const auto& d : *down_) {
    skips.push_back(x);
    x = torch::relu(d->as<nn::Conv1dImpl>()->forward(x));
  }
  for (size_t i = 0; i < up_->size(); ++i) {
    x = torch::relu(up_[i]->as<nn::ConvTranspose1dImpl>()->forward(x));
    const auto& skip = skips[skips.size() - 1 - i];
    x = torch::relu(merge_[i]->as<nn::Conv1dImpl>()->forward(torch::cat({x.narrow(2, 0, skip.size(2)), skip}, 1)));
  }
  return head_(x);
}

NeuroPoseNetImpl::NeuroPoseNetImpl(const ModelConfig& config) : EmgModelImpl(config) {
  net_ = register_module("neuropose", ConvEncoderDecoder(config));
}

torch::Tensor NeuroPoseNetImpl::encode(const torch::Tensor& pose, const torch::Tensor& keys) {
  return net_(inputs_at_key_rate(pose, keys));
}

PIANOKPM_REGISTER_MODEL(neuropose, NeuroPoseNetImpl, NoOptions,
                        "a convolutional encoder-decoder with skips, in the style of NeuroPose")

}  // namespace pianokpm
