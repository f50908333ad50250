#pragma once
// Estimator: one model or an ensemble of them, loaded from its file onto a device, with where it
// came from, run on whole performances. Every front end (predict, eval, batch, live, export, the
// Python module) loads and runs models through it, so that they read the same files the same way.
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "data/performance.h"
#include "model/checkpoint.h"
#include "model/state_dict.h"
#include "predict/ensemble.h"
#include "predict/predictor.h"
#include "predict/window_familiarity.h"

namespace pianokpm {

struct EstimatorOptions {
  torch::Device device = torch::kCPU;  // where the model (every member) runs; parsed by the caller
  // For an official state dict (.pth): the config, or the JSON file to read it from. Neither: NAME.json
  // beside NAME.pth when there is one (as `export` writes it), else the released configuration.
  std::optional<ModelConfig> config;
  std::string config_path;
  std::string config_option = "--config";  // names the config in messages ("config" in Python)
  std::string model_option = "--model";    // names the model file in messages
};

struct EstimateOptions {
  int64_t batch_windows = PredictOptions().batch_windows;  // windows decoded together (bounds memory)
  double interval = 0;  // > 0: bounds at this coverage level (a calibrated ensemble; see require_interval)
  // (windows done, windows total), summed over an ensemble's members.
  std::function<void(int64_t, int64_t)> on_progress;
};

// Each [N, emg_channels] float32 on the CPU, N rows at the EMG rate (predict/predictor.h).
struct Estimate {
  torch::Tensor emg;     // the model's estimate, or the ensemble members' mean
  torch::Tensor spread;  // an ensemble's members' standard deviation; undefined for one model
  Interval interval;     // defined when EstimateOptions::interval > 0
  int64_t windows = 0;   // windows each member predicted
};

class Estimator {
 public:
  // `path`: an ensemble file (.json, predict/ensemble.h), our checkpoint (.pt) or an official state
  // dict (.pth, read with the config of `options`). Every model is moved to options.device. Errors
  // are InputError naming the file, or options.config_option for a config given with an ensemble.
  static Estimator load(const std::string& path, const EstimatorOptions& options = {});

  const ModelConfig& config() const;  // an ensemble's: its first member's (members agree on the layout)
  const StreamLayout& layout() const { return config().layout(); }
  torch::Device device() const { return device_; }
  const std::string& path() const { return path_; }
  const std::string& format() const { return format_; }  // "pianokpm", "pytorch-state-dict" or "ensemble"
  // The config file a state dict was read with (given, or found beside it); "" when none was.
  const std::string& config_path() const { return config_path_; }
  bool is_ensemble() const { return ensemble_.has_value(); }
  int64_t members() const;                                                        // 1 for one model
  const Ensemble* ensemble() const { return ensemble_ ? &*ensemble_ : nullptr; }  // nullptr for one model
  // The one model, for what needs a single network (live, streamed evaluation, export); for an
  // ensemble an InputError naming the file and saying `use` ("live runs one model: ...").
  const EmgModel& model(const std::string& use) const;

  // Whether the model, or any member of the ensemble, says it was trained on pianokpm's synthetic
  // corpus (ModelConfig::provenance), so that what is made with it says so.
  bool synthetic() const;

  // InputError naming `field` (the option that gave `level`) unless bounds at `level` can be given:
  // a calibrated ensemble, calibrated for that level.
  void require_interval(double level, const std::string& field) const;

  // A whole performance (streams as read for config(), data/performance.h) to EMG, on device().
  // Const and safe to call from several threads at once (batch --jobs): it changes nothing.
  // An interval without an ensemble is a std::invalid_argument (check with require_interval first).
  Estimate predict(const PerformanceStreams& streams, const EstimateOptions& options = {}) const;

  // Per 1-s window, how familiar pose [T, views * keypoints * 2] is to the model (window_familiarity
  // of config()); nullopt when the model reads no pose or carries no reference of its training inputs.
  std::optional<WindowFamiliarity> familiarity(const torch::Tensor& pose, const FamiliarityOptions& options = {}) const;
  bool gives_familiarity() const;  // whether familiarity() gives scores for pose
  // What the model (an ensemble: its first member; members share an architecture) gives where the input is unfamiliar instead of
  // its network's output (EmgModelImpl::unfamiliar_fallback); empty: nothing else.
  std::string unfamiliar_fallback() const;

  // Writes the model as the release's state dict at `out` (.pth or .pt) with its config beside it
  // (export_release_model). InputError naming `out` for another extension, or path() for an
  // ensemble or a model the release cannot read (release_export_refusal).
  ReleaseExport export_release(const std::string& out) const;

 private:
  Estimator() = default;

  std::string path_, format_, config_path_, model_option_;
  torch::Device device_ = torch::kCPU;
  LoadedModel model_;                 // one model
  std::optional<Ensemble> ensemble_;  // or an ensemble
};

}  // namespace pianokpm
