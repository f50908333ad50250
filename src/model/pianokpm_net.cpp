#include "model/pianokpm_net.h"

#include <ATen/Parallel.h>

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

torch::Tensor ArDecoderImpl::forward(const torch::Tensor& features) {
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
  auto w_emg = in_layer->weight.narrow(1, f, config_.emg_channels).t();
  auto pre = torch::addmm(in_layer->bias, features.transpose(1, 2).reshape({b * steps, f}), w_feat.t())
                 .view({b, steps, h});
  const double slope = config_.leaky_relu_slope, scale = config_.decoder_output_scale;
  const std::vector<int64_t> norm_shape{h};
  auto w_hidden = hidden_layer->weight.t(), w_out = out_layer->weight.t();
  const double eps1 = norm1->options.eps(), eps2 = norm2->options.eps();

  // Each step's products go to the BLAS's own threads; OpenMP workers spinning beside them on the
  // same cores slow the loop down about 4x (measured on 2 cores), so the loop runs with one.
  const int omp_threads = at::get_num_threads();
  if (features.device().is_cpu()) at::set_num_threads(1);
  struct RestoreThreads {
    int n;
    ~RestoreThreads() { at::set_num_threads(n); }
  } restore{omp_threads};

  auto e = torch::zeros({b, config_.emg_channels}, features.options());
  std::vector<torch::Tensor> outputs;
  outputs.reserve(steps);
  for (int64_t t = 0; t < steps; ++t) {
    auto x = torch::addmm(pre.select(1, t), e, w_emg);
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

PianoKpmNetImpl::PianoKpmNetImpl(const ModelConfig& config) : config_(config) {
  encoder_ = register_module("network", Encoder(config));
  decoder_ = register_module("decoder", ArDecoder(config));
}

torch::Tensor PianoKpmNetImpl::forward(const torch::Tensor& pose, const torch::Tensor& keys) {
  return decoder_(encoder_(pose, keys));
}

}  // namespace pianokpm
