#include "synth/key_motion.h"

#include "synth/keyboard.h"

namespace pianokpm::synth {

torch::Tensor render_key_depth(const Score& score, double seconds, double rate_hz) {
  std::vector<KeyPress> presses;
  presses.reserve(score.notes.size());
  for (const Note& n : score.notes) presses.push_back(key_press(n));
  return pianokpm::render_key_depth(presses, seconds, rate_hz, kNumKeys);
}

}  // namespace pianokpm::synth
