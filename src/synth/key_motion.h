#pragma once
// The simulator's notes through the key model of data/key_motion.h (the one real MIDI goes through).
#include <torch/torch.h>

#include "data/key_motion.h"
#include "synth/score.h"

namespace pianokpm::synth {

inline KeyPress key_press(const Note& n) { return {n.key, n.velocity, n.t_bed_s, n.t_release_s}; }
inline double key_depth(const Note& n, double t_s) { return pianokpm::key_depth(key_press(n), t_s); }
inline double key_motion_start_s(const Note& n) { return pianokpm::key_motion_start_s(key_press(n)); }
inline double key_motion_end_s(const Note& n) { return pianokpm::key_motion_end_s(key_press(n)); }

// [round(seconds * rate_hz), 88] float32 key depths of the score's notes.
torch::Tensor render_key_depth(const Score& score, double seconds, double rate_hz);

}  // namespace pianokpm::synth
