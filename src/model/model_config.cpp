#include "model/model_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace pianokpm {

namespace {
constexpr std::pair<Architecture, const char*> kArchitectureNames[] = {
    {Architecture::kPianoKpm, "pianokpm"},     {Architecture::kLinearReadout, "linear_readout"},
    {Architecture::kNeuroPose, "neuropose"},   {Architecture::kMean, "mean"},
    {Architecture::kCodeTalker, "codetalker"}, {Architecture::kPoseTcn, "pose_tcn"},
};
}  // namespace

const std::vector<std::string>& architectures() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& [a, name] : kArchitectureNames) v.emplace_back(name);
    return v;
  }();
  return names;
}

Architecture parse_architecture(const std::string& text) {
  for (const auto& [a, name] : kArchitectureNames)
    if (text == name) return a;
  throw std::invalid_argument(fmt::format("architecture must be one of {}, not '{}'", fmt::join(architectures(), ", "), text));
}

std::string to_string(Architecture architecture) {
  for (const auto& [a, name] : kArchitectureNames)
    if (a == architecture) return name;
  return "?";
}

PoseFrame parse_pose_frame(const std::string& text) {
  if (text == "image") return PoseFrame::kImage;
  if (text == "hand") return PoseFrame::kHand;
  throw std::invalid_argument("pose_frame must be image or hand, not '" + text + "'");
}

std::string to_string(PoseFrame frame) { return frame == PoseFrame::kHand ? "hand" : "image"; }

void CodeTalkerConfig::check() const {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("model config: codetalker." + what);
  };
  require(codebook_size >= 2, "codebook_size must be >= 2");
  require(code_dim >= 1 && vae_channels >= 1 && feedforward >= 1, "code_dim, vae_channels and feedforward must be >= 1");
  require(downsample_log2 >= 1 && downsample_log2 <= 8, "downsample_log2 must be 1..8");
  require(model_dim >= 1 && heads >= 1 && model_dim % heads == 0, "model_dim must be a positive multiple of heads");
  require(layers >= 1, "layers must be >= 1");
  require(commitment >= 0, "commitment must be >= 0");
  require(vq_stage_share > 0 && vq_stage_share < 1, "vq_stage_share must be between 0 and 1");
}

nlohmann::json CodeTalkerConfig::to_json() const {
  return {{"codebook_size", codebook_size},
          {"code_dim", code_dim},
          {"downsample_log2", downsample_log2},
          {"vae_channels", vae_channels},
          {"model_dim", model_dim},
          {"heads", heads},
          {"layers", layers},
          {"feedforward", feedforward},
          {"commitment", commitment},
          {"vq_stage_share", vq_stage_share}};
}

CodeTalkerConfig CodeTalkerConfig::from_json(const nlohmann::json& j) {
  CodeTalkerConfig c;
  const nlohmann::json defaults = c.to_json();
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!defaults.contains(it.key())) throw std::invalid_argument("model config: unknown field 'codetalker." + it.key() + "'");
  }
  auto get = [&](const char* key, auto& field) {
    if (j.contains(key)) field = j.at(key).get<std::decay_t<decltype(field)>>();
  };
  get("codebook_size", c.codebook_size);
  get("code_dim", c.code_dim);
  get("downsample_log2", c.downsample_log2);
  get("vae_channels", c.vae_channels);
  get("model_dim", c.model_dim);
  get("heads", c.heads);
  get("layers", c.layers);
  get("feedforward", c.feedforward);
  get("commitment", c.commitment);
  get("vq_stage_share", c.vq_stage_share);
  return c;
}

StreamLayout ModelConfig::layout() const {
  StreamLayout l;
  l.modality = modality;
  l.num_views = num_views;
  l.num_keypoints = num_keypoints;
  l.num_keys = num_keys;
  l.emg_channels = emg_channels;
  l.pose_frames = pose_frames;
  l.window_samples = window_samples;
  l.window_seconds = 1.0;  // as released: pose_frames at 60 fps and window_samples at 1024 Hz
  return l;
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
  require(pose_scale.size() == 2 && pose_scale[0] > 0 && pose_scale[1] > 0, "pose_scale must be two positive numbers [x, y]");
  require(pose_mean.size() == pose_std.size() && (pose_mean.empty() || pose_mean.size() == static_cast<size_t>(pose_channels())),
          fmt::format("pose_mean and pose_std must both be empty or both have {} values", pose_channels()));
  require(std::all_of(pose_std.begin(), pose_std.end(), [](double s) { return s > 0; }), "pose_std values must be positive");
  if (pose_frame == PoseFrame::kHand) {
    require(num_keypoints == 21, "pose_frame hand needs the 21 MediaPipe keypoints");
    require(pose_scale == std::vector<double>{1.0, 1.0},
            "pose_frame hand divides the hand's size out: pose_scale must be [1, 1]");
  }
  if (!familiarity.empty()) familiarity.check(2 * pose_channels());
  if (architecture == Architecture::kCodeTalker) {
    codetalker.check();
    require(window_samples % (1 << codetalker.downsample_log2) == 0,
            "window_samples must be a multiple of 2^codetalker.downsample_log2");
  }
}

nlohmann::json ModelConfig::to_json() const {
  nlohmann::json stages_json = nlohmann::json::array();
  for (const auto& s : stages) {
    nlohmann::json sj = {{"conv_kernel", s.conv_kernel}, {"tds_kernel", s.tds_kernel}, {"num_blocks", s.num_blocks}};
    sj["out_features"] = s.out_features ? nlohmann::json(*s.out_features) : nlohmann::json(nullptr);
    stages_json.push_back(sj);
  }
  nlohmann::json j = {{"architecture", to_string(architecture)},
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
  // Only CodeTalker's configs carry its block: the other models' configs stay as they were.
  if (architecture == Architecture::kCodeTalker) j["codetalker"] = codetalker.to_json();
  // Written only when set, so configs of models from before them stay as they were.
  if (pose_frame != PoseFrame::kImage) j["pose_frame"] = to_string(pose_frame);
  if (!familiarity.empty()) j["familiarity"] = familiarity.to_json();
  if (trained_on_synthetic_data) j["trained_on_synthetic_data"] = true;
  return j;
}

ModelConfig ModelConfig::from_json(const nlohmann::json& j) {
  ModelConfig c;
  nlohmann::json defaults = c.to_json();
  defaults["codetalker"] = c.codetalker.to_json();
  defaults["pose_frame"] = to_string(c.pose_frame);
  defaults["familiarity"] = nullptr;
  defaults["trained_on_synthetic_data"] = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!defaults.contains(it.key())) throw std::invalid_argument("model config: unknown field '" + it.key() + "'");
  }
  try {
    if (j.contains("architecture")) c.architecture = parse_architecture(j.at("architecture").get<std::string>());
    if (j.contains("codetalker")) c.codetalker = CodeTalkerConfig::from_json(j.at("codetalker"));
    if (j.contains("modality")) c.modality = parse_modality(j.at("modality").get<std::string>());
    if (j.contains("pose_frame")) c.pose_frame = parse_pose_frame(j.at("pose_frame").get<std::string>());
    // A reference without neighbours is the single-Gaussian form of development builds before the
    // first release with references: it is dropped, and `pianokpm familiarity` fits a current one.
    if (j.contains("familiarity") && j.at("familiarity").contains("neighbours"))
      c.familiarity = FamiliarityReference::from_json(j.at("familiarity"));
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
    get("trained_on_synthetic_data", c.trained_on_synthetic_data);
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
