#include "model/pianokpm_net.h"

#include <optional>
#include <stdexcept>

#include "model/blas_threads.h"
#include "model/decoder_recurrence.h"

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
    tds_stages_->push_back(TdsStage(config_.tds_channels, config_.tds_width, s.conv_kernel, s.tds_kernel,
                                    s.num_blocks, s.out_features.value_or(0), config_.layer_norm_eps));
  }
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& pose, const torch::Tensor& keys) {
  torch::Tensor fused;
  if (pose_conv_) {
    if (!pose.defined()) throw std::invalid_argument("this model needs pose input");
    // 60 fps pose to the keystroke rate: linear, align_corners=true (as released)
    auto up = F::interpolate(pose, F::InterpolateFuncOptions()
                                       .size(std::vector<int64_t>{config_.window_samples})
                                       .mode(torch::kLinear)
                                       .align_corners(true));
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

ArDecoderImpl::ArDecoderImpl(const ModelConfig& config) : config_(config) {
  const int in = config.feature_channels() + config.emg_channels, h = config.decoder_hidden;
  const auto act = nn::LeakyReLUOptions().negative_slope(config.leaky_relu_slope);
  mlp_ = register_module(
      "mlp", nn::Sequential(nn::Linear(in, h), nn::LayerNorm(nn::LayerNormOptions({h}).eps(config.layer_norm_eps)),
                            nn::LeakyReLU(act), nn::Linear(h, h),
                            nn::LayerNorm(nn::LayerNormOptions({h}).eps(config.layer_norm_eps)), nn::LeakyReLU(act),
                            nn::Linear(h, config.emg_channels)));
}

torch::Tensor ArDecoderImpl::forward(const torch::Tensor& features) { return run(features, /*composed=*/false); }

torch::Tensor ArDecoderImpl::forward_composed(const torch::Tensor& features) { return run(features, /*composed=*/true); }

torch::Tensor ArDecoderImpl::run(const torch::Tensor& features, bool composed) {
  // The first Linear sees [h_t, e_{t-1}]; its h_t part does not depend on the recursion, so
  // it is computed for all steps in one matrix product and only the e part stays in the loop.
  auto* in_layer = mlp_[0]->as<nn::LinearImpl>();
  auto* norm1 = mlp_[1]->as<nn::LayerNormImpl>();
  auto* hidden_layer = mlp_[3]->as<nn::LinearImpl>();
  auto* norm2 = mlp_[4]->as<nn::LayerNormImpl>();
  auto* out_layer = mlp_[6]->as<nn::LinearImpl>();
  const int64_t f = config_.feature_channels(), h = config_.decoder_hidden;
  const int64_t b = features.size(0), steps = features.size(2);
  if (features.size(1) != f) throw std::invalid_argument("decoder: features have the wrong channel count");

  auto w_feat = in_layer->weight.narrow(1, 0, f);
  auto pre = torch::addmm(in_layer->bias, features.transpose(1, 2).reshape({b * steps, f}), w_feat.t())
                 .view({b, steps, h});
  const double slope = config_.leaky_relu_slope, scale = config_.decoder_output_scale;
  const double eps1 = norm1->options.eps(), eps2 = norm2->options.eps();

  if (!composed && decoder_recurrence_supported(pre)) {
    const DecoderStepWeights w{in_layer->weight.narrow(1, f, config_.emg_channels),
                               norm1->weight, norm1->bias, hidden_layer->weight, hidden_layer->bias,
                               norm2->weight, norm2->bias, out_layer->weight, out_layer->bias,
                               eps1, eps2, slope, scale};
    return decoder_recurrence(pre, w).transpose(1, 2).contiguous();  // [B, emg, T]
  }

  // Each step's products go to the BLAS's own threads (see ScopedOpenMpThreads).
  std::optional<ScopedOpenMpThreads> one_thread;
  if (features.device().is_cpu()) one_thread.emplace(1);

  auto w_emg = in_layer->weight.narrow(1, f, config_.emg_channels).t();
  const std::vector<int64_t> norm_shape{h};
  auto w_hidden = hidden_layer->weight.t(), w_out = out_layer->weight.t();
  auto e = torch::zeros({b, config_.emg_channels}, features.options());
  std::vector<torch::Tensor> outputs;
  outputs.reserve(steps);
  // unbind, not select: select's backward would write a whole [B, T, H] gradient per step.
  const std::vector<torch::Tensor> pre_steps = pre.unbind(1);
  for (int64_t t = 0; t < steps; ++t) {
    auto x = torch::addmm(pre_steps[t], e, w_emg);
    x = F::leaky_relu(torch::layer_norm(x, norm_shape, norm1->weight, norm1->bias, eps1),
                      F::LeakyReLUFuncOptions().negative_slope(slope));
    x = torch::addmm(hidden_layer->bias, x, w_hidden);
    x = F::leaky_relu(torch::layer_norm(x, norm_shape, norm2->weight, norm2->bias, eps2),
                      F::LeakyReLUFuncOptions().negative_slope(slope));
    e = torch::addmm(out_layer->bias, x, w_out).mul_(scale);
    outputs.push_back(e);
  }
  return torch::stack(outputs, 2);  // [B, emg, T]
}

namespace {
constexpr int kConvWidths[4] = {64, 128, 256, 256};  // NeuroPose-style stage widths
}

ConvEncoderDecoderImpl::ConvEncoderDecoderImpl(const ModelConfig& c) : config_(c) {
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

torch::Tensor ConvEncoderDecoderImpl::forward(const torch::Tensor& pose, const torch::Tensor& keys) {
  std::vector<torch::Tensor> inputs;
  if (uses_pose(config_.modality)) {
    inputs.push_back(F::interpolate(pose, F::InterpolateFuncOptions()
                                              .size(std::vector<int64_t>{config_.window_samples})
                                              .mode(torch::kLinear)
                                              .align_corners(true)));
  }
  if (uses_keys(config_.modality)) inputs.push_back(keys);
  auto x = torch::relu(stem_(torch::cat(inputs, 1)));
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

PianoKpmNetImpl::PianoKpmNetImpl(const ModelConfig& config) : config_(config) {
  config_.check();
  const std::string& arch = config_.architecture;
  if (arch == "pianokpm" || arch == "linear_readout") encoder_ = register_module("network", Encoder(config));
  if (arch == "pianokpm") decoder_ = register_module("decoder", ArDecoder(config));
  if (arch == "linear_readout") readout_ = register_module("readout", nn::Linear(config.feature_channels(), config.emg_channels));
  if (arch == "neuropose") neuropose_ = register_module("neuropose", ConvEncoderDecoder(config));
  if (arch == "mean") mean_emg_ = register_buffer("mean_emg", torch::zeros({config.emg_channels}));
}

void PianoKpmNetImpl::set_mean_emg(const torch::Tensor& mean) {
  if (!mean_emg_.defined()) throw std::logic_error("set_mean_emg: not a mean predictor");
  torch::NoGradGuard no_grad;
  mean_emg_.copy_(mean);
}

torch::Tensor PianoKpmNetImpl::normalised_pose(const torch::Tensor& pose) const {
  const bool scaled = config_.pose_scale[0] != 1.0 || config_.pose_scale[1] != 1.0;
  if (!pose.defined() || (!scaled && config_.pose_mean.empty())) return pose;
  // pose rows are keypoint-major x, y, x, y, ...: fold the x/y scale into one per-channel affine map
  const int64_t channels = pose.size(1);
  std::vector<double> gain(static_cast<size_t>(channels)), offset(static_cast<size_t>(channels), 0.0);
  for (int64_t c = 0; c < channels; ++c) {
    const auto i = static_cast<size_t>(c);
    gain[i] = config_.pose_scale[i % 2];
    if (!config_.pose_mean.empty()) {
      gain[i] /= config_.pose_std[i];
      offset[i] = -config_.pose_mean[i] / config_.pose_std[i];
    }
  }
  auto column = [&](const std::vector<double>& v) {
    return torch::tensor(v, torch::kDouble).to(pose.options()).view({1, -1, 1});
  };
  return torch::addcmul(column(offset), pose, column(gain));
}

torch::Tensor PianoKpmNetImpl::encode(const torch::Tensor& pose, const torch::Tensor& keys) {
  if (!encoder_) throw std::logic_error("encode: a " + config_.architecture + " model has no encoder");
  return encoder_(normalised_pose(pose), keys);
}

torch::Tensor PianoKpmNetImpl::forward(const torch::Tensor& raw_pose, const torch::Tensor& keys) {
  if (decoder_) return decoder_(encode(raw_pose, keys));
  const torch::Tensor pose = normalised_pose(raw_pose);
  if (readout_) {
    auto features = encoder_(pose, keys);
    return torch::matmul(readout_->weight, features) + readout_->bias.view({1, -1, 1});
  }
  if (neuropose_) return neuropose_(pose, keys);
  const auto& ref = keys.defined() ? keys : pose;
  return mean_emg_.view({1, -1, 1}).expand({ref.size(0), config_.emg_channels, config_.window_samples}).clone();
}

}  // namespace pianokpm
