#pragma once
// EMG envelopes from a file, checked: [N, channels] float32 from .csv (a header row of channel
// names, optionally after a time column, as `pianokpm predict` writes), .npy or .pkl.
#include <torch/torch.h>

#include <string>

#include "core/stream_layout.h"

namespace pianokpm {

// Throws InputError naming `path` for a missing or unreadable file, a channel count other than
// `channels`, no rows, or a value that is not finite (row and column named).
torch::Tensor read_emg_table(const std::string& path, int64_t channels = kReleaseLayout.emg_channels);

struct EmgWithInterval {
  torch::Tensor emg;           // [N, channels]
  torch::Tensor lower, upper;  // [N, channels] each, or undefined when the file has no bounds
};
// As read_emg_table, and also files of 3 x `channels` columns: the estimates, then their lower and
// upper bounds (what `pianokpm predict --interval` writes).
EmgWithInterval read_emg_with_interval(const std::string& path, int64_t channels = kReleaseLayout.emg_channels);

}  // namespace pianokpm
