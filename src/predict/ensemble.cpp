#include "predict/ensemble.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "io/atomic_file.h"
#include "core/input_error.h"
#include "model/model_config_file.h"

namespace pianokpm {

namespace fs = std::filesystem;

namespace {

constexpr double kLowestLevel = 0.50, kHighestLevel = 0.99, kLevelStep = 0.01;

// The streams and shapes a member reads; members must agree on all of them.
nlohmann::json layout_of(const ModelConfig& c) {
  return {{"modality", to_string(c.modality)}, {"views", c.num_views},
          {"keypoints", c.num_keypoints},      {"keys", c.num_keys},
          {"pose_frames", c.pose_frames()},    {"window_samples", c.window_samples()},
          {"emg_channels", c.emg_channels}};
}

// The units a member reads keypoints in (model/pose_front_end.h): one input file (or one tracked
// video, scaled by pixel_to_model_units) feeds every member, so they must agree on these too.
nlohmann::json keypoint_units_of(const ModelConfig& c) {
  return {{"pose_frame", to_string(c.pose.frame)},
          {"pose_scale", c.pose.scale},
          {"pose_mean", c.pose.mean},
          {"pose_std", c.pose.std}};
}

}  // namespace

std::vector<double> EnsembleCalibration::scale_at(double level) const {
  if (levels.empty()) throw std::invalid_argument("the ensemble is not calibrated: build it with `pianokpm ensemble --data`");
  if (!(level >= levels.front() - 1e-9 && level <= levels.back() + 1e-9)) {
    throw std::invalid_argument(
        fmt::format("the interval level must be {:.2f}..{:.2f}, not {}", levels.front(), levels.back(), level));
  }
  size_t i = 0;
  while (i + 2 < levels.size() && levels[i + 1] < level) ++i;
  const double w = levels.size() == 1 ? 0.0 : std::clamp((level - levels[i]) / (levels[i + 1] - levels[i]), 0.0, 1.0);
  std::vector<double> s(scale[i].size());
  for (size_t m = 0; m < s.size(); ++m) s[m] = (1 - w) * scale[i][m] + w * scale[std::min(i + 1, levels.size() - 1)][m];
  return s;
}

Ensemble load_members(const std::vector<std::string>& paths, const std::string& source) {
  Ensemble e;
  for (const auto& p : paths) {
    e.member_paths.push_back(p);
    // A member exported as a state dict is read with the config beside it, as --model would be.
    e.members.push_back(load_model(p, read_model_config(state_dict_config_path(p))));
    const ModelConfig& first = e.members.front().net->config();
    const ModelConfig& member = e.members.back().net->config();
    if (layout_of(member) != layout_of(first))
      throw InputError(source, fmt::format("member {} reads other streams than {}", p, paths.front()));
    if (keypoint_units_of(member) != keypoint_units_of(first))
      throw InputError(source, fmt::format("member {} reads keypoints in other units than {} (pose_frame, pose_scale, "
                                           "pose_mean, pose_std)",
                                           p, paths.front()));
  }
  if (e.members.empty()) throw InputError(source, "an ensemble needs models");
  return e;
}

void EnsembleCalibration::require_level(double level, const std::string& field) const {
  try {
    scale_at(level);
  } catch (const std::invalid_argument& e) {
    throw InputError(field, e.what());
  }
}

bool is_ensemble_file(const std::string& path) { return fs::path(path).extension() == ".json"; }

Ensemble load_ensemble(const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("members") || !j["members"].is_array() || j["members"].empty())
    throw InputError(path, "an ensemble file lists its models under \"members\"");
  Ensemble e;
  try {
    std::vector<std::string> paths;
    for (const auto& m : j["members"])
      paths.push_back((fs::path(path).parent_path() / m.get<std::string>()).lexically_normal().string());
    e = load_members(paths, path);
    if (j.contains("calibration")) {
      const auto& c = j["calibration"];
      e.calibration.floor = c.at("floor").get<std::vector<double>>();
      e.calibration.levels = c.at("levels").get<std::vector<double>>();
      e.calibration.scale = c.at("scale").get<std::vector<std::vector<double>>>();
      e.calibration.source = c.value("source", nlohmann::json::object());
      const size_t muscles = static_cast<size_t>(e.config().emg_channels);
      bool ok = e.calibration.floor.size() == muscles && e.calibration.scale.size() == e.calibration.levels.size() &&
                std::is_sorted(e.calibration.levels.begin(), e.calibration.levels.end());
      for (const auto& row : e.calibration.scale) ok = ok && row.size() == muscles;
      if (!ok) throw InputError(path, "calibration: floor, levels and scale do not fit the members' muscles");
    }
  } catch (const nlohmann::json::exception& ex) {
    throw InputError(path, std::string("bad ensemble file: ") + ex.what());
  }
  return e;
}

void save_ensemble(const std::string& path, const std::vector<std::string>& member_paths, const EnsembleCalibration& c) {
  const fs::path folder = fs::absolute(fs::path(path)).parent_path();
  nlohmann::json members = nlohmann::json::array();
  for (const auto& m : member_paths) members.push_back(fs::relative(fs::absolute(m), folder).string());
  nlohmann::json j = {{"members", members}};
  if (!c.levels.empty()) {
    j["calibration"] = {{"floor", c.floor},
                        {"levels", c.levels},
                        {"scale", c.scale},
                        {"source", c.source},
                        {"method", "split-conformal on |measured - mean| / (spread + floor), per muscle"}};
  }
  write_file_atomically(path, j.dump(1) + "\n");
}

EnsemblePrediction predict_ensemble(const Ensemble& ensemble, const PerformanceWindows& windows, const PredictOptions& options) {
  std::vector<torch::Tensor> outputs;
  const auto members = static_cast<int64_t>(ensemble.members.size());
  for (int64_t k = 0; k < members; ++k) {
    PredictOptions member = options;
    // Progress over the whole ensemble: member k's windows come after those of the k before it.
    if (options.on_progress) {
      member.on_progress = [&options, k, members](int64_t done, int64_t total) {
        options.on_progress(k * total + done, members * total);
      };
    }
    outputs.push_back(predict_performance(ensemble.members[static_cast<size_t>(k)].net, windows, member));
  }
  const torch::Tensor all = torch::stack(outputs);  // [K, N, emg]
  EnsemblePrediction p;
  p.mean = all.mean(0);
  p.spread = all.size(0) > 1 ? all.std(0, /*unbiased=*/false) : torch::zeros_like(p.mean);
  return p;
}

Interval prediction_interval(const EnsemblePrediction& p, const EnsembleCalibration& c, double level) {
  const std::vector<double> s = c.scale_at(level);
  const auto scale = torch::tensor(std::vector<float>(s.begin(), s.end()));
  const auto floor = torch::tensor(std::vector<float>(c.floor.begin(), c.floor.end()));
  const torch::Tensor half = scale * (p.spread + floor);
  return {(p.mean - half).clamp(0.0, 1.0), (p.mean + half).clamp(0.0, 1.0)};
}

EnsembleCalibration calibrate_ensemble(const std::vector<EnsemblePrediction>& predictions,
                                       const std::vector<torch::Tensor>& measured) {
  if (predictions.empty() || predictions.size() != measured.size())
    throw std::invalid_argument("calibration needs one measurement per prediction");
  std::vector<torch::Tensor> errors, spreads;
  for (size_t i = 0; i < predictions.size(); ++i) {
    const int64_t n = std::min(predictions[i].mean.size(0), measured[i].size(0));
    errors.push_back(
        (measured[i].narrow(0, 0, n).to(torch::kDouble) - predictions[i].mean.narrow(0, 0, n).to(torch::kDouble)).abs());
    spreads.push_back(predictions[i].spread.narrow(0, 0, n).to(torch::kDouble));
  }
  const torch::Tensor error = torch::cat(errors), spread = torch::cat(spreads);  // [S, emg]
  if (error.size(0) == 0) throw std::invalid_argument("calibration recordings are empty");
  EnsembleCalibration c;
  const torch::Tensor floor = std::get<0>(spread.median(0)).clamp_min(1e-6);
  c.floor.assign(floor.data_ptr<double>(), floor.data_ptr<double>() + floor.numel());
  const torch::Tensor sorted = std::get<0>((error / (spread + floor)).sort(0));
  const auto n = static_cast<double>(sorted.size(0));
  for (double level = kLowestLevel; level <= kHighestLevel + 1e-9; level += kLevelStep) {
    // The conformal quantile: the ceil((n + 1) L)-th smallest score.
    const auto k = std::min<int64_t>(sorted.size(0) - 1, static_cast<int64_t>(std::ceil((n + 1) * level)) - 1);
    const torch::Tensor row = sorted[k].contiguous();
    c.levels.push_back(std::round(level * 100) / 100);
    c.scale.emplace_back(row.data_ptr<double>(), row.data_ptr<double>() + row.numel());
  }
  c.source = {{"samples", error.size(0)}, {"recordings", predictions.size()}};
  return c;
}

std::vector<double> interval_coverage(const Interval& interval, const torch::Tensor& measured) {
  const int64_t n = std::min(interval.lower.size(0), measured.size(0));
  const torch::Tensor y = measured.narrow(0, 0, n);
  const torch::Tensor inside = (y >= interval.lower.narrow(0, 0, n)) & (y <= interval.upper.narrow(0, 0, n));
  const torch::Tensor share = inside.to(torch::kDouble).mean(0);
  return {share.data_ptr<double>(), share.data_ptr<double>() + share.numel()};
}

}  // namespace pianokpm
