#pragma once
// The synthetic PianoKPM-like corpus: performances `t{task}_p{pianist}_{take}` in the release
// layout (hand_data/keyp_top, hand_data/keyp_right, keystroke_data, emg_data as numpy pickles),
// plus emg_raw/, midi/, meta/ and the two split files.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/stream_layout.h"
#include "signal/emg_envelope.h"
#include "synth/camera_rig.h"
#include "synth/pianist.h"
#include "synth/score.h"

namespace pianokpm::synth {

struct SynthOptions {
  int pianists = 20;      // the release has 20
  int tasks = kNumTasks;  // T1..Tn of the seven task types
  int takes = 3;          // performances per pianist and task
  double seconds = 60.0;  // length of each performance
  uint64_t seed = 42;
  // 3: the muscles driven through a musculoskeletal hand (synth/anatomical_drive.h).
  // 2: tasks played with their own motor strategies, pianists with their own recruitment
  // (synth/motor_strategy.h); 1: the earlier simulator, whose corpus docs/results.md's first
  // tables were measured on.
  int simulator = 2;
  // "fixed": the top camera of docs/synthetic-data.md for every performance (the shipped models'
  // corpora). "varied": each performance's top view filmed by a camera of its own
  // (synth/camera_rig.h: a family of placements per performance, position, angles, focal length,
  // image size, left or right hand) with MediaPipe-like tracking noise; the held-out split then
  // also holds one family out as test_cross_camera. The right-side camera is the same in both.
  std::string cameras = "fixed";
  double pose_rate_hz = kReleaseLayout.pose_rate_hz;  // camera frame rate
  double keys_rate_hz = kReleaseLayout.emg_rate_hz;   // keystroke and envelope rate
  double raw_emg_rate_hz = 2000.0;
  EmgEnvelopeOptions envelope;             // how emg_data is derived from emg_raw
  double val_fraction = 0.15;              // of performances (architectural) or of seen ones (held-out)
  double test_fraction = 0.15;             // architectural split
  double held_out_pianist_fraction = 0.2;  // test_cross_user
  int held_out_tasks = 1;                  // test_cross_task
  // "SPLIT:SET" (e.g. "architectural:test"): write only that set's performances, byte for byte as
  // in the whole corpus (the split files still list all); empty: every performance.
  std::string only_set;

  void check() const;  // throws std::invalid_argument naming the bad field
  nlohmann::json to_json() const;
};

std::string performance_name(int task, int pianist, int take);

// The camera family (synth/camera_rig.h) that films a performance's top view under "varied".
int camera_family(uint64_t seed, int task, int pianist, int take);
// The family the held-out split keeps out of training (test_cross_camera).
int held_out_camera_family(uint64_t seed);

// Everything about one performance, in memory.
struct Performance {
  std::string name;
  int task = 1, pianist = 1, take = 1;
  Score score;
  torch::Tensor keypoints_3d;          // [T, 21, 3] float64 mm
  torch::Tensor pose_top, pose_right;  // [T, 21, 3] float32 pixels + confidence
  torch::Tensor keys;                  // [N, 88] float32
  torch::Tensor activation;            // [M, 6] float64 at the raw EMG rate
  torch::Tensor emg_raw;               // [M, 6] float32 mV
  torch::Tensor emg;                   // [N, 6] float32 0..1
  nlohmann::json meta;
};

// Deterministic in (options.seed, task, pianist, take).
Performance generate_performance(const SynthOptions& options, const Pianist& pianist, const std::array<double, kNumMuscles>& mvc,
                                 int task, int take);

// Writes the whole corpus under `out_dir` (created); files appear atomically. `on_progress`
// gets (performances done, total).
void write_corpus(const SynthOptions& options, const std::string& out_dir,
                  const std::function<void(int64_t, int64_t)>& on_progress = {});

// The performance files ("NAME.pkl") that `options.only_set` selects; every one when it is empty.
// Throws std::invalid_argument for an unknown split or set.
std::vector<std::string> selected_performances(const SynthOptions& options);

// The two split files' contents for the given options.
nlohmann::json architectural_split(const SynthOptions& options);
nlohmann::json held_out_split(const SynthOptions& options);

}  // namespace pianokpm::synth
