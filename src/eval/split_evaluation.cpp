#include "eval/split_evaluation.h"

#include <algorithm>
#include <cmath>

#include "eval/metrics.h"

namespace pianokpm {

PerformancePredictor estimator_predictor(const Estimator& estimator, double level) {
  return [&estimator, level](const CorpusPerformance& p) {
    EstimateOptions options;
    options.interval = level;
    Estimate e = estimator.predict(p.streams, options);
    PerformancePrediction out;
    out.emg = e.emg;
    out.interval = e.interval;
    return out;
  };
}

namespace {

nlohmann::json finite_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

PerformanceResult score(const CorpusPerformance& perf, PerformancePrediction p, const EvalOptions& options) {
  const int64_t n = std::min(p.emg.size(0), perf.emg.size(0));
  PerformanceResult r;
  r.name = perf.name;
  r.estimated = p.emg.narrow(0, 0, n).contiguous();
  r.measured = perf.emg.narrow(0, 0, n);
  OnsetOptions onset_options;
  onset_options.rate_hz = options.emg_rate_hz;
  const auto onset = onset_timing_error(r.estimated, r.measured, onset_options);
  nlohmann::json pearson = nlohmann::json::array();
  for (double v : pearson_per_channel(r.estimated, r.measured)) pearson.push_back(finite_or_null(v));
  r.metrics = {{"name", perf.name},
               {"rmse", rmse(r.estimated, r.measured)},
               {"pearson", pearson},
               {"onset_error_ms", finite_or_null(onset.mean_abs_error_ms)},
               {"onsets_matched", onset.matched},
               {"onsets_measured", onset.measured},
               {"samples", n}};
  r.metrics["otd"] = options.otd ? nlohmann::json(optimal_transport_distance(r.estimated, r.measured)) : nlohmann::json(nullptr);
  if (p.interval.lower.defined()) {
    r.interval = {p.interval.lower.narrow(0, 0, n), p.interval.upper.narrow(0, 0, n)};
    r.metrics["coverage"] = interval_coverage(r.interval, r.measured);
    r.metrics["interval_width"] = (r.interval.upper - r.interval.lower).mean().item<double>();
  }
  if (p.offline.defined()) {
    const int64_t m = std::min(n, p.offline.size(0));
    r.metrics["rmse_to_offline"] = rmse(r.estimated.narrow(0, 0, m), p.offline.narrow(0, 0, m));
    r.metrics["rmse_offline"] = rmse(p.offline.narrow(0, 0, m), r.measured.narrow(0, 0, m));
  }
  return r;
}

// Per muscle, the share of all samples inside the interval (rows weighted by their samples),
// and the mean interval width.
nlohmann::json pooled_coverage(const std::vector<nlohmann::json>& rows) {
  std::vector<double> inside(muscle_names().size(), 0.0);
  double samples = 0, width = 0;
  for (const auto& r : rows) {
    const auto n = r.at("samples").get<double>();
    for (size_t m = 0; m < inside.size(); ++m) inside[m] += n * r.at("coverage").at(m).get<double>();
    width += n * r.at("interval_width").get<double>();
    samples += n;
  }
  nlohmann::json per_muscle = nlohmann::json::object();
  double all = 0;
  for (size_t m = 0; m < inside.size(); ++m) {
    per_muscle[muscle_names()[m]] = inside[m] / samples;
    all += inside[m] / samples / static_cast<double>(inside.size());
  }
  return {{"coverage", per_muscle}, {"coverage_all", all}, {"interval_width", width / samples}};
}

}  // namespace

nlohmann::json mean_metrics(const std::vector<nlohmann::json>& rows) {
  nlohmann::json mean = nlohmann::json::object();
  for (const char* key : {"rmse", "otd", "onset_error_ms", "rmse_offline", "rmse_to_offline"}) {
    double sum = 0;
    int n = 0;
    for (const auto& r : rows) {
      if (r.contains(key) && r.at(key).is_number() && std::isfinite(r.at(key).get<double>())) {
        sum += r.at(key).get<double>();
        ++n;
      }
    }
    const bool reported = std::any_of(rows.begin(), rows.end(), [&](const nlohmann::json& r) { return r.contains(key); });
    if (reported) mean[key] = n ? nlohmann::json(sum / n) : nlohmann::json(nullptr);
  }
  const size_t muscles = muscle_names().size();
  nlohmann::json pearson = nlohmann::json::object();
  for (size_t c = 0; c < muscles; ++c) {
    double sum = 0;
    int n = 0;
    for (const auto& r : rows) {
      const auto& v = r.at("pearson").at(c);
      if (v.is_number()) sum += v.get<double>(), ++n;
    }
    pearson[muscle_names()[c]] = n ? nlohmann::json(sum / n) : nlohmann::json(nullptr);
  }
  mean["pearson"] = pearson;
  if (!rows.empty() && std::all_of(rows.begin(), rows.end(), [](const nlohmann::json& r) { return r.contains("coverage"); }))
    mean.update(pooled_coverage(rows));
  return mean;
}

nlohmann::json SplitEvaluation::rows() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : performances) out.push_back(p.metrics);
  return out;
}

SplitEvaluation evaluate_performances(const std::vector<CorpusPerformance>& performances, const PerformancePredictor& predict,
                                      const EvalOptions& options,
                                      const std::function<void(const PerformanceResult&)>& on_scored) {
  options.check();
  SplitEvaluation e;
  std::vector<nlohmann::json> rows;
  for (const auto& perf : performances) {
    e.performances.push_back(score(perf, predict(perf), options));
    rows.push_back(e.performances.back().metrics);
    if (on_scored) on_scored(e.performances.back());
  }
  e.mean = mean_metrics(rows);
  return e;
}

}  // namespace pianokpm
