#pragma once
// Several models of one layout predicting together, with an interval around the estimate.
//
// The estimate is the members' mean. For a coverage level L and muscle m the bounds are
//   mean +- scale_m(L) * (spread + floor_m),   spread = the members' standard deviation,
// where scale_m(L) is the L-quantile of |measured - mean| / (spread + floor_m) over held-out
// calibration recordings (split-conformal calibration, normalised by the members' disagreement)
// and floor_m is the median spread there, so that agreeing members do not give empty intervals.
// Bounds are clipped to 0..1, the range of normalised envelopes. The coverage holds on average
// over recordings like the calibration ones; on other people or tasks it must be measured.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "data/windowing.h"
#include "model/checkpoint.h"
#include "predict/predictor.h"

namespace pianokpm {

struct EnsembleCalibration {
  std::vector<double> floor;               // [muscles]
  std::vector<double> levels;              // calibrated coverage levels, ascending (0.50 .. 0.99)
  std::vector<std::vector<double>> scale;  // [levels][muscles]
  nlohmann::json source;                   // where it was calibrated: data, split, set, samples

  // scale_m at `level`, linear between calibrated levels; throws std::invalid_argument outside them.
  std::vector<double> scale_at(double level) const;
  // Throws InputError naming `field` (the option that gave `level`) unless scale_at(level) works.
  void require_level(double level, const std::string& field) const;
};

struct Ensemble {
  std::vector<std::string> member_paths;  // as loaded (absolute or relative to the working folder)
  std::vector<LoadedModel> members;
  EnsembleCalibration calibration;  // empty levels: not calibrated (no intervals)
  const ModelConfig& config() const { return members.front().net->config(); }
};

// Whether `path` names an ensemble file (.json) rather than one model.
bool is_ensemble_file(const std::string& path);

// Loads the models as an uncalibrated ensemble, checking that they read the same streams in the
// same layout and keypoint units (pose_frame, pose_scale, pose_mean, pose_std). A member NAME.pth
// is read with NAME.json beside it when there is one (model/model_config_file.h). Errors are
// InputError naming the member, or `source` for a mismatch.
Ensemble load_members(const std::vector<std::string>& paths, const std::string& source);

// Loads every member (paths in the file are relative to it) and checks that they read the same
// streams in the same layout. Errors are InputError naming the file.
Ensemble load_ensemble(const std::string& path);

// Writes the ensemble file atomically: members relative to the file's folder, and the calibration.
void save_ensemble(const std::string& path, const std::vector<std::string>& member_paths, const EnsembleCalibration& calibration);

struct EnsemblePrediction {
  torch::Tensor mean;    // [N, emg] float32
  torch::Tensor spread;  // [N, emg] float32, the members' standard deviation (0 for one member)
};

// Every member on the same windows; costs one member's prediction per member. options.on_progress
// sees (windows done, windows total) summed over the members.
EnsemblePrediction predict_ensemble(const Ensemble& ensemble, const PerformanceWindows& windows, const PredictOptions& options);

struct Interval {
  torch::Tensor lower, upper;  // [N, emg] float32 in 0..1
};
Interval prediction_interval(const EnsemblePrediction& prediction, const EnsembleCalibration& calibration, double level);

// Calibration from ensemble predictions of held-out recordings and their measured envelopes
// (each [N_i, emg]; rows beyond the shorter of the two are ignored).
EnsembleCalibration calibrate_ensemble(const std::vector<EnsemblePrediction>& predictions,
                                       const std::vector<torch::Tensor>& measured);

// Share of samples inside [lower, upper], per muscle.
std::vector<double> interval_coverage(const Interval& interval, const torch::Tensor& measured);

}  // namespace pianokpm
