#include "synth/key_motion.h"

#include <algorithm>
#include <cmath>

#include "synth/keyboard.h"

namespace pianokpm::synth {

namespace {
double smoothstep(double s) {
  s = std::clamp(s, 0.0, 1.0);
  return s * s * (3 - 2 * s);
}
}  // namespace

double descent_time_s(int velocity) { return 0.012 + 0.05 * (1.0 - velocity / 127.0); }

double key_depth(const Note& n, double t) {
  const double t0 = key_motion_start_s(n);
  if (t < t0 || t > key_motion_end_s(n)) return 0.0;
  if (t < n.t_bed_s) {
    const double s = (t - t0) / (n.t_bed_s - t0);
    return s * s;  // the key accelerates under the finger until it hits the bed
  }
  if (t <= n.t_release_s) return 1.0;
  return 1.0 - smoothstep((t - n.t_release_s) / kReleaseS);
}

torch::Tensor render_key_depth(const Score& score, double seconds, double rate_hz) {
  const auto rows = static_cast<int64_t>(std::llround(seconds * rate_hz));
  torch::Tensor keys = torch::zeros({rows, kNumKeys});
  float* p = keys.data_ptr<float>();
  for (const Note& n : score.notes) {
    const auto first = std::max<int64_t>(0, static_cast<int64_t>(std::ceil(key_motion_start_s(n) * rate_hz)));
    const auto last = std::min<int64_t>(rows - 1, static_cast<int64_t>(std::floor(key_motion_end_s(n) * rate_hz)));
    for (int64_t i = first; i <= last; ++i) {
      float& cell = p[i * kNumKeys + n.key];
      cell = std::max(cell, static_cast<float>(key_depth(n, static_cast<double>(i) / rate_hz)));
    }
  }
  return keys;
}

}  // namespace pianokpm::synth
