// pianokpm convert: one performance of a user's own recording into the release layout.
#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <filesystem>

#include "cli/bids_output.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/emg_options.h"
#include "data/performance_import.h"
#include "core/input_error.h"
#include "io/array_file.h"
#include "core/stream_layout.h"
#include "model/model_config_file.h"

namespace pianokpm {

namespace {

struct ConvertCommandOptions {
  std::string out, name, pose_top, pose_right, c3d_markers, keys, midi, emg_raw, emg_envelope, split, set = "train";
  EmgProcessingFlags processing;
  std::string config_path;
  BidsOutputFlags bids;  // the performance's EMG (and keystrokes) as BIDS-EMG too
};

int run_convert(const ConvertCommandOptions& o) {
  const ModelConfig layout = read_model_config(o.config_path).value_or(ModelConfig{});
  check_bids_flags(o.bids);
  if (o.bids.wanted() && o.emg_raw.empty() && o.emg_envelope.empty()) throw InputError("--bids", "needs --emg or --emg-envelope");
  PerformanceSources s;
  if (!o.pose_top.empty()) s.pose_views.push_back(o.pose_top);
  if (!o.pose_right.empty()) {
    if (o.pose_top.empty()) throw InputError("--pose-right", "give --pose-top too (the top view comes first)");
    s.pose_views.push_back(o.pose_right);
  }
  s.c3d_markers = o.c3d_markers;
  s.keys = o.midi.empty() ? o.keys : o.midi;
  s.keys_from_midi = !o.midi.empty();
  s.emg_raw = o.emg_raw;
  s.emg_read = o.processing.read;
  s.envelope = o.processing.envelope;
  s.normalisation = o.processing.normalisation();
  s.emg_envelope = o.emg_envelope;
  const ImportedPerformance r = import_performance(s, layout, o.out, o.name);
  for (const auto& f : r.written) spdlog::info("wrote {}", f);
  if (o.bids.wanted()) {
    // As written in the release layout: the envelope and the keys cut to the same length.
    const std::filesystem::path dir(o.out);
    BidsContent content;
    content.emg = read_array((dir / "emg_data" / (o.name + ".pkl")).string());
    content.rate_hz = layout.emg_rate_hz;
    content.estimated = false;
    const std::filesystem::path keys = dir / "keystroke_data" / (o.name + ".pkl");
    if (std::filesystem::exists(keys)) content.keys = read_array(keys.string());
    content.power_line_hz = o.processing.envelope.notch_hz;
    content.provenance = {{"Source", std::filesystem::path(o.emg_raw.empty() ? o.emg_envelope : o.emg_raw).filename().string()}};
    // The release layout's channels are the six muscles in order: say which source channels they were.
    if (!o.processing.read.channels.empty()) content.provenance["SourceChannels"] = o.processing.read.channels;
    write_bids_output(o.bids, content);
  }
  spdlog::info("{}: {} pose frames, {} keystroke/EMG samples ({:.2f} s)", o.name, r.pose_frames, r.samples,
               static_cast<double>(r.samples) / layout.emg_rate_hz);
  if (!o.split.empty()) {
    add_to_split(o.split, o.set, o.name);
    spdlog::info("listed {}.pkl under '{}' in {}", o.name, o.set, o.split);
  }
  return 0;
}

}  // namespace

CommandRunner add_convert_command(CLI::App& app) {
  auto o = std::make_shared<ConvertCommandOptions>();
  CLI::App* cmd = app.add_subcommand("convert", "Put one performance of your own recordings into the release layout");
  cmd->footer(
      "Writes DIR/hand_data/keyp_top|keyp_right/NAME.pkl, keystroke_data/NAME.pkl and emg_data/NAME.pkl (numpy "
      "pickles as in the PianoKPM release), so that `train` and `eval` run on your data unchanged. Keystrokes and EMG "
      "are cut to the shorter of the two (they must agree within one window); MIDI is rendered over the EMG's (or "
      "the pose's) duration; its notes may end early but not more than one window late. Raw EMG goes through the "
      "same processing as `pianokpm emg`.");
  cmd->add_option("-o,--out", o->out, "Corpus folder (created)")->required();
  cmd->add_option("--name", o->name, "Performance name, e.g. t1_p21_1 (files are NAME.pkl)")->required();
  cmd->add_option("--pose-top", o->pose_top,
                  fmt::format("Top-camera keypoints: .pkl, .npy, .csv or .json [T,{},C>=2] at {:g} fps, or .c3d markers",
                              kReleaseLayout.num_keypoints, kReleaseLayout.pose_rate_hz));
  cmd->add_option("--pose-right", o->pose_right, "Right-camera keypoints, same formats");
  cmd->add_option(
      "--c3d-markers", o->c3d_markers,
      "For a .c3d --pose-top/--pose-right: JSON mapping the 21 keypoints to marker labels, "
      "{\"keypoints\": [\"RWRA\", ...], \"up\": \"z\"}; the markers are seen from above and resampled to the pose rate");
  auto* keys = cmd->add_option("--keys", o->keys,
                               fmt::format("Key depth [N,{}] at {:g} Hz (.pkl, .npy), or a .mid file", kReleaseLayout.num_keys,
                                           kReleaseLayout.emg_rate_hz));
  cmd->add_option("--midi", o->midi, "Keystrokes from a standard MIDI file")->excludes(keys);
  auto* raw = cmd->add_option("--emg", o->emg_raw,
                              fmt::format("Raw EMG: .edf, .bdf, .gdf, .c3d (analog channels), .csv, .npy or .pkl ({} channels)",
                                          kReleaseLayout.emg_channels));
  cmd->add_option("--emg-envelope", o->emg_envelope,
                  fmt::format("An EMG envelope already at {:g} Hz, [N,{}] .pkl or .npy", kReleaseLayout.emg_rate_hz,
                              kReleaseLayout.emg_channels))
      ->excludes(raw);
  cmd->add_option("--split", o->split, "Split file to list the performance in (created if missing)");
  cmd->add_option("--set", o->set, "Which list of the split file: train, val, test, ...")->capture_default_str();
  cmd->add_option("--config", o->config_path, "Model config JSON for the layout (keypoints, keys, rates)");
  add_emg_processing_options(cmd, o->processing);
  add_bids_options(cmd, o->bids);
  return [o] { return run_convert(*o); };
}

}  // namespace pianokpm
