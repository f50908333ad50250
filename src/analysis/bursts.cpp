#include "analysis/bursts.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pianokpm {

void BurstOptions::check() const {
  auto require = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(what);
  };
  require(rate_hz > 0 && std::isfinite(rate_hz), "rate_hz must be positive");
  require(baseline_window_s > 0, "baseline_window_s must be positive");
  require(k_sd >= 0, "k_sd must be >= 0");
  require(min_rise >= 0 && min_rise < 1, "min_rise must be in [0, 1)");
  require(min_burst_s >= 0, "min_burst_s must be >= 0");
  require(min_gap_s >= 0, "min_gap_s must be >= 0");
}

BurstDetection detect_bursts(const std::vector<float>& x, const BurstOptions& o) {
  o.check();
  BurstDetection d;
  const auto n = static_cast<int64_t>(x.size());
  if (n == 0) return d;

  const int64_t w = std::clamp<int64_t>(std::llround(o.baseline_window_s * o.rate_hz), 1, n);
  std::vector<double> prefix(n + 1, 0.0);
  for (int64_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + x[i];
  int64_t best = 0;
  for (int64_t s = 1; s + w <= n; ++s) {
    if (prefix[s + w] - prefix[s] < prefix[best + w] - prefix[best]) best = s;
  }
  d.baseline_mean = (prefix[best + w] - prefix[best]) / static_cast<double>(w);
  double ss = 0;
  for (int64_t i = best; i < best + w; ++i) ss += (x[i] - d.baseline_mean) * (x[i] - d.baseline_mean);
  d.baseline_sd = std::sqrt(ss / static_cast<double>(w));
  const double peak = *std::max_element(x.begin(), x.end());
  d.threshold = std::max(d.baseline_mean + o.k_sd * d.baseline_sd, d.baseline_mean + o.min_rise * (peak - d.baseline_mean));

  std::vector<Burst> runs;
  for (int64_t i = 0; i < n;) {
    if (x[i] > d.threshold) {
      int64_t j = i;
      while (j < n && x[j] > d.threshold) ++j;
      runs.push_back({i, j});
      i = j;
    } else {
      ++i;
    }
  }
  const auto min_gap = static_cast<int64_t>(std::llround(o.min_gap_s * o.rate_hz));
  const auto min_len = static_cast<int64_t>(std::llround(o.min_burst_s * o.rate_hz));
  std::vector<Burst> merged;
  for (const Burst& r : runs) {
    if (!merged.empty() && r.onset - merged.back().offset < min_gap) {
      merged.back().offset = r.offset;
    } else {
      merged.push_back(r);
    }
  }
  for (const Burst& b : merged) {
    if (b.offset - b.onset >= min_len) d.bursts.push_back(b);
  }
  return d;
}

}  // namespace pianokpm
