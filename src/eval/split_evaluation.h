#pragma once
// Evaluation of a model on a split's set: each performance predicted whole, trimmed to the
// measured length and scored (RMSE, OTD, Pearson r per muscle, burst-onset timing, interval
// coverage), then the means over performances. Writers of tables, figures and reports
// (report/, cli/eval_command) take the result; nothing here writes files.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/stream_layout.h"
#include "data/corpus_dataset.h"
#include "predict/ensemble.h"
#include "predict/estimator.h"

namespace pianokpm {

// What a predictor returns for one performance, each [N, emg] float32 on the CPU.
struct PerformancePrediction {
  torch::Tensor emg;
  Interval interval;      // undefined unless the predictor gives bounds
  torch::Tensor offline;  // when `emg` was predicted as streamed: the whole-window prediction
};
using PerformancePredictor = std::function<PerformancePrediction(const CorpusPerformance&)>;

// The estimator's prediction of each performance (its streams as read for estimator.config()):
// one model's, or an ensemble's mean and, for level > 0, its calibrated interval at that level
// (check it with Estimator::require_interval). `estimator` must outlive the predictor.
PerformancePredictor estimator_predictor(const Estimator& estimator, double level = 0);

struct EvalOptions {
  bool otd = true;                                  // the optimal transport distance is quadratic in a performance's length
  double emg_rate_hz = kReleaseLayout.emg_rate_hz;  // rows per second of estimated and measured EMG (onset timing)
  void check() const {
    if (!(emg_rate_hz > 0) || !std::isfinite(emg_rate_hz)) throw std::invalid_argument("emg_rate_hz must be positive");
  }
};

struct PerformanceResult {
  std::string name;
  torch::Tensor estimated, measured;  // [n, emg], n = the shorter of the two
  Interval interval;                  // [n, emg] each, or undefined
  // rmse, otd (null when skipped), pearson [emg] (null for a constant channel), onset_error_ms,
  // onsets_matched, onsets_measured, samples; with an interval: coverage [emg], interval_width;
  // with an offline prediction: rmse_offline, rmse_to_offline.
  nlohmann::json metrics;
};

struct SplitEvaluation {
  std::vector<PerformanceResult> performances;
  // Means over performances of rmse, otd, onset_error_ms (and rmse_offline, rmse_to_offline
  // when present), pearson per muscle by name; with intervals, coverage per muscle pooled over
  // all samples, coverage_all and interval_width.
  nlohmann::json mean;
  nlohmann::json rows() const;  // every performance's metrics, in order
};

// Predicts and scores each performance in order; `on_scored` (optional) sees each result as it
// is made, e.g. to write its prediction and figure.
SplitEvaluation evaluate_performances(const std::vector<CorpusPerformance>& performances, const PerformancePredictor& predict,
                                      const EvalOptions& options = {},
                                      const std::function<void(const PerformanceResult&)>& on_scored = {});

// The means of SplitEvaluation::mean from per-performance metrics rows (exposed for tests).
nlohmann::json mean_metrics(const std::vector<nlohmann::json>& rows);

}  // namespace pianokpm
