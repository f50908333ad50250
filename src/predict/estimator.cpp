#include "predict/estimator.h"

#include <algorithm>
#include <stdexcept>

#include "data/windowing.h"
#include "core/input_error.h"
#include "io/file_names.h"
#include "model/model_config_file.h"

namespace pianokpm {

Estimator Estimator::load(const std::string& path, const EstimatorOptions& options) {
  Estimator e;
  e.path_ = path;
  e.device_ = options.device;
  e.model_option_ = options.model_option;
  if (is_ensemble_file(path)) {
    if (options.config || !options.config_path.empty())
      throw InputError(path, "an ensemble's members carry their own configs: drop " + options.config_option);
    e.ensemble_ = load_ensemble(path);
    for (auto& m : e.ensemble_->members) m.net->to(options.device);
    e.format_ = "ensemble";
    return e;
  }
  std::optional<ModelConfig> config = options.config;
  if (!config) {
    const std::string config_path = state_dict_config_path(path, options.config_path);
    config = read_model_config(config_path);  // read (and checked) even for a checkpoint, which ignores it
    e.config_path_ = config_path;
  }
  e.model_ = load_model(path, config);
  if (e.model_.format != "pytorch-state-dict") e.config_path_.clear();  // ours carry their config
  e.model_.net->to(options.device);
  e.format_ = e.model_.format;
  return e;
}

const ModelConfig& Estimator::config() const { return ensemble_ ? ensemble_->config() : model_.net->config(); }

int64_t Estimator::members() const { return ensemble_ ? static_cast<int64_t>(ensemble_->members.size()) : 1; }

const EmgModel& Estimator::model(const std::string& use) const {
  if (ensemble_) throw InputError(path_, "is an ensemble; " + use);
  return model_.net;
}

bool Estimator::synthetic() const {
  if (!ensemble_) return model_.net->config().provenance.synthetic_data;
  // Any member: an estimate averaged with a synthetic-data model is partly that model's.
  return std::any_of(ensemble_->members.begin(), ensemble_->members.end(),
                     [](const LoadedModel& m) { return m.net->config().provenance.synthetic_data; });
}

void Estimator::require_interval(double level, const std::string& field) const {
  if (!ensemble_) throw InputError(field, "needs an ensemble as " + model_option_ + " (build one with pianokpm ensemble)");
  ensemble_->calibration.require_level(level, field);
}

Estimate Estimator::predict(const PerformanceStreams& streams, const EstimateOptions& options) const {
  if (options.interval > 0 && !ensemble_) throw std::invalid_argument("an interval needs an ensemble, not one model");
  const PerformanceWindows windows(streams, config());
  PredictOptions po;
  po.device = device_;
  po.batch_windows = options.batch_windows;
  po.on_progress = options.on_progress;
  Estimate e;
  e.windows = windows.num_windows();
  if (!ensemble_) {
    e.emg = predict_performance(model_.net, windows, po);
    return e;
  }
  const EnsemblePrediction p = predict_ensemble(*ensemble_, windows, po);
  e.emg = p.mean;
  e.spread = p.spread;
  if (options.interval > 0) e.interval = prediction_interval(p, ensemble_->calibration, options.interval);
  return e;
}

std::optional<WindowFamiliarity> Estimator::familiarity(const torch::Tensor& pose, const FamiliarityOptions& options) const {
  return window_familiarity(config(), pose, options);
}

std::string Estimator::unfamiliar_fallback() const {
  return (ensemble_ ? ensemble_->members.front().net : model_.net)->unfamiliar_fallback();
}

bool Estimator::gives_familiarity() const { return uses_pose(config().modality) && !config().familiarity.empty(); }

ReleaseExport Estimator::export_release(const std::string& out) const {
  require_output_extension(out, {".pth", ".pt"});
  EmgModel net = model("export its members one by one");
  const std::string refusal = release_export_refusal(net->config());
  if (!refusal.empty()) throw InputError(path_, refusal);
  return export_release_model(net, out);
}

}  // namespace pianokpm
