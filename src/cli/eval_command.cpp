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
#include "predict/predictor.h"
#include "report/html_report.h"
#ifdef PIANOKPM_HAVE_CAIRO
#include "report/performance_plot.h"
#endif

namespace pianokpm {

namespace {

namespace fs = std::filesystem;

struct EvalCommandOptions {
  std::string model_path, config_path, data_dir, split_path, set = "test", out_dir;
  double plot_seconds = 10;
  bool no_otd = false;
  int threads = 0;
};

nlohmann::json summarise(const std::vector<nlohmann::json>& rows) {
  nlohmann::json mean;
  for (const char* key : {"rmse", "otd", "onset_error_ms"}) {
    double sum = 0;
    int n = 0;
    for (const auto& r : rows) {
      if (r.contains(key) && r.at(key).is_number() && std::isfinite(r.at(key).get<double>())) {
        sum += r.at(key).get<double>();
        ++n;
      }
    }
    mean[key] = n ? nlohmann::json(sum / n) : nlohmann::json(nullptr);
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

int run_eval(const EvalCommandOptions& o) {
  apply_thread_count(o.threads);
  LoadedModel model = load_model(o.model_path, read_model_config_option(o.config_path));
  const ModelConfig& c = model.net->config();
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
  report.rate_hz = c.window_samples;
  ProgressBar bar("eval", "performances", static_cast<int64_t>(perfs.size()));
  for (const auto& perf : perfs) {
    const PerformanceWindows windows(perf.streams, c);
    torch::Tensor pred = predict_performance(model.net, windows, PredictOptions{});
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
    if (perf.streams.keys.defined()) rp.keys = perf.streams.keys.narrow(0, 0, std::min(n, perf.streams.keys.size(0)));
    rp.metrics = {{"rmse", row["rmse"]}, {"otd", row["otd"]}, {"pearson_mean", r_n ? nlohmann::json(r_sum / r_n) : nlohmann::json()}};
    report.performances.push_back(std::move(rp));
    write_array((fs::path(o.out_dir) / "predictions" / (perf.name + ".npy")).string(), pred);
#ifdef PIANOKPM_HAVE_CAIRO
    PerformancePlotData d{fmt::format("{}: measured and estimated EMG ({})", perf.name, c.architecture), c.window_samples / 1.0,
                          static_cast<double>(c.pose_frames), perf.streams.keys, torch::Tensor(), truth, pred};
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

  const nlohmann::json mean = summarise(rows);
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
  spdlog::info("wrote {}/metrics.json, metrics.md, {}predictions/, plots/", o.out_dir, with_report ? "report.html, " : "");
  return 0;
}

}  // namespace

CommandRunner add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalCommandOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a model on a split's test set: RMSE, OTD, Pearson r, onset timing, plots");
  cmd->add_option("-m,--model", o->model_path, "Model file (our .pt, or an official .pth)")->required();
  cmd->add_option("--config", o->config_path, "Model config JSON for an official state dict");
  cmd->add_option("--data", o->data_dir, "Corpus folder (release layout)")->required();
  cmd->add_option("--split", o->split_path, "Split JSON")->required();
  cmd->add_option("--set", o->set, "Which list: test, test_cross_user, test_cross_task, val, ...")->capture_default_str();
  cmd->add_option("-o,--out", o->out_dir, "Output folder (created)")->required();
  cmd->add_option("--plot-seconds", o->plot_seconds, "Seconds shown in each performance's figure")->capture_default_str();
  cmd->add_flag("--no-otd", o->no_otd, "Skip the optimal transport distance (it is quadratic in the length)");
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  return [o] { return run_eval(*o); };
}

}  // namespace pianokpm
