#pragma once
// Burst (on/off) detection in one EMG envelope by a baseline + k·SD threshold with minimum burst
// and gap durations, the rule of Hodges & Bui (1996) as EMG toolkits apply it:
//   1. baseline: the window of `baseline_window_s` with the lowest mean (the quietest stretch;
//      a recording need not start at rest); its mean m and standard deviation s;
//   2. threshold = max(m + k_sd * s, m + min_rise * (peak - m)), the second term keeping a
//      noiseless baseline (s = 0) from calling every ripple a burst;
//   3. samples strictly above the threshold are active; active runs separated by less than
//      `min_gap_s` merge; runs shorter than `min_burst_s` are dropped.
#include <cstdint>
#include <vector>

#include "core/stream_layout.h"

namespace pianokpm {

struct BurstOptions {
  double rate_hz = kReleaseLayout.emg_rate_hz;  // samples per second of the envelope
  double baseline_window_s = 0.5;
  double k_sd = 3.0;
  double min_rise = 0.1;  // fraction of (peak - baseline mean)
  double min_burst_s = 0.03;
  double min_gap_s = 0.03;

  void check() const;  // throws std::invalid_argument naming the bad field
};

struct Burst {
  int64_t onset = 0, offset = 0;  // samples, [onset, offset)
};

struct BurstDetection {
  double baseline_mean = 0, baseline_sd = 0, threshold = 0;
  std::vector<Burst> bursts;
};

BurstDetection detect_bursts(const std::vector<float>& envelope, const BurstOptions& options);

}  // namespace pianokpm
