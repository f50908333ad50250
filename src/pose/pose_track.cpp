#include "pose/pose_track.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pianokpm::pose {

namespace {
constexpr int kValues = kHandLandmarks * 3;
bool has_hand(const std::array<float, kValues>& f) { return f[2] > 0; }
}  // namespace

void PoseTrack::add(double time_s, const std::array<float, kValues>& frame) {
  if (!times_s.empty() && !(time_s > times_s.back())) throw std::invalid_argument("pose track: frame times must increase");
  times_s.push_back(time_s);
  frames.push_back(frame);
}

torch::Tensor PoseTrack::to_tensor() const {
  torch::Tensor t = torch::empty({static_cast<int64_t>(frames.size()), kHandLandmarks, 3});
  float* p = t.data_ptr<float>();
  for (const auto& f : frames) p = std::copy(f.begin(), f.end(), p);
  return t;
}

PoseTrack resample(const PoseTrack& track, double rate_hz) {
  if (!(rate_hz > 0)) throw std::invalid_argument("resample: the rate must be positive");
  if (track.frames.size() <= 1) return track;
  PoseTrack out;
  const double t0 = track.times_s.front(), t1 = track.times_s.back();
  const auto first = static_cast<int64_t>(std::ceil(t0 * rate_hz - 1e-9));
  const auto last = static_cast<int64_t>(std::floor(t1 * rate_hz + 1e-9));
  size_t i = 0;
  for (int64_t k = first; k <= last; ++k) {
    const double t = static_cast<double>(k) / rate_hz;
    while (i + 2 < track.times_s.size() && track.times_s[i + 1] <= t) ++i;
    const double ta = track.times_s[i], tb = track.times_s[i + 1];
    const double u = std::clamp((t - ta) / (tb - ta), 0.0, 1.0);
    const auto& a = track.frames[i];
    const auto& b = track.frames[i + 1];
    std::array<float, kValues> f{};
    if (has_hand(a) && has_hand(b)) {
      for (int j = 0; j < kValues; ++j) f[j] = static_cast<float>((1 - u) * a[j] + u * b[j]);
      for (int j = 2; j < kValues; j += 3) f[j] = std::min(a[j], b[j]);
    } else {
      f = u < 0.5 ? a : b;
    }
    out.times_s.push_back(t);
    out.frames.push_back(f);
  }
  return out;
}

}  // namespace pianokpm::pose
