#include "model/model_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "model/model_options.h"
#include "model/model_registry.h"

namespace pianokpm {

namespace {

// Every config written before models had options of their own carried the encoder's and decoder's
// fields, whatever its architecture; they are dropped for an architecture that does not read them.
const std::set<std::string> kFieldsEveryOldConfigHad = {
    "hidden_channels", "front_kernels",  "tds_channels",         "tds_width",       "stages",
    "layer_norm_eps",  "decoder_hidden", "decoder_output_scale", "leaky_relu_slope"};

// The fields ModelConfig itself reads; the rest of a config's JSON is the architecture's options.
const std::set<std::string> kSharedFields = {"architecture", "modality",    "num_views",      "num_keypoints",
                                             "num_keys",     "pose_frames", "window_samples", "window_seconds",
                                             "emg_channels", "pose_frame",  "pose_scale",     "pose_mean",
                                             "pose_std",     "familiarity", "provenance",     "trained_on_synthetic_data"};

}  // namespace

PoseFrame parse_pose_frame(const std::string& text) {
  if (text == "image") return PoseFrame::kImage;
  if (text == "hand") return PoseFrame::kHand;
  if (text == "palm") return PoseFrame::kPalm;
  throw std::invalid_argument("pose_frame must be image, hand or palm, not '" + text + "'");
}

std::string to_string(PoseFrame frame) {
  switch (frame) {
    case PoseFrame::kHand: return "hand";
    case PoseFrame::kPalm: return "palm";
    case PoseFrame::kImage: break;
  }
  return "image";
}

nlohmann::json Provenance::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  if (synthetic_data) j["synthetic_data"] = true;
  if (!corpus.empty()) j["corpus"] = corpus;
  if (!command.empty()) j["command"] = command;
  return j;
}

Provenance Provenance::from_json(const nlohmann::json& j) {
  refuse_unknown_fields(j, {{"synthetic_data", false}, {"corpus", ""}, {"command", ""}}, "provenance.");
  Provenance p;
  read_field(j, "synthetic_data", p.synthetic_data);
  read_field(j, "corpus", p.corpus);
  read_field(j, "command", p.command);
  return p;
}

void ModelConfig::check() const {
  StreamLayout::check();
  require_option(pose.scale.size() == 2 && pose.scale[0] > 0 && pose.scale[1] > 0,
                 "pose_scale must be two positive numbers [x, y]");
  require_option(
      pose.mean.size() == pose.std.size() && (pose.mean.empty() || pose.mean.size() == static_cast<size_t>(pose_channels())),
      fmt::format("pose_mean and pose_std must both be empty or both have {} values", pose_channels()));
  require_option(std::all_of(pose.std.begin(), pose.std.end(), [](double s) { return s > 0; }),
                 "pose_std values must be positive");
  if (pose.frame != PoseFrame::kImage) {
    const std::string frame = to_string(pose.frame);
    require_option(num_keypoints == kReleaseLayout.num_keypoints,
                   fmt::format("pose_frame {} needs the {} MediaPipe keypoints", frame, kReleaseLayout.num_keypoints));
    require_option(pose.scale == std::vector<double>{1.0, 1.0},
                   fmt::format("pose_frame {} divides the hand's size out: pose_scale must be [1, 1]", frame));
  }
  if (!familiarity.empty()) familiarity.check(2 * pose_channels());
  model_kind(architecture).complete_options(options, layout());
}

ModelConfig ModelConfig::with_architecture(const std::string& name) const {
  ModelConfig c = *this;
  c.architecture = name;
  const nlohmann::json known = model_kind(name).complete_options(nlohmann::json::object(), layout());
  c.options = nlohmann::json::object();
  for (auto it = options.begin(); it != options.end(); ++it)
    if (known.contains(it.key())) c.options[it.key()] = it.value();
  return c;
}

bool ModelConfig::same_model_as(const ModelConfig& other) const {
  nlohmann::json a = to_json(), b = other.to_json();
  a.erase("provenance");
  b.erase("provenance");
  return a == b;
}

nlohmann::json ModelConfig::to_json() const {
  // Flat, as configs have always been: the shared fields, then the architecture's options.
  nlohmann::json j = model_kind(architecture).complete_options(options, layout());
  j["architecture"] = architecture;
  j["modality"] = to_string(modality);
  j["num_views"] = num_views;
  j["num_keypoints"] = num_keypoints;
  j["num_keys"] = num_keys;
  j["pose_frames"] = pose_frames();
  j["window_samples"] = window_samples();
  j["emg_channels"] = emg_channels;
  j["pose_scale"] = pose.scale;
  j["pose_mean"] = pose.mean;
  j["pose_std"] = pose.std;
  // Written only when set, so configs of models from before them stay as they were.
  if (window_seconds != kReleaseLayout.window_seconds) j["window_seconds"] = window_seconds;
  if (pose.frame != PoseFrame::kImage) j["pose_frame"] = to_string(pose.frame);
  if (!familiarity.empty()) j["familiarity"] = familiarity.to_json();
  if (!provenance.empty()) j["provenance"] = provenance.to_json();
  return j;
}

ModelConfig ModelConfig::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("model config: must be a JSON object");
  ModelConfig c;
  try {
    read_field(j, "architecture", c.architecture);
    const ModelKind& kind = model_kind(c.architecture);
    if (j.contains("modality")) c.modality = parse_modality(j.at("modality").get<std::string>());
    read_field(j, "num_views", c.num_views);
    read_field(j, "num_keypoints", c.num_keypoints);
    read_field(j, "num_keys", c.num_keys);
    read_field(j, "emg_channels", c.emg_channels);
    read_field(j, "window_seconds", c.window_seconds);
    // Counts per window in the file, rates in memory.
    int pose_frames = c.pose_frames(), window_samples = c.window_samples();
    read_field(j, "pose_frames", pose_frames);
    read_field(j, "window_samples", window_samples);
    c.pose_rate_hz = pose_frames / c.window_seconds;
    c.emg_rate_hz = window_samples / c.window_seconds;
    if (j.contains("pose_frame")) c.pose.frame = parse_pose_frame(j.at("pose_frame").get<std::string>());
    read_field(j, "pose_scale", c.pose.scale);
    read_field(j, "pose_mean", c.pose.mean);
    read_field(j, "pose_std", c.pose.std);
    // A reference without neighbours is the single-Gaussian form of development builds before the
    // first release with references: it is dropped, and `pianokpm familiarity` fits a current one.
    if (j.contains("familiarity") && j.at("familiarity").contains("neighbours"))
      c.familiarity = FamiliarityReference::from_json(j.at("familiarity"));
    if (j.contains("provenance")) c.provenance = Provenance::from_json(j.at("provenance"));
    // The flag configs carried before provenance.
    if (j.value("trained_on_synthetic_data", false)) c.provenance.synthetic_data = true;

    const nlohmann::json defaults = kind.complete_options(nlohmann::json::object(), c.layout());
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (kSharedFields.count(it.key())) continue;
      if (!defaults.contains(it.key()) && kFieldsEveryOldConfigHad.count(it.key())) continue;
      c.options[it.key()] = it.value();
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("model config: ") + e.what());
  }
  c.check();
  c.options = model_kind(c.architecture).complete_options(c.options, c.layout());
  return c;
}

}  // namespace pianokpm
