#pragma once
// How a key moves when struck: descent from rest to the key bed (faster for louder notes), hold,
// and release. The same trajectory drives the keystroke stream and the pressing fingertip.
#include <torch/torch.h>

#include <vector>

#include "synth/score.h"

namespace pianokpm::synth {

constexpr double kReleaseS = 0.06;  // key return after the finger lets go

double descent_time_s(int velocity);
// Key depth 0 (rest) .. 1 (bed) of the key struck by `note` at time `t_s`.
double key_depth(const Note& note, double t_s);
// First and last time the note moves its key.
inline double key_motion_start_s(const Note& n) { return n.t_bed_s - descent_time_s(n.velocity); }
inline double key_motion_end_s(const Note& n) { return n.t_release_s + kReleaseS; }

// [round(seconds * rate_hz), 88] float32 key depths.
torch::Tensor render_key_depth(const Score& score, double seconds, double rate_hz);

}  // namespace pianokpm::synth
