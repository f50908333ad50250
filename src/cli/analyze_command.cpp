// pianokpm analyze: bursts, co-contraction and keystroke-locked activation of any EMG, as JSON.
#include <spdlog/spdlog.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "analysis/emg_analysis.h"
#include "data/performance.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "data/emg_inputs.h"
#include "io/file_names.h"
#include "io/atomic_file.h"
#include "core/input_error.h"
#include "core/stream_layout.h"

namespace pianokpm {

namespace {

// AnalysisOptions' co-contraction pairs as --pairs spells them: FIRST-SECOND.
std::vector<std::string> default_pairs() {
  std::vector<std::string> pairs;
  for (const auto& [first, second] : AnalysisOptions{}.co_contraction_pairs) pairs.push_back(first + "-" + second);
  return pairs;
}

struct AnalyzeCommandOptions {
  std::string emg, keys, midi, out, pose;
  std::vector<double> keyboard;
  std::vector<std::string> pairs = default_pairs();
  AnalysisOptions analysis;
};

int run_analyze(AnalyzeCommandOptions o) {
  require_output_extension(o.out, {".json"});
  o.analysis.co_contraction_pairs.clear();
  for (const std::string& p : o.pairs) {
    const auto dash = p.find('-');
    if (dash == std::string::npos)
      throw InputError("--pairs", "'" + p + "' is not two muscles joined by '-' (e.g. " + default_pairs().front() + ")");
    o.analysis.co_contraction_pairs.emplace_back(p.substr(0, dash), p.substr(dash + 1));
  }
  o.analysis.check();
  const EmgInputs in = read_emg_inputs(o.emg, o.keys, o.midi, o.analysis.bursts.rate_hz);
  torch::Tensor pose;
  KeyboardGeometry keyboard;
  if (!o.pose.empty()) {
    if (!in.keys.defined()) throw InputError("--pose", "per-finger attribution needs the keystrokes (--keys or --midi)");
    if (o.keyboard.size() != 2 || !(o.keyboard[1] != o.keyboard[0]))
      throw InputError("--keyboard", "give the x of the centres of A0 and C8 in the top image, e.g. --keyboard 40,1240");
    keyboard = {o.keyboard[0], o.keyboard[1]};
    pose = read_pose_array(o.pose, kReleaseLayout);
    const double pose_s = static_cast<double>(pose.size(0)) / o.analysis.pose_rate_hz;
    const double emg_s = static_cast<double>(in.emg.size(0)) / o.analysis.bursts.rate_hz;
    if (std::abs(pose_s - emg_s) > 1.0)
      throw InputError(o.pose,
                       fmt::format("keypoints last {:.2f} s but the EMG lasts {:.2f} s (more than 1 s apart)", pose_s, emg_s));
  }
  const EmgAnalysis a = analyze_emg(in.emg, in.keys, o.analysis, pose, keyboard);
  nlohmann::json j = analysis_to_json(a, o.analysis);
  j["emg"]["file"] = o.emg;
  if (in.keys.defined()) j["keystrokes"]["file"] = o.midi.empty() ? o.keys : o.midi;
  write_file_atomically(o.out, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  spdlog::info("wrote {} ({:.1f} s of EMG{})", o.out, static_cast<double>(a.samples) / a.rate_hz,
               a.has_keys ? ", " + std::to_string(a.keystrokes.size()) + " keystrokes" : "");
  return 0;
}

}  // namespace

CommandRunner add_analyze_command(CLI::App& app) {
  auto o = std::make_shared<AnalyzeCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("analyze",
                         "Analyse six EMG envelopes (estimated or measured): level, bursts, co-contraction, and with keys the "
                         "activation around keystrokes per octave and burst-to-keystroke lead times (docs/analysis.md)");
  cmd->add_option("--emg", o->emg, emg_file_help())->required();
  auto* keys = cmd->add_option(
      "--keys", o->keys, fmt::format("Key depth [N,{}] (.pkl/.npy) at the EMG's rate, or a MIDI file", kReleaseLayout.num_keys));
  cmd->add_option("--midi", o->midi, "Keystrokes from a MIDI file")->excludes(keys);
  cmd->add_option("--rate", o->analysis.bursts.rate_hz, "Samples per second of the EMG (and keys)")->capture_default_str();
  cmd->add_option("--k-sd", o->analysis.bursts.k_sd, "Burst threshold: baseline mean + k SD")->capture_default_str();
  cmd->add_option("--min-rise", o->analysis.bursts.min_rise,
                  "Burst threshold at least this fraction of the way from baseline to peak")
      ->capture_default_str();
  cmd->add_option("--min-burst", o->analysis.bursts.min_burst_s, "Shortest burst, seconds")->capture_default_str();
  cmd->add_option("--min-gap", o->analysis.bursts.min_gap_s, "Shorter gaps between bursts are bridged, seconds")
      ->capture_default_str();
  cmd->add_option("--pose", o->pose,
                  fmt::format("Top-camera keypoints [T,{},C>=2] (with --keyboard): each keystroke goes to the "
                              "finger whose tip is nearest the key",
                              kReleaseLayout.num_keypoints));
  cmd->add_option("--keyboard", o->keyboard, "x of the centres of keys A0 and C8 in the top image, in the keypoints' units")
      ->delimiter(',')
      ->expected(2);
  cmd->add_option("--pose-rate", o->analysis.pose_rate_hz, "Keypoint frames per second")->capture_default_str();
  cmd->add_option("--pairs", o->pairs, fmt::format("Co-contraction pairs, e.g. {}", fmt::join(default_pairs(), " ")))
      ->capture_default_str();
  cmd->add_option("-o,--out", o->out, "Output JSON")->required();
  return [o] { return run_analyze(*o); };
}

}  // namespace pianokpm
