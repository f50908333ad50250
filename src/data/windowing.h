#pragma once
// Cutting a performance into the model's windows (pose_frames pose frames paired with
// window_samples keystroke samples), without overlap, as the release does at inference time.
// A last partial window is padded by repeating the last frame/sample; its output is trimmed.
#include <torch/torch.h>

#include "data/performance.h"
#include "core/stream_layout.h"

namespace pianokpm {

// The whole windows of a stream [T, C] of `frames` rows each, as channels over time:
// [T / frames, C, frames]; the rows after the last whole window are left out.
torch::Tensor whole_windows(const torch::Tensor& stream, int64_t frames);

class PerformanceWindows {
 public:
  PerformanceWindows(const PerformanceStreams& streams, const StreamLayout& layout);

  int64_t num_windows() const { return num_windows_; }
  // Rows of the stitched output: the keystroke length, or pose frames x samples per frame.
  int64_t output_samples() const { return output_samples_; }
  // Windows [first, first + count): pose [count, C, pose_frames], keys [count, 88, samples];
  // undefined where the stream is absent.
  torch::Tensor pose(int64_t first, int64_t count) const;
  torch::Tensor keys(int64_t first, int64_t count) const;

 private:
  int64_t num_windows_ = 0, output_samples_ = 0;
  torch::Tensor pose_, keys_;  // as given: [frames, C], [samples, 88]; the last window padded when cut
  StreamLayout layout_;
};

}  // namespace pianokpm
