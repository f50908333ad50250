#include "data/windowing.h"

#include <algorithm>

namespace pianokpm {

namespace {

// Rows [first, first + count) of `x` [n, C], the rows past its end repeating its last row. Only
// the windows asked for are copied: a one-hour keystroke stream (1.3 GB) is never duplicated.
torch::Tensor rows_padded(const torch::Tensor& x, int64_t first, int64_t count) {
  const int64_t n = x.size(0);
  const int64_t have = std::clamp<int64_t>(n - first, 0, count);
  if (have == count) return x.narrow(0, first, count);
  const auto last = x.narrow(0, n - 1, 1).expand({count - have, x.size(1)});
  return have > 0 ? torch::cat({x.narrow(0, first, have), last}, 0) : last;
}

}  // namespace

torch::Tensor whole_windows(const torch::Tensor& stream, int64_t frames) {
  const int64_t count = stream.size(0) / frames;
  return stream.narrow(0, 0, count * frames).reshape({count, frames, stream.size(1)}).permute({0, 2, 1});
}

PerformanceWindows::PerformanceWindows(const PerformanceStreams& streams, const StreamLayout& layout) : layout_(layout) {
  const int64_t frames = layout.pose_frames(), samples = layout.window_samples();
  if (streams.keys.defined()) {
    output_samples_ = streams.keys.size(0);
  } else if (streams.pose.defined()) {
    output_samples_ = (streams.pose.size(0) * samples + frames / 2) / frames;
  } else {
    throw std::invalid_argument("a performance needs pose or keystrokes");
  }
  num_windows_ = (output_samples_ + samples - 1) / samples;
  if (streams.pose.defined()) pose_ = streams.pose.contiguous();
  if (streams.keys.defined()) keys_ = streams.keys.contiguous();
}

torch::Tensor PerformanceWindows::pose(int64_t first, int64_t count) const {
  if (!pose_.defined()) return {};
  const int64_t frames = layout_.pose_frames();
  return rows_padded(pose_, first * frames, count * frames)
      .reshape({count, frames, pose_.size(1)})
      .permute({0, 2, 1})
      .contiguous();
}

torch::Tensor PerformanceWindows::keys(int64_t first, int64_t count) const {
  if (!keys_.defined()) return {};
  const int64_t samples = layout_.window_samples();
  return rows_padded(keys_, first * samples, count * samples)
      .reshape({count, samples, keys_.size(1)})
      .permute({0, 2, 1})
      .contiguous();
}

}  // namespace pianokpm
