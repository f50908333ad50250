#pragma once
// Whole performance in, one EMG series out: windows decoded from zero state as released, run in
// batches of `batch_windows` to bound memory, stitched and trimmed to the input length.
#include <torch/torch.h>

#include <functional>

#include "data/windowing.h"
#include "model/pianokpm_net.h"

namespace pianokpm {

struct PredictOptions {
  int64_t batch_windows = 64;            // windows per forward pass (memory bound)
  torch::Device device = torch::kCPU;
  // Called after each batch with (windows done, windows total).
  std::function<void(int64_t, int64_t)> on_progress;

  void check() const;  // throws std::invalid_argument naming the bad field
};

// Returns EMG [output_samples, emg_channels] float32 on the CPU, channel order emg_channel_names().
torch::Tensor predict_performance(PianoKpmNet& net, const PerformanceWindows& windows, const PredictOptions& options);

}  // namespace pianokpm
