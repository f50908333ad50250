#include "model/tds_encoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "model/model_options.h"

namespace pianokpm {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

nn::ModuleList make_front_path(const TdsEncoderOptions& c, int in_channels) {
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

int TdsEncoderOptions::feature_channels() const {
  int c = hidden_channels;
  for (const auto& s : stages)
    if (s.out_features) c = *s.out_features;
  return c;
}

void TdsEncoderOptions::check() const {
  require_option(tds_channels * tds_width == hidden_channels, "tds_channels * tds_width must equal hidden_channels");
  require_option(!front_kernels.empty() && !stages.empty(), "front_kernels and stages must not be empty");
  for (int k : front_kernels) require_option(k >= 1 && k % 2 == 1, fmt::format("front kernel {} must be odd", k));
  for (size_t i = 0; i + 1 < stages.size(); ++i)
    require_option(!stages[i].out_features, "only the last stage may project (out_features)");
  for (const auto& s : stages) {
    require_option(s.conv_kernel % 2 == 1 && s.tds_kernel % 2 == 1 && s.conv_kernel > 0 && s.tds_kernel > 0,
                   "stage kernels must be odd and positive");
    require_option(s.num_blocks >= 1, "stage num_blocks must be >= 1");
    require_option(!s.out_features || *s.out_features >= 1, "stage out_features must be >= 1");
  }
  require_option(layer_norm_eps > 0, "layer_norm_eps must be > 0");
}

void TdsEncoderOptions::write(nlohmann::json& j) const {
  nlohmann::json stages_json = nlohmann::json::array();
  for (const auto& s : stages) {
    stages_json.push_back({{"conv_kernel", s.conv_kernel},
                           {"tds_kernel", s.tds_kernel},
                           {"num_blocks", s.num_blocks},
                           {"out_features", s.out_features ? nlohmann::json(*s.out_features) : nlohmann::json(nullptr)}});
  }
  j["hidden_channels"] = hidden_channels;
  j["front_kernels"] = front_kernels;
  j["tds_channels"] = tds_channels;
  j["tds_width"] = tds_width;
  j["stages"] = stages_json;
  j["layer_norm_eps"] = layer_norm_eps;
}

TdsEncoderOptions TdsEncoderOptions::read(const nlohmann::json& j) {
  TdsEncoderOptions o;
  read_field(j, "hidden_channels", o.hidden_channels);
  read_field(j, "front_kernels", o.front_kernels);
  read_field(j, "tds_channels", o.tds_channels);
  read_field(j, "tds_width", o.tds_width);
  read_field(j, "layer_norm_eps", o.layer_norm_eps);
  if (j.contains("stages")) {
    o.stages.clear();
    try {
      for (const auto& sj : j.at("stages")) {
        TdsStageOptions s;
        s.conv_kernel = sj.at("conv_kernel").get<int>();
        s.tds_kernel = sj.at("tds_kernel").get<int>();
        s.num_blocks = sj.value("num_blocks", 2);
        if (sj.contains("out_features") && !sj.at("out_features").is_null()) s.out_features = sj.at("out_features").get<int>();
        o.stages.push_back(s);
      }
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument(std::string("model config: stages: ") + e.what());
    }
  }
  return o;
}

EncoderImpl::EncoderImpl(const StreamLayout& layout, const TdsEncoderOptions& options) : layout_(layout) {
  options.check();
  if (uses_pose(layout.modality)) pose_conv_ = register_module("pose_conv", make_front_path(options, layout.pose_channels()));
  if (uses_keys(layout.modality)) key_conv_ = register_module("key_conv", make_front_path(options, layout.num_keys));
  tds_stages_ = register_module("tds_stages", nn::ModuleList());
  for (int k : options.front_kernels) context_samples_ += (k - 1) / 2;
  for (const auto& s : options.stages) {
    context_samples_ += (s.conv_kernel - 1) / 2 + s.num_blocks * ((s.tds_kernel - 1) / 2);
    tds_stages_->push_back(TdsStage(options.tds_channels, options.tds_width, s.conv_kernel, s.tds_kernel, s.num_blocks,
                                    s.out_features.value_or(0), options.layer_norm_eps));
  }
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& pose, const torch::Tensor& keys) {
  return run(pose, keys, layout_.window_samples());
}

torch::Tensor EncoderImpl::forward_tail(const torch::Tensor& pose, const torch::Tensor& keys, int64_t samples) {
  const int64_t window = layout_.window_samples();
  if (samples < 1 || samples > window)
    throw std::invalid_argument(fmt::format("encoder tail of {} samples: must be 1..{}", samples, window));
  const int64_t span = std::min(window, samples + context_samples_);
  return run(pose, keys, span).narrow(2, span - samples, samples);
}

torch::Tensor EncoderImpl::run(const torch::Tensor& pose, const torch::Tensor& keys, int64_t span) {
  const int64_t window = layout_.window_samples();
  const auto last = [&](const torch::Tensor& x) { return span == window ? x : x.narrow(2, window - span, span); };
  torch::Tensor fused;
  if (pose_conv_) {
    if (!pose.defined()) throw std::invalid_argument("this model needs pose input");
    // 60 fps pose to the keystroke rate: linear, align_corners=true (as released)
    auto up = F::interpolate(
        pose, F::InterpolateFuncOptions().size(std::vector<int64_t>{window}).mode(torch::kLinear).align_corners(true));
    fused = run_path(pose_conv_, last(up));
  }
  if (key_conv_) {
    if (!keys.defined()) throw std::invalid_argument("this model needs keystroke input");
    auto k = run_path(key_conv_, last(keys));
    fused = fused.defined() ? fused + k : k;
  }
  for (const auto& stage : *tds_stages_) fused = stage->as<TdsStageImpl>()->forward(fused);
  return fused;
}

}  // namespace pianokpm
