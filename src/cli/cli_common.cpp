#include "cli/cli_common.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include <torch/torch.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "cli/progress_bar.h"
#include "io/atomic_file.h"
#include "io/input_error.h"
#include "model/cpu_cores.h"

namespace pianokpm {

void apply_thread_count(int threads) { torch::set_num_threads(threads > 0 ? threads : usable_cores()); }

std::optional<ModelConfig> read_model_config_option(const std::string& path) {
  if (path.empty()) return std::nullopt;
  try {
    return ModelConfig::from_json(nlohmann::json::parse(read_file(path)));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, std::string("not valid JSON: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw InputError(path, e.what());
  }
}

void require_output_extension(const std::string& path, const std::vector<std::string>& extensions) {
  std::string list;
  for (size_t i = 0; i < extensions.size(); ++i) {
    const std::string& ext = extensions[i];
    if (path.size() > ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0) return;
    list += (i == 0 ? "" : i + 1 == extensions.size() ? " or " : ", ") + ext;
  }
  throw InputError(path, "output must end in " + list);
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

std::string state_dict_config_path(const std::string& model_path, const std::string& config_path) {
  if (!config_path.empty() || std::filesystem::path(model_path).extension() != ".pth") return config_path;
  const std::string beside = std::filesystem::path(model_path).replace_extension(".json").string();
  if (!std::filesystem::is_regular_file(beside)) return "";
  spdlog::info("{}: reading it with the config beside it, {}", model_path, beside);
  return beside;
}

ModelOrEnsemble load_model_or_ensemble(const std::string& path, const std::string& config_path, double interval) {
  ModelOrEnsemble m;
  if (is_ensemble_file(path)) {
    m.ensemble = load_ensemble(path);
  } else {
    m.model = load_model(path, read_model_config_option(state_dict_config_path(path, config_path)));
  }
  if (interval > 0) {
    if (!m.ensemble) throw InputError("--interval", "needs an ensemble as --model (build one with pianokpm ensemble)");
    m.ensemble->calibration.require_level(interval, "--interval");
  }
  return m;
}

bool model_is_synthetic(const std::string& model_path) {
  return load_model_or_ensemble(model_path, "", 0).config().provenance.synthetic_data;
}

}  // namespace pianokpm
