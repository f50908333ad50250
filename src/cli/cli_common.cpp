#include "cli/cli_common.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <memory>
#include <thread>

#include "cli/progress_bar.h"
#include "core/input_error.h"
#include "core/cpu_cores.h"
#include "core/stream_layout.h"

namespace pianokpm {

void apply_thread_count(int threads) {
  // 0: the cores this process may use, unless OMP_NUM_THREADS says otherwise (as it does for the
  // Python module), e.g. where several runs share the machine.
  const char* env = std::getenv("OMP_NUM_THREADS");
  const int from_env = env ? std::atoi(env) : 0;
  torch::set_num_threads(threads > 0 ? threads : from_env > 0 ? from_env : usable_cores());
}

namespace {
std::string& the_command_line() {
  static std::string line;
  return line;
}
}  // namespace

void set_command_line(int argc, const char* const* argv) {
  std::string line = "pianokpm";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool plain = !arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?;&|<>()") == std::string::npos;
    line += " " + (plain ? arg : "'" + arg + "'");
  }
  the_command_line() = line;
}

const std::string& command_line() { return the_command_line(); }

std::string emg_file_help() {
  return fmt::format("EMG [N,{}], .csv (as predict writes), .npy or .pkl", kReleaseLayout.emg_channels);
}

CLI::Validator seconds_or_fraction() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const size_t slash = text.find('/');
        if (slash == std::string::npos) return "";
        try {
          size_t used_a = 0, used_b = 0;
          const std::string a = text.substr(0, slash), b = text.substr(slash + 1);
          const double num = std::stod(a, &used_a), den = std::stod(b, &used_b);
          if (used_a != a.size() || used_b != b.size() || !(den > 0) || !std::isfinite(num / den))
            return "must be seconds or a fraction A/B with B > 0, not " + text;
          text = fmt::format("{:.17g}", num / den);
          return "";
        } catch (const std::exception&) {
          return "must be seconds or a fraction A/B with B > 0, not " + text;
        }
      },
      "SECONDS or A/B");
}

Estimator load_estimator(const std::string& model_path, const std::string& config_path, const torch::Device& device) {
  EstimatorOptions options;
  options.device = device;
  options.config_path = config_path;
  Estimator estimator = Estimator::load(model_path, options);
  if (config_path.empty() && !estimator.config_path().empty())
    spdlog::info("{}: reading it with the config beside it, {}", model_path, estimator.config_path());
  return estimator;
}

void report_video_tracking(PerformanceInputs& inputs) {
  // Shared by the two callbacks: made at a video's first frame, once its frame count is known.
  auto bar = std::make_shared<std::unique_ptr<ProgressBar>>();
  inputs.on_track_progress = [bar](int64_t done, int64_t total) {
    if (!*bar) *bar = std::make_unique<ProgressBar>("pose", "frames", total > 0 ? total : 0);
    (*bar)->update(done);
  };
  inputs.on_tracked = [bar, hand = inputs.hand](const TrackedVideo& video) {
    if (*bar) (*bar)->finish();
    bar->reset();
    spdlog::info("{}: {} frames, the {} hand in {}", video.path, video.source_frames, hand, video.frames_with_hand);
  };
}

#ifdef PIANOKPM_HAVE_OPENCV
pose::VideoPose extract_pose_with_progress(const std::string& video, const pose::VideoPoseOptions& options) {
  std::unique_ptr<ProgressBar> bar;  // made at the first frame, once the frame count is known
  pose::VideoPose result = pose::extract_pose(video, options, [&](int64_t done, int64_t total) {
    if (!bar) bar = std::make_unique<ProgressBar>("pose", "frames", total > 0 ? total : 0);
    bar->update(done);
  });
  if (bar) bar->finish();
  return result;
}
#endif

}  // namespace pianokpm
