#pragma once
// Option handling shared by the commands.
#include <optional>
#include <string>
#include <vector>

#include "model/checkpoint.h"
#include "model/model_config.h"
#include "predict/ensemble.h"
#ifdef PIANOKPM_HAVE_OPENCV
#include "pose/video_pose.h"
#endif

namespace pianokpm {

// OpenMP may see fewer cores than the machine has (it reported 1 of 2 here): 0 means all cores.
void apply_thread_count(int threads);

// The model config JSON given with --config (for official state dicts); nothing when empty.
std::optional<ModelConfig> read_model_config_option(const std::string& path);

// Throws InputError naming `path` unless it ends in one of `extensions` (".csv", ...).
void require_output_extension(const std::string& path, const std::vector<std::string>& extensions);

// The --model of predict and eval: one model (with --config for official state dicts), or an
// ensemble file (.json). A level in --interval (> 0) must be one the ensemble was calibrated for.
struct ModelOrEnsemble {
  LoadedModel model;                 // one model
  std::optional<Ensemble> ensemble;  // or an ensemble
  const ModelConfig& config() const { return ensemble ? ensemble->config() : model.net->config(); }
};
// The config to read a model file with: `config_path` when given; for NAME.pth, NAME.json beside it
// when there is one (as `export` writes it); else "" (a .pth then gets the released configuration).
std::string state_dict_config_path(const std::string& model_path, const std::string& config_path);
ModelOrEnsemble load_model_or_ensemble(const std::string& path, const std::string& config_path, double interval);

// Whether the model file (or ensemble) says it was trained on pianokpm's synthetic corpus
// (ModelConfig::provenance), so that outputs made with it say so.
bool model_is_synthetic(const std::string& model_path);

#ifdef PIANOKPM_HAVE_OPENCV
// pose::extract_pose with a progress bar (frames, rate, time left) on a terminal.
pose::VideoPose extract_pose_with_progress(const std::string& video, const pose::VideoPoseOptions& options);
#endif

}  // namespace pianokpm
