#include "data/key_presses.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace pianokpm {

namespace {

// key_descent_s is linear in velocity; its inverse, clamped to MIDI's 1..127.
int velocity_for_descent(double descent_s) {
  const double fastest = key_descent_s(127), slowest = key_descent_s(0);
  const double v = 127.0 * (slowest - descent_s) / (slowest - fastest);
  return static_cast<int>(std::clamp(std::lround(v), 1L, 127L));
}

}  // namespace

void KeyPressReading::check() const {
  if (!(bed_depth > 0 && bed_depth <= 1)) {
    throw std::invalid_argument("key press reading needs 0 < bed_depth <= 1");
  }
}

std::vector<KeyPress> key_presses_from_depth(const torch::Tensor& depth, double rate_hz, const KeyPressReading& reading) {
  reading.check();
  if (depth.dim() != 2) throw std::invalid_argument("key depth must be [N, keys]");
  const torch::Tensor d = depth.to(torch::kFloat).contiguous();
  const int64_t n = d.size(0), keys = d.size(1);
  const float* p = d.data_ptr<float>();
  std::vector<KeyPress> presses;
  for (int64_t k = 0; k < keys; ++k) {
    int64_t low = 0;  // the last lowest sample before the current press: where its descent starts
    float low_value = std::numeric_limits<float>::infinity();
    int64_t bed = -1;  // first sample of the current press at its bed
    for (int64_t i = 0; i < n; ++i) {
      const float v = p[i * keys + k];
      if (bed < 0) {
        if (v <= low_value) low = i, low_value = v;
        if (v >= reading.bed_depth) bed = i;
        if (bed < 0 || i < n - 1) continue;
      } else if (v >= reading.bed_depth && i < n - 1) {
        continue;
      }
      const int64_t released = v < reading.bed_depth ? i - 1 : i;
      // Rendered descents go as depth = s^2: the bed threshold is crossed at s = sqrt(bed_depth).
      const double descent = static_cast<double>(bed - low) / rate_hz / std::sqrt(reading.bed_depth);
      presses.push_back({static_cast<int>(k), velocity_for_descent(descent), static_cast<double>(bed) / rate_hz,
                         static_cast<double>(released) / rate_hz});
      bed = -1;
      low = i, low_value = v;
    }
  }
  std::sort(presses.begin(), presses.end(),
            [](const KeyPress& a, const KeyPress& b) { return a.t_bed_s != b.t_bed_s ? a.t_bed_s < b.t_bed_s : a.key < b.key; });
  return presses;
}

}  // namespace pianokpm
