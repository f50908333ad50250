#include "synth/motor_strategy.h"

#include <cmath>
#include <stdexcept>

#include "synth/score.h"

namespace pianokpm::synth {

namespace {

// Rows: ADM, PB, 1DI, 2DI, 3DI, 4DI; columns: thumb, index, middle, ring, little.
constexpr double kFingerDrive[kNumMuscles][kNumFingers] = {
    {0.0, 0.0, 0.0, 0.1, 1.0},  // ADM: little finger abduction and flexion
    {1.0, 0.0, 0.0, 0.0, 0.0},  // PB: thumb abduction
    {0.5, 1.0, 0.1, 0.0, 0.0},  // 1DI: index abduction, thumb adduction
    {0.0, 0.2, 0.8, 0.1, 0.0},  // 2DI: middle finger, radial side
    {0.0, 0.0, 0.7, 0.3, 0.0},  // 3DI: middle finger, ulnar side
    {0.0, 0.0, 0.1, 1.0, 0.2},  // 4DI: ring finger
};
constexpr double kCrossingDrive = 0.6;
// Simulator 3's hand already co-contracts to steady pressed fingers (anatomy/muscle_activity.h):
// the task's chord co-contraction adds half as much on top.
constexpr double kMechanicsCoContractionShare = 0.5;
constexpr double kCoContraction = 0.25;

// How each task type is played (simulator 2), before the pianist's own habits.
struct TaskStrategy {
  std::array<double, kNumMuscles> posture;
  double span_hold;  // ADM and PB
  double stiffness_per_hz;
  double crossing;  // PB + 1DI together
  double co_contraction;
};
constexpr TaskStrategy kTaskStrategy[kNumTasks] = {
    // scales: a quiet hand, the thumb passing under
    {{0.0, 0.04, 0.04, 0.0, 0.0, 0.0}, 0.0, 0.012, 0.8, 0.25},
    // arpeggios: an open hand over the chord shape, big crossings rotating the wrist
    {{0.10, 0.10, 0.05, 0.0, 0.0, 0.05}, 0.0, 0.008, 1.1, 0.25},
    // repeated notes: the stabilisers of the pressing fingers stay on
    {{0.0, 0.0, 0.03, 0.07, 0.07, 0.0}, 0.0, 0.030, 0.0, 0.25},
    // trills: a firm hand, fast alternation stiffens it
    {{0.0, 0.0, 0.06, 0.05, 0.04, 0.03}, 0.0, 0.035, 0.0, 0.25},
    // chords and octaves: a spread hand held from the key bed to the release
    {{0.05, 0.05, 0.0, 0.0, 0.0, 0.0}, 0.40, 0.0, 0.0, 0.45},
    // five-finger exercises: relaxed, the hand in place
    {{0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, 0.0, 0.004, 0.3, 0.15},
    // free piece: a little of everything
    {{0.02, 0.02, 0.02, 0.02, 0.02, 0.02}, 0.15, 0.012, 0.6, 0.30},
};

}  // namespace

MuscleDrive muscle_drive(const Pianist& p, int task, int simulator) {
  if (task < 1 || task > kNumTasks) throw std::invalid_argument("task must be 1..7");
  if (simulator < 1 || simulator > kLatestSimulator) throw std::invalid_argument("simulator must be 1, 2 or 3");
  MuscleDrive d;
  for (int m = 0; m < kNumMuscles; ++m)
    for (int f = 0; f < kNumFingers; ++f) d.recruitment[m][f] = kFingerDrive[m][f];
  d.crossing[1] = kCrossingDrive;
  d.co_contraction = kCoContraction;
  if (simulator == 1) return d;

  const TaskStrategy& s = kTaskStrategy[task - 1];
  for (int m = 0; m < kNumMuscles; ++m) {
    for (int f = 0; f < kNumFingers; ++f) d.recruitment[m][f] = p.recruitment[m][f];
    d.posture[m] = s.posture[m] * p.posture_habit[m];
  }
  d.crossing = {};
  d.crossing[1] = s.crossing * p.crossing_pb_share;
  d.crossing[2] = s.crossing * (1.0 - p.crossing_pb_share);
  d.co_contraction = s.co_contraction * p.co_contraction_habit;
  d.span_hold[0] = d.span_hold[1] = s.span_hold;
  d.stiffness_per_hz = s.stiffness_per_hz * p.stiffness_habit;
  if (simulator == 3) {
    d.recruitment = {};
    d.crossing = {};
    d.span_hold = {};
    d.co_contraction *= kMechanicsCoContractionShare;
  }
  return d;
}

std::array<std::array<double, kNumFingers>, kNumMuscles> individual_recruitment(std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::array<std::array<double, kNumFingers>, kNumMuscles> r{};
  for (int m = 0; m < kNumMuscles; ++m) {
    for (int f = 0; f < kNumFingers; ++f) {
      // Each entry by its own factor; where the table has none, some pianists still recruit a little.
      r[m][f] = kFingerDrive[m][f] > 0 ? kFingerDrive[m][f] * std::exp(0.3 * normal(rng))
                                       : (unit(rng) < 0.3 ? 0.1 + 0.2 * unit(rng) : 0.0);
    }
  }
  return r;
}

}  // namespace pianokpm::synth
