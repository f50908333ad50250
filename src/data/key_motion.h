#pragma once
// How a piano key moves when struck: descent from rest to the key bed (faster for louder notes),
// hold, and release. Real MIDI becomes key depth through it (data/midi_keystrokes.h), and the
// simulator moves its keys and fingertips with it (synth/), so both give the same key stream.
#include <torch/torch.h>

#include <vector>

namespace pianokpm {

struct KeyPress {
  int key = 0;             // 0..num_keys-1 (0 = A0)
  int velocity = 64;       // 1..127
  double t_bed_s = 0;      // the key reaches its bed (MIDI note-on)
  double t_release_s = 0;  // the finger lets go (MIDI note-off)
};

inline constexpr double kKeyReleaseS = 0.06;  // key return after the finger lets go

double key_descent_s(int velocity);
// Key depth 0 (rest) .. 1 (bed) of the key `press` strikes, at time `t_s`.
double key_depth(const KeyPress& press, double t_s);
// First and last time the press moves its key.
inline double key_motion_start_s(const KeyPress& p) { return p.t_bed_s - key_descent_s(p.velocity); }
inline double key_motion_end_s(const KeyPress& p) { return p.t_release_s + kKeyReleaseS; }

// [round(seconds * rate_hz), num_keys] float32 key depths; a key pressed twice at once takes the deeper.
torch::Tensor render_key_depth(const std::vector<KeyPress>& presses, double seconds, double rate_hz, int num_keys);

}  // namespace pianokpm
