// pianokpm synth: writes the synthetic pianist corpus in the PianoKPM release layout.
#include <spdlog/spdlog.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <thread>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "core/stream_layout.h"
#include "synth/hand_model.h"
#include "synth/keyboard.h"
#include "synth/corpus.h"

namespace pianokpm {

namespace {

// The footer of `synth --help`, with the layout and rates of SynthOptions' defaults.
std::string synth_description() {
  const synth::SynthOptions d{};
  return fmt::format(R"(Write a synthetic PianoKPM-like corpus (simulated, not recordings of people).

Per performance t{{task}}_p{{pianist}}_{{take}}: hand_data/keyp_top|keyp_right/NAME.pkl [T,{},3]
(pixels x, y and confidence at {:g} fps, MediaPipe order, detector noise, dropped frames with
confidence 0), keystroke_data/NAME.pkl [N,{}] key depth 0..1 at {:g} Hz, emg_data/NAME.pkl
[N,{}] envelope 0..1 ({}), emg_raw/NAME.pkl [M,{}] raw EMG in mV at {:g} Hz,
midi/NAME.mid, meta/NAME.json; dataset_architectural.json and dataset_held_out.json.

The physiology in brief: each pianist has a hand (segment lengths, span, resting posture),
tempo, loudness, per-muscle drive gains, tonic levels, an electromechanical delay (35-70 ms)
and activation/deactivation time constants (8-16 / 35-60 ms). Seven tasks (scales with thumb
crossings, arpeggios, repeated notes, trills, chords and octaves, five-finger exercises, free
piece) are composed with fingering; keys descend faster for louder notes. Each press drives
the muscles that serve its finger (ADM little finger; PB thumb and crossings; 1DI index and
thumb adduction; 2DI/3DI middle finger; 4DI ring finger), more for louder notes and wide
chords, with co-contraction in chords and octaves, starting one electromechanical delay before
the key reaches its bed. Simulator 2 (the default) adds how each task is played and each
pianist's habits: a posture held through a phrase (open hand for arpeggios, spread for chords
and octaves), stiffening with the repetition rate (trills, repeated notes), thumb crossings
shared between PB and 1DI, task-dependent co-contraction, and a finger-to-muscle table of each
pianist's own (meta/NAME.json lists them). Raw EMG is activation-modulated 20-450 Hz noise plus amplifier noise
and 50 Hz hum; the envelope is band-pass, rectify, 10 Hz low-pass, resample to {:g} Hz,
normalised by a simulated MVC of the same pianist and muscle. The same seed gives the same bytes.)",
                     synth::kNumKeypoints, d.pose_rate_hz, synth::kNumKeys, d.keys_rate_hz, synth::kNumMuscles,
                     fmt::join(muscle_names(), ","), synth::kNumMuscles, d.raw_emg_rate_hz, d.envelope.output_rate_hz);
}

struct SynthCommandOptions {
  synth::SynthOptions synth;
  std::string out;
  int threads = 0;
};

int run_synth(const SynthCommandOptions& o) {
  apply_thread_count(o.threads);
  o.synth.check();
  const auto start = std::chrono::steady_clock::now();
  const auto total = static_cast<int64_t>(synth::selected_performances(o.synth).size());
  ProgressBar bar("synth", "performances", total);
  synth::write_corpus(o.synth, o.out, [&](int64_t done, int64_t) { bar.update(done); });
  bar.finish();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("wrote {} performances ({:.1f} min of playing) to {} in {:.1f} s", total,
               static_cast<double>(total) * o.synth.seconds / 60.0, o.out, elapsed);
  return 0;
}

}  // namespace

CommandRunner add_synth_command(CLI::App& app) {
  auto o = std::make_shared<SynthCommandOptions>();
  CLI::App* cmd = app.add_subcommand("synth", "Generate the synthetic pianist corpus (pose, keystrokes, EMG, MIDI)");
  cmd->footer(synth_description());
  cmd->add_option("-o,--out", o->out, "Output folder (created)")->required();
  cmd->add_option("--pianists", o->synth.pianists, "Number of pianists")->capture_default_str();
  cmd->add_option("--tasks", o->synth.tasks, "Task types T1..Tn (at most 7)")->capture_default_str();
  cmd->add_option("--takes", o->synth.takes, "Performances per pianist and task")->capture_default_str();
  cmd->add_option("--seconds", o->synth.seconds, "Length of each performance in seconds")->capture_default_str();
  cmd->add_option("--seed", o->synth.seed, "Random seed; the same seed writes the same bytes")->capture_default_str();
  cmd->add_option("--simulator", o->synth.simulator,
                  "3: muscles driven through a musculoskeletal hand (MyoHand's moment arms, static optimisation), "
                  "so sideways finger motion moves the abductors; 2: tasks with their own motor strategies, pianists "
                  "with their own recruitment; 1: the earlier simulator (tasks differ only in their notes)")
      ->capture_default_str();
  cmd->add_option("--cameras", o->synth.cameras,
                  "fixed: one top camera for every performance; varied: a camera of its own per performance (overhead, "
                  "over the shoulder, on the music stand, beside the keyboard; any image size; left or right hand) with "
                  "MediaPipe-like tracking noise, and test_cross_camera in the held-out split")
      ->capture_default_str()
      ->check(CLI::IsMember({"fixed", "varied"}));
  cmd->add_option("--held-out-tasks", o->synth.held_out_tasks, "Tasks kept out of training for test_cross_task")
      ->capture_default_str();
  cmd->add_option("--held-out-pianists", o->synth.held_out_pianist_fraction,
                  "Fraction of pianists kept out of training for test_cross_user")
      ->capture_default_str();
  cmd->add_option("--only-set", o->synth.only_set,
                  "Write only one set's performances, SPLIT:SET (e.g. architectural:test), byte for byte as in "
                  "the whole corpus");
  cmd->add_option("-t,--threads", o->threads, "Worker threads (0: one per core)")->capture_default_str();
  return [o] { return run_synth(*o); };
}

}  // namespace pianokpm
