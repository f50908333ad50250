// pianokpm eval: per-performance RMSE, OTD, Pearson r and onset timing on a split's test set,
// with metrics.json, a Markdown table, predictions and one figure per performance.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <map>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "data/corpus_dataset.h"
#include "data/windowing.h"
#include "eval/split_evaluation.h"
#include "eval/streamed_prediction.h"
#include "predict/stream_predictor.h"
#include "io/array_file.h"
#include "io/atomic_file.h"
#include "core/input_error.h"
#include "predict/estimator.h"
#include "report/html_report.h"
#include "report/metrics_table.h"
#ifdef PIANOKPM_HAVE_CAIRO
#include "report/performance_plot.h"
#endif

namespace pianokpm {

namespace {

namespace fs = std::filesystem;

struct EvalCommandOptions {
  std::string model_path, config_path, data_dir, split_path, set = "test", out_dir;
  double plot_seconds = 10;
  double stream_hop_s = 0;  // > 0: predict as `live` does, one window per hop
  bool no_otd = false;
  bool whole_windows = false;  // with stream_hop_s: every hop runs the whole window (live --whole-windows)
  double interval = 0;         // > 0: an ensemble's bounds at this level, and their coverage
  int threads = 0;
};

std::string fmt_number(const nlohmann::json& v, const char* spec = "{:.4f}") {
  return v.is_number() ? fmt::format(fmt::runtime(spec), v.get<double>()) : std::string("-");
}

// The mean of the numbers in a JSON array (nulls skipped); null when there are none.
nlohmann::json mean_of_numbers(const nlohmann::json& values) {
  double sum = 0;
  int n = 0;
  for (const auto& v : values)
    if (v.is_number()) sum += v.get<double>(), ++n;
  return n ? nlohmann::json(sum / n) : nlohmann::json();
}

int run_eval(const EvalCommandOptions& o) {
  apply_thread_count(o.threads);
  const Estimator est = load_estimator(o.model_path, o.config_path);
  if (o.interval > 0) est.require_interval(o.interval, "--interval");
  if (est.is_ensemble() && o.stream_hop_s > 0) throw InputError("--stream-hop", "is for one model, not an ensemble");
  const ModelConfig& c = est.config();
  // Load everything first: a bad file stops the run before any output is written.
  const std::vector<CorpusPerformance> perfs = load_split_performances(o.data_dir, o.split_path, o.set, c);
  if (perfs.empty()) throw InputError(o.split_path, "the set '" + o.set + "' is empty");

  // --stream-hop: predicted as `live` would, scored beside the offline prediction.
  const PerformancePredictor predict =
      o.stream_hop_s > 0 ? streamed_predictor(est, o.stream_hop_s, !o.whole_windows) : estimator_predictor(est, o.interval);

  fs::create_directories(fs::path(o.out_dir) / "predictions");
  fs::create_directories(fs::path(o.out_dir) / "plots");
  ReportContent report;
  report.title =
      fmt::format("Estimated and measured muscle activity: {} set of {}", o.set, fs::path(o.split_path).filename().string());
  report.provenance = fmt::format("Model {} ({}, reading {}) on the '{}' performances of {} (data {}).", o.model_path,
                                  c.architecture, to_string(c.modality), o.set, o.split_path, o.data_dir);
  report.synthetic_model = est.synthetic();
  if (o.interval > 0) {
    report.provenance += fmt::format(
        " The estimate is the mean of an ensemble of {} models; the shaded band around it is their {:.0f}% interval, "
        "calibrated on held-out recordings to hold that share of the measured samples (metrics.json gives the share "
        "found here, per muscle).",
        est.members(), 100 * o.interval);
  }
  report.rate_hz = c.emg_rate_hz;
  ProgressBar bar("eval", "performances", static_cast<int64_t>(perfs.size()));
  std::map<std::string, const CorpusPerformance*> by_name;
  for (const auto& p : perfs) by_name[p.name] = &p;
  // Each performance's prediction, figure and report entry are written as soon as it is scored.
  auto write_outputs = [&](const PerformanceResult& r) {
    const CorpusPerformance& perf = *by_name.at(r.name);
    const int64_t n = r.estimated.size(0);
    ReportPerformance rp;
    rp.name = r.name;
    rp.estimated = r.estimated;
    rp.measured = r.measured;
    rp.lower = r.interval.lower;
    rp.upper = r.interval.upper;
    if (perf.streams.keys.defined()) rp.keys = perf.streams.keys.narrow(0, 0, std::min(n, perf.streams.keys.size(0)));
    rp.metrics = {
        {"rmse", r.metrics.at("rmse")}, {"otd", r.metrics.at("otd")}, {"pearson_mean", mean_of_numbers(r.metrics.at("pearson"))}};
    report.performances.push_back(std::move(rp));
    write_array((fs::path(o.out_dir) / "predictions" / (r.name + ".npy")).string(), r.estimated);
#ifdef PIANOKPM_HAVE_CAIRO
    PerformancePlotData d;
    d.title = fmt::format("{}: measured and estimated EMG ({})", r.name, c.architecture);
    d.keys_rate_hz = c.emg_rate_hz;
    d.pose_rate_hz = c.pose_rate_hz;
    d.keys = perf.streams.keys;
    d.emg_true = r.measured;
    d.emg_estimated = r.estimated;
    d.emg_lower = r.interval.lower;
    d.emg_upper = r.interval.upper;
    d.interval_label = fmt::format("{:.0f}% interval", 100 * o.interval);
    if (perf.streams.pose.defined() && c.num_views >= 2) {
      d.pose_side = perf.streams.pose.narrow(1, c.num_keypoints * 2, c.num_keypoints * 2).reshape({-1, c.num_keypoints, 2});
    }
    PerformancePlotOptions po;
    po.seconds = o.plot_seconds;
    write_performance_plot(d, po, (fs::path(o.out_dir) / "plots" / (r.name + ".png")).string());
#endif
    bar.update(static_cast<int64_t>(report.performances.size()));
  };
  EvalOptions eo;
  eo.otd = !o.no_otd;
  eo.emg_rate_hz = c.emg_rate_hz;
  const SplitEvaluation result = evaluate_performances(perfs, predict, eo, write_outputs);
  bar.finish();

  const nlohmann::json& mean = result.mean;
  nlohmann::json metrics = {{"model", o.model_path},
                            {"architecture", c.architecture},
                            {"modality", to_string(c.modality)},
                            {"data", o.data_dir},
                            {"split", o.split_path},
                            {"set", o.set},
                            {"performances", result.rows()},
                            {"mean", mean}};
  if (o.interval > 0) metrics["interval_level"] = o.interval;
  if (o.stream_hop_s > 0) {
    metrics["stream_hop_s"] = o.stream_hop_s;
    StreamOptions so;
    so.hop_s = o.stream_hop_s;
    so.incremental = !o.whole_windows;
    metrics["stream_incremental"] = so.runs_incrementally(*est.model("--stream-hop"));
  }
  write_file_atomically((fs::path(o.out_dir) / "metrics.json").string(), metrics.dump(2) + "\n");
  write_file_atomically((fs::path(o.out_dir) / "metrics.md").string(), metrics_markdown(metrics));

  nlohmann::json mean_pearson = nlohmann::json::array();
  for (const auto& [name, v] : mean.at("pearson").items()) mean_pearson.push_back(v);
  report.summary = {{"rmse", mean.at("rmse")}, {"otd", mean.at("otd")}, {"pearson_mean", mean_of_numbers(mean_pearson)}};
  // The data's dataset and its "synthetic" mark, when it is a corpus made by pianokpm synth.
  if (is_synthetic_corpus(o.data_dir))
    report.provenance += " The measured EMG is simulated (a synthetic corpus made by pianokpm synth).";
  const bool with_report = html_report_available();
  if (with_report) write_html_report(report, ReportOptions{}, (fs::path(o.out_dir) / "report.html").string());

  spdlog::info("{} on {} performances: RMSE {} OTD {} onset error {} ms", o.set, result.performances.size(),
               fmt_number(mean.at("rmse")), fmt_number(mean.at("otd")), fmt_number(mean.at("onset_error_ms"), "{:.1f}"));
  if (o.interval > 0)
    spdlog::info("{:.0f}% interval: {:.3f} of the samples inside, mean width {:.4f}", 100 * o.interval,
                 mean.at("coverage_all").get<double>(), mean.at("interval_width").get<double>());
  if (o.stream_hop_s > 0)
    spdlog::info("streamed every {:g} s: offline RMSE {}, RMSE between streamed and offline {}", o.stream_hop_s,
                 fmt_number(mean.at("rmse_offline")), fmt_number(mean.at("rmse_to_offline")));
  spdlog::info("wrote {}/metrics.json, metrics.md, {}predictions/, plots/", o.out_dir, with_report ? "report.html, " : "");
  return 0;
}

}  // namespace

CommandRunner add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalCommandOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a model on a split's test set: RMSE, OTD, Pearson r, onset timing, plots");
  cmd->add_option("-m,--model", o->model_path, "Model file (our .pt, an official .pth, or an ensemble .json)")->required();
  cmd->add_option("--config", o->config_path, "Model config JSON for an official state dict");
  cmd->add_option("--data", o->data_dir, "Corpus folder (release layout)")->required();
  cmd->add_option("--split", o->split_path, "Split JSON")->required();
  cmd->add_option("--set", o->set, "Which list: test, test_cross_user, test_cross_task, val, ...")->capture_default_str();
  cmd->add_option("-o,--out", o->out_dir, "Output folder (created)")->required();
  cmd->add_option("--plot-seconds", o->plot_seconds, "Seconds shown in each performance's figure")->capture_default_str();
  cmd->add_flag("--no-otd", o->no_otd, "Skip the optimal transport distance (it is quadratic in the length)");
  cmd->add_option("--stream-hop", o->stream_hop_s,
                  "Predict as `pianokpm live` does (one window per hop, ending at the newest frame) and also report the "
                  "offline RMSE and the RMSE between the two (rmse_offline, rmse_to_offline)")
      ->transform(seconds_or_fraction())
      ->capture_default_str();
  cmd->add_flag("--whole-windows", o->whole_windows,
                "With --stream-hop: run the whole window every hop, as `live --whole-windows` (else only what each hop adds)");
  cmd->add_option("--interval", o->interval,
                  "With an ensemble as --model: its bounds at this coverage level (e.g. 0.9), drawn in the plots and "
                  "the report, and the share of measured samples inside them per muscle (coverage)")
      ->check(CLI::Range(0.5, 0.99));
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  return [o] { return run_eval(*o); };
}

}  // namespace pianokpm
