// pianokpm plot: a PNG of one performance of a corpus in the release layout.
#include <spdlog/spdlog.h>

#include <filesystem>

#include "cli/commands.h"
#include "io/array_file.h"
#include "io/input_error.h"
#include "report/performance_plot.h"

namespace pianokpm {

namespace {

struct PlotCommandOptions {
  std::string data_dir, name, estimate, out;
  PerformancePlotOptions plot;
};

torch::Tensor read_if_present(const std::filesystem::path& path) {
  return std::filesystem::exists(path) ? read_array(path.string()) : torch::Tensor();
}

int run_plot(const PlotCommandOptions& o) {
  const std::filesystem::path root(o.data_dir);
  const std::string file = o.name + ".pkl";
  PerformancePlotData d;
  d.title = o.name;
  d.keys = read_if_present(root / "keystroke_data" / file);
  d.pose_side = read_if_present(root / "hand_data/keyp_right" / file);
  d.emg_true = read_if_present(root / "emg_data" / file);
  if (!o.estimate.empty()) d.emg_estimated = read_array(o.estimate);
  if (!d.keys.defined() && !d.emg_true.defined() && !d.emg_estimated.defined()) {
    throw InputError(o.data_dir, "no keystroke_data/" + file + " or emg_data/" + file + " to plot");
  }
  write_performance_plot(d, o.plot, o.out);
  spdlog::info("wrote {}", o.out);
  return 0;
}

}  // namespace

CommandRunner add_plot_command(CLI::App& app) {
  auto o = std::make_shared<PlotCommandOptions>();
  CLI::App* cmd = app.add_subcommand("plot", "Draw keystrokes, fingertips and the six EMG envelopes of a performance as a PNG");
  cmd->add_option("--data", o->data_dir, "Corpus folder in the release layout")->required();
  cmd->add_option("--name", o->name, "Performance name, e.g. t1_p1_1")->required();
  cmd->add_option("--estimate", o->estimate, "Estimated EMG [N,6] (.npy or .pkl from predict) drawn in red");
  cmd->add_option("--from", o->plot.from_s, "Start of the window in seconds")->capture_default_str();
  cmd->add_option("--seconds", o->plot.seconds, "Length of the window in seconds")->capture_default_str();
  cmd->add_option("-o,--out", o->out, "Output PNG")->required();
  return [o] { return run_plot(*o); };
}

}  // namespace pianokpm
