#pragma once
// Keystrokes read back from key depth: each time a key reaches its bed, how long it stays there
// and how fast it went down. The inverse of render_key_depth (data/key_motion.h) for the key
// motion it renders, and a fair reading of any key-depth sensor whose keys reach their beds.
#include <torch/torch.h>

#include <vector>

#include "data/key_motion.h"

namespace pianokpm {

struct KeyPressReading {
  double bed_depth = 0.95;  // a key at or past this depth (0 rest .. 1 bed) is down
  void check() const;
};

// depth: [N, num_keys] at rate_hz. Presses in order of t_bed_s: t_bed_s is the first sample at
// or past bed_depth, t_release_s the last (a key still down at the end: the last sample).
// Velocity comes from the descent time (from the last lowest sample) through key_descent_s.
std::vector<KeyPress> key_presses_from_depth(const torch::Tensor& depth, double rate_hz, const KeyPressReading& reading = {});

}  // namespace pianokpm
