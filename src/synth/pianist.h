#pragma once
// A simulated pianist: anatomy, playing habits and neuromuscular parameters, drawn once per
// pianist from the corpus seed. These are the "hidden parameters" recorded in meta/NAME.json.
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>

#include "core/stream_layout.h"

namespace pianokpm::synth {

constexpr int kNumMuscles = kReleaseLayout.emg_channels;  // in muscle_names() order
constexpr int kNumFingers = 5;                            // thumb, index, middle, ring, little

struct Pianist {
  int id = 1;
  double hand_scale = 1.0;                         // segment lengths relative to an average adult hand
  double finger_spacing_mm = 21.0;                 // resting distance between neighbouring fingertips
  double rest_height_mm = 14.0;                    // fingertip height above the keys between presses
  double lift_mm = 10.0;                           // extra lift before a press
  double tempo_bpm = 100.0;                        // preferred tempo
  double loudness = 0.7;                           // 0..1, typical dynamic
  double timing_jitter_s = 0.008;                  // onset timing noise
  std::array<double, kNumMuscles> gain{};          // drive per muscle (co-ordination style)
  std::array<double, kNumMuscles> tonic{};         // resting activation
  std::array<double, kNumMuscles> electrode_mv{};  // raw EMG amplitude at full activation
  double emd_s = 0.05;                             // electromechanical delay: EMG onset before key-bed contact
  double tau_activation_s = 0.012;                 // activation dynamics (rise)
  double tau_deactivation_s = 0.045;
  double hum_mv = 0.01;           // mains hum amplitude on the electrodes
  double sensor_noise_mv = 0.01;  // amplifier noise (RMS)
  // Habits of simulator 2 (synth/motor_strategy.h), drawn from a stream of their own so that the
  // parameters above are the same under both simulators.
  std::array<std::array<double, kNumFingers>, kNumMuscles> recruitment{};  // drive by finger
  std::array<double, kNumMuscles> posture_habit{};                         // scales the task's held posture
  double crossing_pb_share = 1.0;                                          // thumb crossings: PB's share, the rest 1DI
  double co_contraction_habit = 1.0;                                       // scales the task's co-contraction in chords
  double stiffness_habit = 1.0;                                            // scales stiffening with the repetition rate

  static Pianist sample(int id, uint64_t seed);
  nlohmann::json to_json() const;
};

}  // namespace pianokpm::synth
