// pianokpm report: one self-contained HTML page of an EMG recording (estimated or measured), with
// its keystrokes, overlay video and analysis.
#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <filesystem>
#include <optional>

#include "analysis/emg_analysis.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "data/emg_inputs.h"
#include "io/file_names.h"
#include "io/emg_table.h"
#include "core/input_error.h"
#include "core/stream_layout.h"
#include "predict/window_familiarity.h"
#include "report/html_report.h"

namespace pianokpm {

namespace {

struct ReportCommandOptions {
  std::string emg, measured, keys, midi, video, model, title, out;
  std::string familiarity;  // per-window scores from predict; default: the file predict wrote beside --emg
  bool synthetic = false;
  double rate_hz = kReleaseLayout.emg_rate_hz;
  ReportOptions report;
};

int run_report(const ReportCommandOptions& o) {
  require_output_extension(o.out, {".html"});
  if (!html_report_available())
    throw InputError(o.out, "this build has no uPlot (scripts/setup.sh installs it into web/node_modules; then rebuild)");
  if (!o.video.empty() && std::filesystem::path(o.video).extension() != ".mp4")
    throw InputError(o.video, "the report's video must be .mp4 (H.264, as render writes it) for browsers to play it");
  const EmgInputs in = read_emg_inputs(o.emg, o.keys, o.midi, o.rate_hz);
  ReportContent c;
  c.title = o.title.empty() ? "Muscle activity: " + std::filesystem::path(o.emg).stem().string() : o.title;
  c.rate_hz = o.rate_hz;
  const std::optional<Estimator> model = o.model.empty() ? std::nullopt : std::optional<Estimator>(load_estimator(o.model));
  c.synthetic_model = o.synthetic || (model && model->synthetic());
  const std::string fallback = model ? model->unfamiliar_fallback() : "";
  c.provenance = o.model.empty() ? "EMG from " + o.emg + "."
                                 : "EMG estimated by the model " + std::filesystem::path(o.model).filename().string() +
                                       " (file " + o.emg + ").";
  if (!o.video.empty()) {
    if (!std::filesystem::exists(o.video)) throw InputError(o.video, "overlay video not found");
    c.video_path = o.video;
  }
  ReportPerformance p;
  p.name = std::filesystem::path(o.emg).stem().string();
  p.estimated = in.emg;
  p.lower = in.lower;  // a band when the file has bounds (predict --interval)
  p.upper = in.upper;
  p.keys = in.keys;
  AnalysisOptions ao;
  ao.bursts.rate_hz = o.rate_hz;
  ao.press_threshold = o.report.press_threshold;
  p.analysis = analysis_to_json(analyze_emg(in.emg, in.keys, ao), ao);
  if (!o.measured.empty()) {
    p.measured = read_emg_table(o.measured);
    if (std::llabs(p.measured.size(0) - in.emg.size(0)) > static_cast<int64_t>(o.rate_hz))
      throw InputError(o.measured, "measured and estimated EMG differ in length by more than one second");
    const int64_t n = std::min(p.measured.size(0), in.emg.size(0));
    p.measured = p.measured.narrow(0, 0, n);
    p.estimated = p.estimated.narrow(0, 0, n);
    if (p.lower.defined()) p.lower = p.lower.narrow(0, 0, n), p.upper = p.upper.narrow(0, 0, n);
  }
  std::string familiarity_path = o.familiarity;
  if (familiarity_path.empty() && std::filesystem::exists(familiarity_path_for(o.emg))) {
    familiarity_path = familiarity_path_for(o.emg);
    spdlog::info("familiarity scores from {}", familiarity_path);
  }
  if (!familiarity_path.empty()) {
    const WindowFamiliarity f = read_familiarity_csv(familiarity_path);
    const torch::Tensor s = f.score.contiguous();
    p.familiarity = ReportFamiliarity{std::vector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel()),
                                      f.window_seconds,
                                      f.options.unfamiliar_below,
                                      f.warn,
                                      f.summary(),
                                      familiarity_explanation(fallback),
                                      unfamiliar_consequence(fallback)};
  }
  c.performances.push_back(p);
  write_html_report(c, o.report, o.out);
  spdlog::info("wrote {}", o.out);
  return 0;
}

}  // namespace

CommandRunner add_report_command(CLI::App& app) {
  auto o = std::make_shared<ReportCommandOptions>();
  CLI::App* cmd = app.add_subcommand("report",
                                     "Write one self-contained HTML page of an EMG recording: interactive "
                                     "traces, keystrokes, overlay video, analysis (opens from disk, no network)");
  cmd->add_option("--emg", o->emg, emg_file_help())->required();
  cmd->add_option("--measured", o->measured, "Measured EMG of the same recording, drawn against the estimate");
  auto* keys = cmd->add_option(
      "--keys", o->keys, fmt::format("Key depth [N,{}] (.pkl/.npy) at the EMG's rate, or a MIDI file", kReleaseLayout.num_keys));
  cmd->add_option("--midi", o->midi, "Keystrokes from a MIDI file")->excludes(keys);
  cmd->add_option("--video", o->video, "Overlay video to include (from pianokpm render or predict --overlay)");
  cmd->add_option("--familiarity", o->familiarity,
                  "Familiarity of each window to the model (CSV from predict); default: NAME_familiarity.csv beside --emg "
                  "when there is one");
  cmd->add_option("--model", o->model, "The model that estimated the EMG (named on the page)");
  cmd->add_flag("--synthetic-model", o->synthetic,
                "Say that the model was trained on synthetic data (automatic when --model says so)");
  cmd->add_option("--title", o->title, "Page title");
  cmd->add_option("--rate", o->rate_hz, "Samples per second of the EMG and keys")->capture_default_str();
  cmd->add_option("--display-rate", o->report.display_rate_hz, "Trace samples per second on the page")->capture_default_str();
  cmd->add_option("-o,--out", o->out, "Output .html")->required();
  return [o] { return run_report(*o); };
}

}  // namespace pianokpm
