#include "data/key_motion.h"

#include <algorithm>
#include <cmath>

namespace pianokpm {

namespace {
double smoothstep(double s) {
  s = std::clamp(s, 0.0, 1.0);
  return s * s * (3 - 2 * s);
}
}  // namespace

double key_descent_s(int velocity) { return 0.012 + 0.05 * (1.0 - velocity / 127.0); }

double key_depth(const KeyPress& p, double t) {
  const double t0 = key_motion_start_s(p);
  if (t < t0 || t > key_motion_end_s(p)) return 0.0;
  if (t < p.t_bed_s) {
    const double s = (t - t0) / (p.t_bed_s - t0);
    return s * s;  // the key accelerates under the finger until it hits the bed
  }
  if (t <= p.t_release_s) return 1.0;
  return 1.0 - smoothstep((t - p.t_release_s) / kKeyReleaseS);
}

torch::Tensor render_key_depth(const std::vector<KeyPress>& presses, double seconds, double rate_hz, int num_keys) {
  const auto rows = static_cast<int64_t>(std::llround(seconds * rate_hz));
  torch::Tensor keys = torch::zeros({rows, num_keys});
  float* out = keys.data_ptr<float>();
  for (const KeyPress& p : presses) {
    if (p.key < 0 || p.key >= num_keys) continue;
    const auto first = std::max<int64_t>(0, static_cast<int64_t>(std::ceil(key_motion_start_s(p) * rate_hz)));
    const auto last = std::min<int64_t>(rows - 1, static_cast<int64_t>(std::floor(key_motion_end_s(p) * rate_hz)));
    for (int64_t i = first; i <= last; ++i) {
      float& cell = out[i * num_keys + p.key];
      cell = std::max(cell, static_cast<float>(key_depth(p, static_cast<double>(i) / rate_hz)));
    }
  }
  return keys;
}

}  // namespace pianokpm
