#include "predict/window_familiarity.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "data/windowing.h"
#include "io/atomic_file.h"
#include "core/input_error.h"
#include "model/pose_front_end.h"

namespace pianokpm {

std::string WindowFamiliarity::summary() const {
  const double median = windows() ? score.median().item<double>() : 0.0;
  return fmt::format("{}: {} of {} windows unfamiliar (familiarity below {}; median {:.2f})",
                     warn ? "UNFAMILIAR INPUT" : "familiar input", unfamiliar, windows(), options.unfamiliar_below, median);
}

namespace {
constexpr const char* kCsvHeader = "start_s,end_s,familiarity,unfamiliar";
}  // namespace

WindowFamiliarity judged_familiarity(const torch::Tensor& score, const FamiliarityOptions& options) {
  options.check();
  WindowFamiliarity f;
  f.options = options;
  f.score = score;
  f.unfamiliar = score.lt(options.unfamiliar_below).sum().item<int64_t>();
  f.warn = static_cast<double>(f.unfamiliar) > options.warn_share * static_cast<double>(f.windows());
  return f;
}

WindowFamiliarity parse_familiarity_csv(const std::string& text, const std::string& name, const FamiliarityOptions& options) {
  options.check();
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kCsvHeader)
    throw InputError(name, fmt::format("not a familiarity file: its first line must be '{}'", kCsvHeader));
  std::vector<double> scores;
  double end_s = 0, first_window_s = 0;
  for (int line_number = 2; std::getline(in, line); ++line_number) {
    if (line.empty()) continue;
    double start = 0, end = 0, score = 0;
    int flag = 0;
    char tail = 0;
    const bool parsed = std::sscanf(line.c_str(), "%lf,%lf,%lf,%d%c", &start, &end, &score, &flag, &tail) == 4;
    if (!parsed || !(score >= 0 && score <= 1) || !std::isfinite(start) || !std::isfinite(end) || !(end > start) ||
        (flag != 0 && flag != 1))
      throw InputError(name, fmt::format("line {}: expected start_s,end_s,familiarity (0..1),unfamiliar (0 or 1)", line_number));
    if (scores.empty()) first_window_s = end - start;
    scores.push_back(score);
    end_s = end;
  }
  if (scores.empty()) throw InputError(name, "has no windows");
  WindowFamiliarity f = judged_familiarity(torch::tensor(scores, torch::kDouble), options);
  f.duration_s = end_s;
  f.window_seconds = first_window_s;
  return f;
}

WindowFamiliarity read_familiarity_csv(const std::string& path, const FamiliarityOptions& options) {
  return parse_familiarity_csv(read_file(path), path, options);
}

std::string familiarity_path_for(const std::string& emg_path) {
  std::filesystem::path p(emg_path);
  return (p.parent_path() / (p.stem().string() + "_familiarity.csv")).string();
}

std::string familiarity_explanation(const std::string& fallback) {
  const std::string meaning =
      "familiarity is the share of the model's training windows that were at least as unusual; near 0 the "
      "keypoints look like nothing the model was trained on (another kind of camera view, a lost or frozen "
      "track, not a hand) and ";
  return meaning + unfamiliar_consequence(fallback);
}

std::string unfamiliar_consequence(const std::string& fallback) {
  return fallback.empty() ? "its estimates there are not to be trusted"
                          : "its network's estimates there are not to be trusted; " + fallback;
}

std::optional<WindowFamiliarity> window_familiarity(const ModelConfig& config, const torch::Tensor& pose,
                                                    const FamiliarityOptions& options) {
  options.check();
  if (!uses_pose(config.modality) || config.familiarity.empty() || !pose.defined()) return std::nullopt;
  const int64_t frames = config.pose_frames(), total = pose.size(0);
  const int64_t whole = total / frames, rest = total - whole * frames;
  std::vector<torch::Tensor> parts;
  if (whole > 0) {
    parts.push_back(pose_familiarity(config, whole_windows(pose, frames)));
  }
  if (rest >= 2) {
    parts.push_back(pose_familiarity(config, pose.narrow(0, whole * frames, rest).t().unsqueeze(0)));
  } else if (rest == 1 && whole > 0) {
    parts.push_back(parts.back().narrow(0, whole - 1, 1));
  }
  if (parts.empty()) return std::nullopt;  // a single frame: nothing to compare
  WindowFamiliarity f = judged_familiarity(torch::cat(parts, 0), options);
  f.window_seconds = config.layout().window_seconds;
  f.duration_s = static_cast<double>(total) / config.layout().pose_rate_hz;
  return f;
}

void write_familiarity_csv(const std::string& path, const WindowFamiliarity& f) {
  std::string text = std::string(kCsvHeader) + "\n";
  const torch::Tensor s = f.score.contiguous();
  for (int64_t i = 0; i < f.windows(); ++i) {
    const double v = s[i].item<double>();
    text += fmt::format("{:.3f},{:.3f},{:.4f},{}\n", i * f.window_seconds, std::min((i + 1) * f.window_seconds, f.duration_s), v,
                        v < f.options.unfamiliar_below ? 1 : 0);
  }
  write_file_atomically(path, text);
}

}  // namespace pianokpm
