#include "synth/pianist.h"

#include <cmath>
#include <random>

#include "synth/motor_strategy.h"
#include "synth/random.h"

namespace pianokpm::synth {

Pianist Pianist::sample(int id, uint64_t seed) {
  std::mt19937_64 rng(mix_seed(seed, 0x9A11157ull, static_cast<uint64_t>(id)));
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  std::normal_distribution<double> normal(0.0, 1.0);
  Pianist p;
  p.id = id;
  p.hand_scale = uniform(0.9, 1.12);
  p.finger_spacing_mm = 21.0 * p.hand_scale * uniform(0.95, 1.05);
  p.rest_height_mm = uniform(10, 18);
  p.lift_mm = uniform(6, 14);
  p.tempo_bpm = uniform(84, 120);
  p.loudness = uniform(0.5, 0.85);
  p.timing_jitter_s = uniform(0.004, 0.012);
  for (int m = 0; m < kNumMuscles; ++m) {
    p.gain[m] = std::exp(0.35 * normal(rng));  // pianists differ by tens of percent per muscle
    p.tonic[m] = uniform(0.02, 0.07);
    p.electrode_mv[m] = uniform(0.6, 1.6);
  }
  p.emd_s = uniform(0.035, 0.070);
  p.tau_activation_s = uniform(0.008, 0.016);
  p.tau_deactivation_s = uniform(0.035, 0.060);
  p.hum_mv = uniform(0.03, 0.08);
  p.sensor_noise_mv = uniform(0.002, 0.006);

  std::mt19937_64 habits(mix_seed(seed, 0x4AB175ull, static_cast<uint64_t>(id)));
  std::normal_distribution<double> spread(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  p.recruitment = individual_recruitment(habits);
  for (double& h : p.posture_habit) h = std::exp(0.4 * spread(habits));
  p.crossing_pb_share = 0.3 + 0.7 * unit(habits);
  p.co_contraction_habit = std::exp(0.4 * spread(habits));
  p.stiffness_habit = 0.4 + 1.2 * unit(habits);
  return p;
}

nlohmann::json Pianist::to_json() const {
  return {{"id", id},
          {"hand_scale", hand_scale},
          {"finger_spacing_mm", finger_spacing_mm},
          {"rest_height_mm", rest_height_mm},
          {"lift_mm", lift_mm},
          {"tempo_bpm", tempo_bpm},
          {"loudness", loudness},
          {"timing_jitter_s", timing_jitter_s},
          {"muscle_gain", gain},
          {"muscle_tonic", tonic},
          {"electrode_mv", electrode_mv},
          {"electromechanical_delay_s", emd_s},
          {"tau_activation_s", tau_activation_s},
          {"tau_deactivation_s", tau_deactivation_s},
          {"hum_mv", hum_mv},
          {"sensor_noise_mv", sensor_noise_mv},
          {"recruitment_by_finger", recruitment},
          {"posture_habit", posture_habit},
          {"crossing_pb_share", crossing_pb_share},
          {"co_contraction_habit", co_contraction_habit},
          {"stiffness_habit", stiffness_habit}};
}

}  // namespace pianokpm::synth
