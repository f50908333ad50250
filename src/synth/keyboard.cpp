#include "synth/keyboard.h"

namespace pianokpm::synth {

namespace {
// Black keys by pitch class (C = 0).
constexpr bool kBlack[12] = {false, true, false, true, false, false, true, false, true, false, true, false};
}  // namespace

bool is_black_key(int key) { return kBlack[(key + kMidiOffset) % 12]; }

double key_x_mm(int key) {
  int whites_before = 0;
  for (int k = 0; k < key; ++k) whites_before += is_black_key(k) ? 0 : 1;
  return is_black_key(key) ? whites_before * kWhiteKeyWidthMm : (whites_before + 0.5) * kWhiteKeyWidthMm;
}

double key_strike_y_mm(int key) { return is_black_key(key) ? -95.0 : -35.0; }

}  // namespace pianokpm::synth
