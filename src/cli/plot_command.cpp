// pianokpm plot: a PNG of one performance, from a corpus in the release layout or from any EMG file
// (e.g. what predict wrote) with its keys and keypoints when given.
#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <filesystem>

#include "cli/commands.h"
#include "data/emg_inputs.h"
#include "data/performance.h"
#include "io/array_file.h"
#include "io/emg_table.h"
#include "core/input_error.h"
#include "core/stream_layout.h"
#include "report/performance_plot.h"

namespace pianokpm {

namespace {

struct PlotCommandOptions {
  std::string data_dir, name, estimate, out;
  std::string emg, measured, keys, midi, pose_side;
  double rate_hz = kReleaseLayout.emg_rate_hz;
  PerformancePlotOptions plot;
};

torch::Tensor read_if_present(const std::filesystem::path& path) {
  return std::filesystem::exists(path) ? read_array(path.string()) : torch::Tensor();
}

// Any EMG file, outside a corpus.
int run_plot_files(const PlotCommandOptions& o) {
  const EmgInputs in = read_emg_inputs(o.emg, o.keys, o.midi, o.rate_hz);
  PerformancePlotData d;
  d.title = std::filesystem::path(o.emg).stem().string();
  d.keys_rate_hz = o.rate_hz;
  d.emg_estimated = in.emg;
  d.emg_lower = in.lower;  // drawn as a band when the file has bounds (predict --interval)
  d.emg_upper = in.upper;
  d.keys = in.keys;
  if (!o.measured.empty()) d.emg_true = read_emg_table(o.measured);
  if (!o.pose_side.empty()) d.pose_side = read_pose_array(o.pose_side, kReleaseLayout);
  write_performance_plot(d, o.plot, o.out);
  spdlog::info("wrote {}", o.out);
  return 0;
}

int run_plot(const PlotCommandOptions& o) {
  if (!o.emg.empty()) return run_plot_files(o);
  if (o.data_dir.empty() || o.name.empty()) throw InputError("--emg", "give --emg FILE, or --data DIR with --name NAME");
  const std::filesystem::path root(o.data_dir);
  const std::string file = o.name + ".pkl";
  PerformancePlotData d;
  d.title = o.name;
  d.keys_rate_hz = o.rate_hz;
  d.keys = read_if_present(root / release_folders::kKeys / file);
  d.pose_side = read_if_present(root / release_folders::kPoseRight / file);
  d.emg_true = read_if_present(root / release_folders::kEmg / file);
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
  auto* emg = cmd->add_option(
      "--emg", o->emg,
      fmt::format("Any EMG [N,{}] (.csv as predict writes, .npy, .pkl), outside a corpus", kReleaseLayout.emg_channels));
  cmd->add_option("--data", o->data_dir, "Corpus folder in the release layout")->excludes(emg);
  cmd->add_option("--name", o->name, "Performance name in the corpus, e.g. t1_p1_1")->needs("--data");
  cmd->add_option(
      "--estimate", o->estimate,
      fmt::format("Estimated EMG [N,{}] (.npy or .pkl from predict) drawn in red, with --data", kReleaseLayout.emg_channels));
  cmd->add_option("--measured", o->measured, "Measured EMG drawn against --emg")->needs(emg);
  auto* keys =
      cmd->add_option("--keys", o->keys, fmt::format("Key depth [N,{}] (.pkl/.npy) or MIDI, with --emg", kReleaseLayout.num_keys))
          ->needs(emg);
  cmd->add_option("--midi", o->midi, "Keystrokes from a MIDI file, with --emg")->needs(emg)->excludes(keys);
  cmd->add_option("--pose-side", o->pose_side,
                  fmt::format("Side-camera keypoints [T,{},C>=2] at {:g} fps (fingertip heights), with --emg",
                              kReleaseLayout.num_keypoints, kReleaseLayout.pose_rate_hz))
      ->needs(emg);
  cmd->add_option("--rate", o->rate_hz, "Samples per second of --emg and keys")->capture_default_str();
  cmd->add_option("--from", o->plot.from_s, "Start of the window in seconds")->capture_default_str();
  cmd->add_option("--seconds", o->plot.seconds, "Length of the window in seconds")->capture_default_str();
  cmd->add_option("-o,--out", o->out, "Output PNG")->required();
  return [o] { return run_plot(*o); };
}

}  // namespace pianokpm
