#pragma once
// Simulator 3: the muscles driven by what the hand does, through the musculoskeletal hand of
// anatomy/ (MyoHand's moment arms, static optimisation).
//
// The synthetic pianist's 3D keypoints (synth/hand_model.h) and the keys' push on each fingertip
// give each joint's torque; static optimisation gives the activation that produces it, which the
// neural excitation leads by the pianist's electromechanical delay. Sideways finger motion (a
// spread hand in chords and octaves, reaches in arpeggios, the thumb passing under) thus moves the
// abductors as anatomy says. On top come the pianist's own gain per muscle and what simulator 2's
// task strategy adds beyond mechanics: held posture, stiffening with the note rate, co-contraction
// in chords, the tonic level.
#include <torch/torch.h>

#include <random>

#include "anatomy/muscle_activity.h"
#include "synth/motor_strategy.h"
#include "synth/pianist.h"
#include "synth/score.h"

namespace pianokpm::synth {

// The rate the mechanics is computed at (the excitation is interpolated from it).
constexpr double kMechanicsRateHz = 200.0;

// [round(seconds * rate_hz), 5] float64 push of the keys on each fingertip (N, thumb..little): the
// finger accelerates the key to its bed (more for louder notes), then holds it down.
torch::Tensor fingertip_forces(const Score& score, double seconds, double rate_hz);

// The pianist's relaxed hand (every finger at home), as joint angles: where the joints are unloaded.
anatomy::JointMechanics pianist_mechanics(const Pianist& pianist);

// [round(seconds * rate_hz), 6] float64 excitation 0..1, like muscle_excitation (synth/muscle_model.h);
// `extras` is muscle_drive(pianist, task, 3).
torch::Tensor anatomical_excitation(const Score& score, const Pianist& pianist, double seconds, double rate_hz,
                                    std::mt19937_64& rng, const MuscleDrive& extras);

}  // namespace pianokpm::synth
