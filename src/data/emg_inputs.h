#pragma once
// Reading an EMG file and, optionally, the keystrokes that go with it, for what looks
// at EMG (the analyze, report, render and plot commands): shapes, finiteness and matching durations checked, every
// problem an InputError naming the file.
#include <torch/torch.h>

#include <string>

namespace pianokpm {

struct EmgInputs {
  torch::Tensor emg;           // [N, 6]
  torch::Tensor keys;          // [N', 88] key depth at the same rate, or undefined
  torch::Tensor lower, upper;  // [N, 6] interval around `emg` when the file has one (predict --interval)
};

// `keys` is a key-depth array (.pkl/.npy) or MIDI (also when `midi` is given); MIDI is rendered at
// `rate_hz` over the EMG's duration. Durations must agree within `max_gap_s`.
EmgInputs read_emg_inputs(const std::string& emg, const std::string& keys, const std::string& midi, double rate_hz,
                          double max_gap_s = 1.0);

}  // namespace pianokpm
