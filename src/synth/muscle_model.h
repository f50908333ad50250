#pragma once
// From the played notes to surface EMG of the six muscles.
//
// Excitation: each press drives the muscles that serve its finger (ADM little finger; PB thumb
// and thumb crossings; 1DI index and thumb adduction; 2DI/3DI the middle finger's radial/ulnar
// stabilisers; 4DI ring finger), harder for louder notes and wider chords, with co-contraction of
// all six in chords and octaves, on top of a tonic level; simulator 2 adds each task's strategy
// and each pianist's recruitment (synth/motor_strategy.h). The burst starts one electromechanical
// delay before the key reaches its bed. Activation follows with first-order dynamics (faster up
// than down). Raw EMG is activation-modulated 20-450 Hz noise plus amplifier noise and mains hum;
// the envelope is derived from it exactly as from a real recording and normalised by a simulated
// maximum voluntary contraction (MVC) of the same pianist and electrode.
#include <torch/torch.h>

#include <array>
#include <random>

#include "signal/emg_envelope.h"
#include "synth/motor_strategy.h"
#include "synth/pianist.h"
#include "synth/score.h"

namespace pianokpm::synth {

constexpr double kMainsHz = 50.0;

// [round(seconds * rate_hz), 6] float64 neural excitation in 0..1, driven as `drive` says
// (muscle_drive(pianist, task, simulator)).
torch::Tensor muscle_excitation(const Score& score, const Pianist& pianist, double seconds, double rate_hz, std::mt19937_64& rng,
                                const MuscleDrive& drive);
// First-order activation dynamics (tau_activation rising, tau_deactivation falling).
torch::Tensor muscle_activation(const torch::Tensor& excitation, const Pianist& pianist, double rate_hz);
// [M, 6] float64 raw surface EMG in millivolts.
torch::Tensor raw_emg(const torch::Tensor& activation, const Pianist& pianist, double rate_hz, std::mt19937_64& rng);
// Envelope of each raw channel at the envelope options' output rate, divided by `mvc`, clipped to 0..1.
torch::Tensor normalised_envelope(const torch::Tensor& raw, double rate_hz, const std::array<double, kNumMuscles>& mvc,
                                  const EmgEnvelopeOptions& options);
// The envelope level of a 2-s full contraction through the same electrode and processing.
std::array<double, kNumMuscles> mvc_reference(const Pianist& pianist, double rate_hz, const EmgEnvelopeOptions& options,
                                              uint64_t seed);

}  // namespace pianokpm::synth
