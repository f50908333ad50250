#pragma once
// Whole performance in, one EMG series out: windows decoded from zero state as released, run in
// batches of `batch_windows` to bound memory, stitched and trimmed to the input length.
#include <torch/torch.h>

#include <functional>

#include "data/windowing.h"
#include "model/emg_model.h"

namespace pianokpm {

struct PredictOptions {
  int64_t batch_windows = 64;  // windows decoded together (bounds memory)
  // Windows per encoder pass: small batches keep the encoder's activations in cache (measured
  // 1.7x faster than 60 at once on 2 cores); the decoder's steps want the largest batch.
  int64_t encoder_batch_windows = 8;
  torch::Device device = torch::kCPU;
  // Called after each batch with (windows done, windows total).
  std::function<void(int64_t, int64_t)> on_progress;

  void check() const;  // throws std::invalid_argument naming the bad field
};

// Returns EMG [output_samples, emg_channels] float32 on the CPU, channel order muscle_names().
// The model must already be on options.device (std::invalid_argument otherwise); it is not
// changed: neither its mode nor its device nor its weights.
torch::Tensor predict_performance(const EmgModel& net, const PerformanceWindows& windows, const PredictOptions& options);

}  // namespace pianokpm
