#include "model/model_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace pianokpm {

Modality parse_modality(const std::string& text) {
  if (text == "pose+keys") return Modality::kPoseAndKeys;
  if (text == "pose") return Modality::kPoseOnly;
  if (text == "keys") return Modality::kKeysOnly;
  throw std::invalid_argument("modality must be pose+keys, pose or keys, not '" + text + "'");
}

std::string to_string(Modality modality) {
  switch (modality) {
    case Modality::kPoseAndKeys: return "pose+keys";
    case Modality::kPoseOnly: return "pose";
    case Modality::kKeysOnly: return "keys";
  }
  return "?";
}

const std::vector<std::string>& emg_channel_names() {
  static const std::vector<std::string> names = {"ADM", "PB", "1DI", "2DI", "3DI", "4DI"};
  return names;
}

const std::vector<std::string>& architectures() {
  static const std::vector<std::string> names = {"pianokpm", "linear_readout", "neuropose", "mean"};
  return names;
}

int ModelConfig::feature_channels() const {
  int c = hidden_channels;
  for (const auto& s : stages)
    if (s.out_features) c = *s.out_features;
  return c;
}

void ModelConfig::check() const {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("model config: " + what);
  };
  require(std::find(architectures().begin(), architectures().end(), architecture) != architectures().end(),
          "architecture must be pianokpm, linear_readout, neuropose or mean, not '" + architecture + "'");
  require(num_views >= 1, "num_views must be >= 1");
  require(num_keypoints >= 1 && num_keys >= 1, "num_keypoints and num_keys must be >= 1");
  require(pose_frames >= 2 && window_samples >= 2, "pose_frames and window_samples must be >= 2");
  require(tds_channels * tds_width == hidden_channels, "tds_channels * tds_width must equal hidden_channels");
  require(!front_kernels.empty() && !stages.empty(), "front_kernels and stages must not be empty");
  for (int k : front_kernels) require(k >= 1 && k % 2 == 1, fmt::format("front kernel {} must be odd", k));
  for (size_t i = 0; i + 1 < stages.size(); ++i) {
    require(!stages[i].out_features, "only the last stage may project (out_features)");
  }
  for (const auto& s : stages) {
    require(s.conv_kernel % 2 == 1 && s.tds_kernel % 2 == 1 && s.conv_kernel > 0 && s.tds_kernel > 0,
            "stage kernels must be odd and positive");
    require(s.num_blocks >= 1, "stage num_blocks must be >= 1");
    require(!s.out_features || *s.out_features >= 1, "stage out_features must be >= 1");
  }
  require(layer_norm_eps > 0, "layer_norm_eps must be > 0");
  require(decoder_hidden >= 1 && emg_channels >= 1, "decoder_hidden and emg_channels must be >= 1");
  require(pose_scale.size() == 2 && pose_scale[0] > 0 && pose_scale[1] > 0,
          "pose_scale must be two positive numbers [x, y]");
  require(pose_mean.size() == pose_std.size() &&
              (pose_mean.empty() || pose_mean.size() == static_cast<size_t>(pose_channels())),
          fmt::format("pose_mean and pose_std must both be empty or both have {} values", pose_channels()));
  require(std::all_of(pose_std.begin(), pose_std.end(), [](double s) { return s > 0; }),
          "pose_std values must be positive");
}

nlohmann::json ModelConfig::to_json() const {
  nlohmann::json stages_json = nlohmann::json::array();
  for (const auto& s : stages) {
    nlohmann::json sj = {{"conv_kernel", s.conv_kernel}, {"tds_kernel", s.tds_kernel}, {"num_blocks", s.num_blocks}};
    sj["out_features"] = s.out_features ? nlohmann::json(*s.out_features) : nlohmann::json(nullptr);
    stages_json.push_back(sj);
  }
  return {{"architecture", architecture},
          {"modality", to_string(modality)},
          {"num_views", num_views},
          {"num_keypoints", num_keypoints},
          {"num_keys", num_keys},
          {"pose_frames", pose_frames},
          {"window_samples", window_samples},
          {"hidden_channels", hidden_channels},
          {"front_kernels", front_kernels},
          {"tds_channels", tds_channels},
          {"tds_width", tds_width},
          {"stages", stages_json},
          {"layer_norm_eps", layer_norm_eps},
          {"decoder_hidden", decoder_hidden},
          {"emg_channels", emg_channels},
          {"decoder_output_scale", decoder_output_scale},
          {"leaky_relu_slope", leaky_relu_slope},
          {"pose_scale", pose_scale},
          {"pose_mean", pose_mean},
          {"pose_std", pose_std}};
}

ModelConfig ModelConfig::from_json(const nlohmann::json& j) {
  ModelConfig c;
  const nlohmann::json defaults = c.to_json();
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!defaults.contains(it.key())) throw std::invalid_argument("model config: unknown field '" + it.key() + "'");
  }
  try {
    if (j.contains("architecture")) c.architecture = j.at("architecture").get<std::string>();
    if (j.contains("modality")) c.modality = parse_modality(j.at("modality").get<std::string>());
    auto get = [&](const char* key, auto& field) {
      if (j.contains(key)) field = j.at(key).get<std::decay_t<decltype(field)>>();
    };
    get("num_views", c.num_views);
    get("num_keypoints", c.num_keypoints);
    get("num_keys", c.num_keys);
    get("pose_frames", c.pose_frames);
    get("window_samples", c.window_samples);
    get("hidden_channels", c.hidden_channels);
    get("front_kernels", c.front_kernels);
    get("tds_channels", c.tds_channels);
    get("tds_width", c.tds_width);
    get("layer_norm_eps", c.layer_norm_eps);
    get("decoder_hidden", c.decoder_hidden);
    get("emg_channels", c.emg_channels);
    get("decoder_output_scale", c.decoder_output_scale);
    get("leaky_relu_slope", c.leaky_relu_slope);
    get("pose_scale", c.pose_scale);
    get("pose_mean", c.pose_mean);
    get("pose_std", c.pose_std);
    if (j.contains("stages")) {
      c.stages.clear();
      for (const auto& sj : j.at("stages")) {
        TdsStageConfig s;
        s.conv_kernel = sj.at("conv_kernel").get<int>();
        s.tds_kernel = sj.at("tds_kernel").get<int>();
        s.num_blocks = sj.value("num_blocks", 2);
        if (sj.contains("out_features") && !sj.at("out_features").is_null()) s.out_features = sj.at("out_features").get<int>();
        c.stages.push_back(s);
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("model config: ") + e.what());
  }
  c.check();
  return c;
}

}  // namespace pianokpm
