#include "data/performance_import.h"

#include "data/c3d_pose.h"
#include "io/file_names.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "data/performance.h"
#include "io/array_file.h"
#include "io/atomic_file.h"
#include "core/input_error.h"
#include "core/stream_layout.h"
#include "signal/emg_pipeline.h"

namespace pianokpm {

namespace {

const char* const kViewFolders[] = {release_folders::kPoseTop, release_folders::kPoseRight};

torch::Tensor load_emg(const PerformanceSources& s, const StreamLayout& layout) {
  if (!s.emg_raw.empty() && !s.emg_envelope.empty()) {
    throw InputError(s.emg_envelope, "give raw EMG or an envelope, not both");
  }
  torch::Tensor emg;
  std::string source;
  if (!s.emg_raw.empty()) {
    source = s.emg_raw;
    EmgEnvelopeOptions envelope = s.envelope;
    envelope.output_rate_hz = layout.emg_rate_hz;
    emg = process_emg(read_signals(s.emg_raw, s.emg_read), envelope, s.normalisation).envelope;
  } else if (!s.emg_envelope.empty()) {
    source = s.emg_envelope;
    emg = read_array(s.emg_envelope).to(torch::kFloat);
    if (emg.numel() && !torch::isfinite(emg).all().item<bool>()) throw InputError(source, "EMG contains NaN or Inf");
  } else {
    return {};
  }
  if (emg.dim() != 2 || emg.size(1) != layout.emg_channels) {
    throw InputError(source,
                     fmt::format("EMG has {} channels; the release layout needs {} ({}): choose them with --channels",
                                 emg.dim() == 2 ? emg.size(1) : -1, layout.emg_channels, fmt::join(muscle_names(), ", ")));
  }
  return emg.contiguous();
}

}  // namespace

ImportedPerformance import_performance(const PerformanceSources& s, const StreamLayout& layout, const std::string& out_dir,
                                       const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) throw InputError("--name", "must be a plain file name");
  if (s.pose_views.size() > 2) throw InputError("--pose-right", "at most two views (top, right)");
  std::vector<torch::Tensor> views;
  for (const auto& p : s.pose_views) {
    const int view = static_cast<int>(views.size());
    views.push_back(lowercase_extension(p) == ".c3d" ? read_c3d_pose(p, view, s.c3d_markers, layout)
                                                     : read_pose_array(p, layout));
  }
  const torch::Tensor emg = load_emg(s, layout);

  const int64_t window = layout.window_samples(), frames = layout.pose_frames();
  double duration_s = 0;
  if (emg.defined()) {
    duration_s = static_cast<double>(emg.size(0)) / layout.emg_rate_hz;
  } else if (!views.empty()) {
    duration_s = static_cast<double>(views[0].size(0)) / layout.pose_rate_hz;
  }
  torch::Tensor keys;
  if (!s.keys.empty()) keys = load_keys(s.keys, layout, duration_s, s.keys_from_midi);
  if (!keys.defined() && !emg.defined() && views.empty()) throw InputError("convert", "nothing to convert");

  int64_t samples = keys.defined() ? keys.size(0) : (emg.defined() ? emg.size(0) : 0);
  if (keys.defined() && emg.defined()) {
    if (std::llabs(keys.size(0) - emg.size(0)) > window) {
      throw InputError(s.keys, fmt::format("keystrokes have {} samples but the EMG has {} (more than one window apart)",
                                           keys.size(0), emg.size(0)));
    }
    samples = std::min(keys.size(0), emg.size(0));
  }
  for (size_t v = 0; v < views.size(); ++v) {
    if (samples && std::llabs(views[v].size(0) * window - samples * frames) > window * frames) {
      throw InputError(s.pose_views[v], fmt::format("pose lasts {:.2f} s but keystrokes/EMG last {:.2f} s",
                                                    static_cast<double>(views[v].size(0)) / layout.pose_rate_hz,
                                                    static_cast<double>(samples) / layout.emg_rate_hz));
    }
  }

  ImportedPerformance out;
  out.samples = samples;
  const std::filesystem::path root(out_dir);
  const std::string file = name + ".pkl";
  auto write = [&](const std::string& folder, const torch::Tensor& t) {
    std::filesystem::create_directories(root / folder);
    const std::string path = (root / folder / file).string();
    write_array(path, t);
    out.written.push_back(path);
  };
  for (size_t v = 0; v < views.size(); ++v) {
    write(kViewFolders[v], views[v]);
    out.pose_frames = views[v].size(0);
  }
  if (keys.defined()) write(release_folders::kKeys, keys.narrow(0, 0, samples));
  if (emg.defined()) write(release_folders::kEmg, emg.narrow(0, 0, samples));
  return out;
}

void add_to_split(const std::string& split_path, const std::string& set, const std::string& name) {
  nlohmann::json split = nlohmann::json::object();
  if (std::filesystem::exists(split_path)) {
    try {
      split = nlohmann::json::parse(read_file(split_path));
    } catch (const nlohmann::json::exception& e) {
      throw InputError(split_path, std::string("not valid JSON: ") + e.what());
    }
    if (!split.is_object()) throw InputError(split_path, "a split file must be a JSON object of lists");
  }
  auto& list = split[set];
  if (list.is_null()) list = nlohmann::json::array();
  if (!list.is_array()) throw InputError(split_path, "'" + set + "' is not a list");
  const std::string file = name + ".pkl";
  if (std::find(list.begin(), list.end(), file) == list.end()) list.push_back(file);
  write_file_atomically(split_path, split.dump(2) + "\n");
}

}  // namespace pianokpm
