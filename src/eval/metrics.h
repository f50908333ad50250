#pragma once
// Evaluation metrics of one performance's estimated EMG against the measured one, [N, 6] each.
// RMSE and OTD exactly as the release computes them; Pearson r and burst onset timing
// are ours.
#include <torch/torch.h>

#include <vector>

#include "core/stream_layout.h"
#include "ot/sinkhorn.h"

namespace pianokpm {

// sqrt(mean squared error over all samples and channels).
double rmse(const torch::Tensor& estimated, const torch::Tensor& measured);

// The Sinkhorn divergence between the two [N, 6] point clouds (blocked, bounded memory).
double optimal_transport_distance(const torch::Tensor& estimated, const torch::Tensor& measured,
                                  const SinkhornOptions& options = {});

// Pearson correlation per channel (NaN for a constant channel).
std::vector<double> pearson_per_channel(const torch::Tensor& estimated, const torch::Tensor& measured);

struct OnsetOptions {
  double threshold_fraction = 0.3;  // of the channel's 5th-95th percentile range, above the 5th
  double refractory_s = 0.1;        // onsets closer than this count once
  double match_window_s = 0.2;      // an estimated onset this close to a measured one matches it
  double rate_hz = kReleaseLayout.emg_rate_hz;
};

// Burst onsets (upward threshold crossings) of one series [N], in seconds.
std::vector<double> burst_onsets(const torch::Tensor& series, const OnsetOptions& options);

struct OnsetTiming {
  double mean_abs_error_ms = 0;  // over matched measured onsets, all channels
  int64_t matched = 0, measured = 0;
};

OnsetTiming onset_timing_error(const torch::Tensor& estimated, const torch::Tensor& measured, const OnsetOptions& options = {});

}  // namespace pianokpm
