#pragma once
// A figure of one performance in the spirit of the paper's: keystrokes (piano roll of key depth),
// the fingertips' heights in the side camera, and the six muscle envelopes (measured, and
// estimated when given, with its interval as a band when given), labelled, with a legend. PNG through cairo.
#include <torch/torch.h>

#include <string>

#include "core/stream_layout.h"

namespace pianokpm {

struct PerformancePlotData {
  std::string title;
  double keys_rate_hz = kReleaseLayout.emg_rate_hz;  // keys and EMG rows per second
  double pose_rate_hz = kReleaseLayout.pose_rate_hz;
  torch::Tensor keys;           // [N, 88] or undefined
  torch::Tensor pose_side;      // [T, 21, C>=2] side view (image y grows downwards) or undefined
  torch::Tensor emg_true;       // [N, 6] or undefined
  torch::Tensor emg_estimated;  // [N, 6] or undefined
  // An interval around the estimate, drawn as a shaded band: [N, 6] each, or undefined.
  torch::Tensor emg_lower, emg_upper;
  std::string interval_label = "interval";
};

struct PerformancePlotOptions {
  double from_s = 0;
  double seconds = 5;  // window shown; clipped to the data
  int width_px = 1600;
  int height_px = 1100;

  void check() const;
};

// Writes the PNG atomically. Throws InputError if the file cannot be written.
void write_performance_plot(const PerformancePlotData& data, const PerformancePlotOptions& options, const std::string& png_path);

}  // namespace pianokpm
