// pianokpm eval: per-performance RMSE, OTD, Pearson r and onset timing on a split's test set,
// with metrics.json, a Markdown table, predictions and one figure per performance.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "data/corpus_dataset.h"
#include "data/windowing.h"
#include "eval/metrics.h"
#include "io/array_file.h"
#include "io/atomic_file.h"
#include "io/input_error.h"
#include "model/checkpoint.h"
#include "predict/ensemble.h"
#include "predict/predictor.h"
#include "report/html_report.h"
#ifdef PIANOKPM_HAVE_CAIRO
#include "report/performance_plot.h"
#endif
#ifdef PIANOKPM_HAVE_LIVE
#include "live/stream_predictor.h"
#endif

namespace pianokpm {

namespace {

namespace fs = std::filesystem;

struct EvalCommandOptions {
  std::string model_path, config_path, data_dir, split_path, set = "test", out_dir;
  double plot_seconds = 10;
  double stream_hop_s = 0;  // > 0: predict as `live` does, one window per hop
  bool no_otd = false;
  double interval = 0;      // > 0: an ensemble's bounds at this level, and their coverage
  int threads = 0;
};

// Per muscle, the share of all samples inside the interval (rows weighted by their samples),
// and the mean interval width.
nlohmann::json pooled_coverage(const std::vector<nlohmann::json>& rows) {
  std::vector<double> inside(emg_channel_names().size(), 0.0);
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
    per_muscle[emg_channel_names()[m]] = inside[m] / samples;
    all += inside[m] / samples / static_cast<double>(inside.size());
  }
  return {{"coverage", per_muscle}, {"coverage_all", all}, {"interval_width", width / samples}};
}

nlohmann::json summarise(const std::vector<nlohmann::json>& rows) {
  nlohmann::json mean;
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
  std::vector<double> r_sum(6, 0.0);
  std::vector<int> r_n(6, 0);
  for (const auto& r : rows) {
    for (size_t c = 0; c < 6; ++c) {
      const auto& v = r.at("pearson").at(c);
      if (v.is_number() && std::isfinite(v.get<double>())) {
        r_sum[c] += v.get<double>();
        ++r_n[c];
      }
    }
  }
  nlohmann::json pearson = nlohmann::json::object();
  for (size_t c = 0; c < 6; ++c) pearson[emg_channel_names()[c]] = r_n[c] ? nlohmann::json(r_sum[c] / r_n[c]) : nlohmann::json(nullptr);
  mean["pearson"] = pearson;
  return mean;
}

std::string fmt_number(const nlohmann::json& v, const char* spec = "{:.4f}") {
  return v.is_number() ? fmt::format(fmt::runtime(spec), v.get<double>()) : std::string("-");
}

// The rows `pianokpm live` would emit for these recorded streams: frames fed one by one at the
// pose rate, one window per hop ending at the newest frame, keys sliced up to that frame.
torch::Tensor predict_streaming(PianoKpmNet& net, const PerformanceStreams& s, double hop_s) {
#ifdef PIANOKPM_HAVE_LIVE
  const ModelConfig& c = net->config();
  if (!s.pose.defined()) throw std::invalid_argument("--stream-hop needs a model that reads pose");
  live::StreamOptions so;
  so.hop_s = hop_s;
  live::KeySource keys;
  if (s.keys.defined()) {
    keys = [&s](double first_s, int64_t n, double rate_hz, double) {
      torch::Tensor out = torch::zeros({n, s.keys.size(1)});
      const int64_t first = std::llround(first_s * rate_hz);
      const int64_t from = std::max<int64_t>(first, 0), to = std::min<int64_t>(first + n, s.keys.size(0));
      if (to > from) out.narrow(0, from - first, to - from).copy_(s.keys.narrow(0, from, to - from));
      return out;
    };
  }
  live::StreamPredictor stream(net, so, keys);
  // Frames in the file's units: scaled by pose_scale here and back by the predictor (image size 1).
  const auto pose = s.pose.accessor<float, 2>();
  std::vector<torch::Tensor> parts;
  std::array<float, pose::kHandLandmarks * 3> frame{};
  for (int64_t f = 0; f < s.pose.size(0); ++f) {
    for (int k = 0; k < c.num_keypoints; ++k) {
      frame[3 * k] = static_cast<float>(pose[f][2 * k] * c.pose_scale[0]);
      frame[3 * k + 1] = static_cast<float>(pose[f][2 * k + 1] * c.pose_scale[1]);
      frame[3 * k + 2] = 1.f;
    }
    stream.add_frame(static_cast<double>(f) / c.pose_frames, frame, 1, 1);
    if (auto chunk = stream.step()) parts.push_back(chunk->emg);
  }
  if (auto chunk = stream.step(true)) parts.push_back(chunk->emg);
  return torch::cat(parts, 0);
#else
  (void)net, (void)s, (void)hop_s;
  throw std::invalid_argument("--stream-hop: this build has no live streaming (OpenCV, cpp-httplib or liblo missing)");
#endif
}

int run_eval(const EvalCommandOptions& o) {
  apply_thread_count(o.threads);
  ModelOrEnsemble loaded = load_model_or_ensemble(o.model_path, o.config_path, o.interval);
  LoadedModel& model = loaded.model;
  std::optional<Ensemble>& ensemble = loaded.ensemble;
  if (ensemble && o.stream_hop_s > 0) throw InputError("--stream-hop", "is for one model, not an ensemble");
  const ModelConfig& c = loaded.config();
  // Load everything first: a bad file stops the run before any output is written.
  const std::vector<CorpusPerformance> perfs = load_split_performances(o.data_dir, o.split_path, o.set, c);
  if (perfs.empty()) throw InputError(o.split_path, "the set '" + o.set + "' is empty");

  fs::create_directories(fs::path(o.out_dir) / "predictions");
  fs::create_directories(fs::path(o.out_dir) / "plots");
  std::vector<nlohmann::json> rows;
  ReportContent report;
  report.title = fmt::format("Estimated and measured muscle activity: {} set of {}", o.set, fs::path(o.split_path).filename().string());
  report.provenance = fmt::format("Model {} ({}, reading {}) on the '{}' performances of {} (data {}).", o.model_path,
                                  c.architecture, to_string(c.modality), o.set, o.split_path, o.data_dir);
  report.synthetic_model = model_is_synthetic(o.model_path);
  if (o.interval > 0) {
    report.provenance += fmt::format(
        " The estimate is the mean of an ensemble of {} models; the shaded band around it is their {:.0f}% interval, "
        "calibrated on held-out recordings to hold that share of the measured samples (metrics.json gives the share "
        "found here, per muscle).",
        ensemble->members.size(), 100 * o.interval);
  }
  report.rate_hz = c.window_samples;
  ProgressBar bar("eval", "performances", static_cast<int64_t>(perfs.size()));
  for (const auto& perf : perfs) {
    const PerformanceWindows windows(perf.streams, c);
    torch::Tensor pred;
    Interval interval;
    if (ensemble) {
      const EnsemblePrediction ep = predict_ensemble(*ensemble, windows, PredictOptions{});
      pred = ep.mean;
      if (o.interval > 0) interval = prediction_interval(ep, ensemble->calibration, o.interval);
    } else {
      pred = predict_performance(model.net, windows, PredictOptions{});
    }
    torch::Tensor offline_pred;
    if (o.stream_hop_s > 0) {
      offline_pred = pred;
      pred = predict_streaming(model.net, perf.streams, o.stream_hop_s);
    }
    const int64_t n = std::min(pred.size(0), perf.emg.size(0));
    pred = pred.narrow(0, 0, n).contiguous();
    const torch::Tensor truth = perf.emg.narrow(0, 0, n);
    const auto onset = onset_timing_error(pred, truth);
    nlohmann::json row = {{"name", perf.name},
                          {"rmse", rmse(pred, truth)},
                          {"pearson", pearson_per_channel(pred, truth)},
                          {"onset_error_ms", onset.mean_abs_error_ms},
                          {"onsets_matched", onset.matched},
                          {"onsets_measured", onset.measured},
                          {"samples", n}};
    row["otd"] = o.no_otd ? nlohmann::json(nullptr) : nlohmann::json(optimal_transport_distance(pred, truth));
    if (interval.lower.defined()) {
      interval.lower = interval.lower.narrow(0, 0, n);
      interval.upper = interval.upper.narrow(0, 0, n);
      row["coverage"] = interval_coverage(interval, truth);
      row["interval_width"] = (interval.upper - interval.lower).mean().item<double>();
    }
    if (offline_pred.defined()) {
      const int64_t m = std::min(n, offline_pred.size(0));
      row["rmse_to_offline"] = rmse(pred.narrow(0, 0, m), offline_pred.narrow(0, 0, m));
      row["rmse_offline"] = rmse(offline_pred.narrow(0, 0, m), truth.narrow(0, 0, m));
    }
    for (auto& v : row["pearson"])
      if (!std::isfinite(v.get<double>())) v = nullptr;
    if (!std::isfinite(onset.mean_abs_error_ms)) row["onset_error_ms"] = nullptr;
    rows.push_back(row);
    double r_sum = 0;
    int r_n = 0;
    for (const auto& v : row["pearson"])
      if (v.is_number()) r_sum += v.get<double>(), ++r_n;
    ReportPerformance rp;
    rp.name = perf.name;
    rp.estimated = pred;
    rp.measured = truth;
    rp.lower = interval.lower;
    rp.upper = interval.upper;
    if (perf.streams.keys.defined()) rp.keys = perf.streams.keys.narrow(0, 0, std::min(n, perf.streams.keys.size(0)));
    rp.metrics = {{"rmse", row["rmse"]}, {"otd", row["otd"]}, {"pearson_mean", r_n ? nlohmann::json(r_sum / r_n) : nlohmann::json()}};
    report.performances.push_back(std::move(rp));
    write_array((fs::path(o.out_dir) / "predictions" / (perf.name + ".npy")).string(), pred);
#ifdef PIANOKPM_HAVE_CAIRO
    PerformancePlotData d{fmt::format("{}: measured and estimated EMG ({})", perf.name, c.architecture), c.window_samples / 1.0,
                          static_cast<double>(c.pose_frames), perf.streams.keys, torch::Tensor(), truth, pred};
    d.emg_lower = interval.lower;
    d.emg_upper = interval.upper;
    d.interval_label = fmt::format("{:.0f}% interval", 100 * o.interval);
    if (perf.streams.pose.defined() && c.num_views >= 2) {
      d.pose_side = perf.streams.pose.narrow(1, c.num_keypoints * 2, c.num_keypoints * 2).reshape({-1, c.num_keypoints, 2});
    }
    PerformancePlotOptions po;
    po.seconds = o.plot_seconds;
    write_performance_plot(d, po, (fs::path(o.out_dir) / "plots" / (perf.name + ".png")).string());
#endif
    bar.update(static_cast<int64_t>(rows.size()));
  }
  bar.finish();

  nlohmann::json mean = summarise(rows);
  if (o.interval > 0) mean.update(pooled_coverage(rows));
  const nlohmann::json metrics = {{"model", o.model_path},
                                  {"architecture", c.architecture},
                                  {"modality", to_string(c.modality)},
                                  {"data", o.data_dir},
                                  {"split", o.split_path},
                                  {"set", o.set},
                                  {"performances", rows},
                                  {"mean", mean}};
  write_file_atomically((fs::path(o.out_dir) / "metrics.json").string(), metrics.dump(2) + "\n");

  std::string md = fmt::format("# {} on `{}` ({} performances)\n\nModel `{}` ({}, {}).\n\n", o.set, o.split_path,
                               rows.size(), o.model_path, c.architecture, to_string(c.modality));
  md += "| performance | RMSE | OTD | onset error (ms) | r ADM | r PB | r 1DI | r 2DI | r 3DI | r 4DI |\n";
  md += "|---|---|---|---|---|---|---|---|---|---|\n";
  auto add_row = [&](const std::string& label, const nlohmann::json& r, const nlohmann::json& pearson) {
    md += fmt::format("| {} | {} | {} | {} ", label, fmt_number(r.at("rmse")), fmt_number(r.at("otd")),
                      fmt_number(r.at("onset_error_ms"), "{:.1f}"));
    for (size_t ch = 0; ch < 6; ++ch) md += "| " + fmt_number(pearson.at(ch), "{:.3f}") + " ";
    md += "|\n";
  };
  for (const auto& r : rows) add_row(r.at("name").get<std::string>(), r, r.at("pearson"));
  nlohmann::json mean_pearson = nlohmann::json::array();
  for (const auto& name : emg_channel_names()) mean_pearson.push_back(mean.at("pearson").at(name));
  add_row("**mean**", mean, mean_pearson);
  if (o.interval > 0) {
    md += fmt::format("\nCoverage of the {:.0f}% interval (share of samples inside it): ", 100 * o.interval);
    for (const auto& [name, v] : mean.at("coverage").items()) md += fmt::format("{} {:.3f}, ", name, v.get<double>());
    md += fmt::format("all {:.3f}; mean width {:.4f}.\n", mean.at("coverage_all").get<double>(), mean.at("interval_width").get<double>());
  }
  write_file_atomically((fs::path(o.out_dir) / "metrics.md").string(), md);

  double r_sum = 0;
  int r_n = 0;
  for (const auto& [name, v] : mean.at("pearson").items())
    if (v.is_number()) r_sum += v.get<double>(), ++r_n;
  report.summary = {{"rmse", mean.at("rmse")}, {"otd", mean.at("otd")}, {"pearson_mean", r_n ? nlohmann::json(r_sum / r_n) : nlohmann::json()}};
  // The data's dataset and its "synthetic" mark, when it is a corpus made by pianokpm synth.
  if (fs::exists(fs::path(o.data_dir) / "corpus.json"))
    report.provenance += " The measured EMG is simulated (a synthetic corpus made by pianokpm synth).";
  const bool with_report = html_report_available();
  if (with_report) write_html_report(report, ReportOptions{}, (fs::path(o.out_dir) / "report.html").string());

  spdlog::info("{} on {} performances: RMSE {} OTD {} onset error {} ms", o.set, rows.size(), fmt_number(mean.at("rmse")),
               fmt_number(mean.at("otd")), fmt_number(mean.at("onset_error_ms"), "{:.1f}"));
  if (o.interval > 0)
    spdlog::info("{:.0f}% interval: {:.3f} of the samples inside, mean width {:.4f}", 100 * o.interval,
                 mean.at("coverage_all").get<double>(), mean.at("interval_width").get<double>());
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
      ->capture_default_str();
  cmd->add_option("--interval", o->interval,
                  "With an ensemble as --model: its bounds at this coverage level (e.g. 0.9), drawn in the plots and "
                  "the report, and the share of measured samples inside them per muscle (coverage)")
      ->check(CLI::Range(0.5, 0.99));
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  return [o] { return run_eval(*o); };
}

}  // namespace pianokpm
