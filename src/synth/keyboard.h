#pragma once
// Piano keyboard geometry in millimetres. Key index 0..87 = A0..C8 (MIDI note = index + 21).
// Frame: X along the keyboard (left to right), Y towards the player (key fronts at Y = 0),
// Z up (key tops at rest at Z = 0; a key pressed to its bed is at Z = -kKeyDipMm).
#include "core/stream_layout.h"
#include "io/midi_reader.h"

namespace pianokpm::synth {

constexpr int kNumKeys = kReleaseLayout.num_keys;
constexpr int kMidiOffset = kMidiPitchA0;
constexpr double kWhiteKeyWidthMm = 23.5;
constexpr double kKeyDipMm = 10.0;

bool is_black_key(int key);
// X of the key's centre (black keys sit on the boundary of their white neighbours).
double key_x_mm(int key);
// Y where a fingertip strikes the key: white keys near the front, black keys further back.
double key_strike_y_mm(int key);

}  // namespace pianokpm::synth
