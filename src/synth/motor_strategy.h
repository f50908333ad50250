#pragma once
// How a press turns into muscle drive, for one pianist playing one task type.
//
// Simulator 1 (the corpus of docs/results.md before December 2026): one finger-to-muscle table for
// everybody, scaled per pianist and muscle; tasks differ only in the notes they play.
// Simulator 2 (the default): each task type is played with its own strategy and each pianist
// recruits their muscles their own way:
//   - hand posture held through a phrase (an open hand for arpeggios, a spread one for octaves);
//   - wide chords and octaves hold ADM and PB (little-finger and thumb abduction) while held;
//   - stiffening with the repetition rate (trills, repeated notes): all muscles co-activate;
//   - thumb crossings (scales, arpeggios) drive PB and 1DI, shared as the pianist habitually does;
//   - co-contraction in chords as strong as the task demands and the pianist tends to.
// Simulator 3 (synth/anatomical_drive.h): the presses, reaches and crossings drive the muscles
// through the musculoskeletal hand instead of the tables; what a task adds beyond mechanics
// (held posture, stiffening, co-contraction) stays as in simulator 2.
#include <array>
#include <random>

#include "synth/pianist.h"

namespace pianokpm::synth {

constexpr int kLatestSimulator = 3;

struct MuscleDrive {
  // Drive of each muscle (rows ADM, PB, 1DI, 2DI, 3DI, 4DI) by a press of each finger (thumb..little).
  std::array<std::array<double, kNumFingers>, kNumMuscles> recruitment{};
  std::array<double, kNumMuscles> crossing{};   // added when the thumb passes under
  double co_contraction = 0.25;                 // every muscle, chords of 3+ notes and wide intervals
  std::array<double, kNumMuscles> posture{};    // held while a phrase is played
  std::array<double, kNumMuscles> span_hold{};  // held while a wide chord is down, per unit of span
  double stiffness_per_hz = 0;                  // every muscle, per note/s above kRelaxedRateHz
};

// The note rate (notes/s over the last kRateWindowS) below which the hand stays relaxed.
constexpr double kRelaxedRateHz = 4.0;
constexpr double kRateWindowS = 0.5;

// The drive for `pianist` playing `task` (1..7) with simulator version 1, 2 or 3 (3: simulator 2's
// strategy with no finger table, crossing or span hold, and half its chord co-contraction: the
// mechanics gives those).
MuscleDrive muscle_drive(const Pianist& pianist, int task, int simulator);

// A pianist's own finger-to-muscle table (simulator 2): the shared one with each entry scaled by
// its own factor, and small drives where the shared table has none.
std::array<std::array<double, kNumFingers>, kNumMuscles> individual_recruitment(std::mt19937_64& rng);

}  // namespace pianokpm::synth
