#include "data/corpus_dataset.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "io/array_file.h"
#include "io/atomic_file.h"
#include "core/input_error.h"

namespace pianokpm {

bool is_synthetic_corpus(const std::string& data_dir) {
  return std::filesystem::is_regular_file(std::filesystem::path(data_dir) / "corpus.json");
}

std::vector<std::string> read_split(const std::string& split_path, const std::string& set) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(split_path));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(split_path, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains(set) || !j.at(set).is_array()) {
    throw InputError(split_path, "has no list named '" + set + "'");
  }
  std::vector<std::string> names;
  for (const auto& item : j.at(set)) {
    if (!item.is_string()) throw InputError(split_path, "'" + set + "' holds something other than file names");
    std::string name = item.get<std::string>();
    if (name.size() > 4 && name.substr(name.size() - 4) == ".pkl") name.resize(name.size() - 4);
    names.push_back(name);
  }
  return names;
}

CorpusPerformance load_corpus_performance(const std::string& data_dir, const std::string& name, const StreamLayout& needs) {
  namespace fs = std::filesystem;
  const fs::path root(data_dir);
  const std::string file = name + ".pkl";
  CorpusPerformance p;
  p.name = name;
  PerformancePaths paths;
  if (uses_pose(needs.modality)) {
    paths.pose_views.push_back((root / release_folders::kPoseTop / file).string());
    if (needs.num_views >= 2) paths.pose_views.push_back((root / release_folders::kPoseRight / file).string());
  }
  if (uses_keys(needs.modality)) paths.keys = (root / release_folders::kKeys / file).string();
  p.streams = load_performance(paths, needs);
  const std::string emg_path = (root / release_folders::kEmg / file).string();
  p.emg = read_array(emg_path);
  if (p.emg.dim() != 2 || p.emg.size(1) != needs.emg_channels) {
    throw InputError(emg_path, fmt::format("EMG has {} dimensions, expected [N, {}]", p.emg.dim(), needs.emg_channels));
  }
  p.emg = p.emg.to(torch::kFloat).contiguous();
  if (!torch::isfinite(p.emg).all().item<bool>()) throw InputError(emg_path, "EMG contains NaN or Inf");
  if (p.streams.keys.defined() && p.streams.keys.size(0) != p.emg.size(0)) {
    throw InputError(emg_path, fmt::format("EMG has {} rows but the keystrokes have {} (they share one index)", p.emg.size(0),
                                           p.streams.keys.size(0)));
  }
  if (p.streams.pose.defined()) {
    const int64_t pose_len = p.streams.pose.size(0) * needs.window_samples(), emg_len = p.emg.size(0) * needs.pose_frames();
    if (std::llabs(pose_len - emg_len) > int64_t{needs.window_samples()} * needs.pose_frames()) {
      throw InputError(emg_path, "EMG and pose disagree in duration by more than one window");
    }
  }
  return p;
}

std::vector<CorpusPerformance> load_split_performances(const std::string& data_dir, const std::string& split_path,
                                                       const std::string& set, const StreamLayout& needs) {
  std::vector<CorpusPerformance> perfs;
  for (const auto& name : read_split(split_path, set)) perfs.push_back(load_corpus_performance(data_dir, name, needs));
  return perfs;
}

std::vector<CorpusPerformance> first_minutes(std::vector<CorpusPerformance> performances, double minutes,
                                             const StreamLayout& layout, const std::string& source) {
  if (minutes * 60.0 < layout.window_seconds) {
    throw InputError(source, fmt::format("{} min of training data is less than one {} s window", minutes, layout.window_seconds));
  }
  const double samples_per_second = layout.emg_rate_hz;
  auto left = static_cast<int64_t>(std::floor(minutes * 60.0 * samples_per_second));
  std::vector<CorpusPerformance> kept;
  for (auto& p : performances) {
    if (left < layout.window_samples()) break;
    if (p.emg.size(0) > left) {
      const int64_t frames = (left * layout.pose_frames() + layout.window_samples() - 1) / layout.window_samples();
      p.emg = p.emg.narrow(0, 0, left);
      if (p.streams.keys.defined()) p.streams.keys = p.streams.keys.narrow(0, 0, std::min(left, p.streams.keys.size(0)));
      if (p.streams.pose.defined()) p.streams.pose = p.streams.pose.narrow(0, 0, std::min(frames, p.streams.pose.size(0)));
    }
    left -= p.emg.size(0);
    kept.push_back(std::move(p));
  }
  return kept;
}

WindowDataset::WindowDataset(std::vector<CorpusPerformance> performances, const StreamLayout& layout, int64_t overlap)
    : performances_(std::move(performances)), layout_(layout) {
  const int64_t samples = layout.window_samples(), frames = layout.pose_frames();
  if (overlap < 0 || overlap >= samples || (overlap * frames) % samples != 0) {
    throw std::invalid_argument(
        fmt::format("window overlap must be 0..{} samples and a whole number of pose frames", samples - 1));
  }
  const int64_t stride = samples - overlap;
  for (size_t p = 0; p < performances_.size(); ++p) {
    const auto& perf = performances_[p];
    int64_t limit = perf.emg.size(0);
    if (perf.streams.pose.defined()) limit = std::min(limit, perf.streams.pose.size(0) * samples / frames);
    for (int64_t start = 0; start + samples <= limit; start += stride) index_.emplace_back(static_cast<int64_t>(p), start);
  }
}

WindowBatch WindowDataset::batch(const std::vector<int64_t>& windows) const {
  const int64_t samples = layout_.window_samples(), frames = layout_.pose_frames();
  std::vector<torch::Tensor> pose, keys, emg;
  for (int64_t w : windows) {
    const auto& [p, start] = index_.at(static_cast<size_t>(w));
    const auto& perf = performances_[static_cast<size_t>(p)];
    emg.push_back(perf.emg.narrow(0, start, samples).t());
    if (perf.streams.keys.defined()) keys.push_back(perf.streams.keys.narrow(0, start, samples).t());
    if (perf.streams.pose.defined()) pose.push_back(perf.streams.pose.narrow(0, window_start(w).second, frames).t());
  }
  WindowBatch b;
  b.emg = torch::stack(emg).contiguous();
  if (!keys.empty()) b.keys = torch::stack(keys).contiguous();
  if (!pose.empty()) b.pose = torch::stack(pose).contiguous();
  return b;
}

std::pair<int64_t, int64_t> WindowDataset::window_start(int64_t w) const {
  const auto& [p, start] = index_.at(static_cast<size_t>(w));
  return {p, start * layout_.pose_frames() / layout_.window_samples()};
}

std::vector<int64_t> WindowDataset::shuffled_order(uint64_t seed, int64_t epoch) const {
  std::vector<int64_t> order(index_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  std::mt19937_64 rng(seed * 1000003u + static_cast<uint64_t>(epoch));
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

}  // namespace pianokpm
