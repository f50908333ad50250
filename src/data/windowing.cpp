#include "data/windowing.h"

namespace pianokpm {

namespace {

// Cuts or pads (repeating the last row) `x` [n, C] to exactly `rows` rows.
torch::Tensor fit_rows(const torch::Tensor& x, int64_t rows) {
  const int64_t n = x.size(0);
  if (n >= rows) return x.narrow(0, 0, rows).contiguous();
  return torch::cat({x, x.narrow(0, n - 1, 1).expand({rows - n, x.size(1)})}, 0).contiguous();
}

}  // namespace

PerformanceWindows::PerformanceWindows(const PerformanceStreams& streams, const ModelConfig& config)
    : config_(config) {
  const int64_t frames = config.pose_frames, samples = config.window_samples;
  if (streams.keys.defined()) {
    output_samples_ = streams.keys.size(0);
  } else if (streams.pose.defined()) {
    output_samples_ = (streams.pose.size(0) * samples + frames / 2) / frames;
  } else {
    throw std::invalid_argument("a performance needs pose or keystrokes");
  }
  num_windows_ = (output_samples_ + samples - 1) / samples;
  if (streams.pose.defined()) pose_ = fit_rows(streams.pose, num_windows_ * frames);
  if (streams.keys.defined()) keys_ = fit_rows(streams.keys, num_windows_ * samples);
}

torch::Tensor PerformanceWindows::pose(int64_t first, int64_t count) const {
  if (!pose_.defined()) return {};
  const int64_t frames = config_.pose_frames;
  return pose_.narrow(0, first * frames, count * frames).view({count, frames, pose_.size(1)}).permute({0, 2, 1}).contiguous();
}

torch::Tensor PerformanceWindows::keys(int64_t first, int64_t count) const {
  if (!keys_.defined()) return {};
  const int64_t samples = config_.window_samples;
  return keys_.narrow(0, first * samples, count * samples).view({count, samples, keys_.size(1)}).permute({0, 2, 1}).contiguous();
}

}  // namespace pianokpm
