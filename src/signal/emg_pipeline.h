#pragma once
// A raw EMG recording (any reader's channels, each at its own rate) to the model's target: one
// envelope per channel at the keystroke rate, normalised, as an [N, channels] float32 array.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "io/signal_recording.h"
#include "signal/emg_envelope.h"
#include "signal/envelope_normalisation.h"

namespace pianokpm {

struct ProcessedEmg {
  std::vector<std::string> labels;
  std::vector<double> references;  // what each channel was divided by
  torch::Tensor envelope;          // [N, channels] float32, N = shortest channel's envelope
};

// Throws InputError naming the recording's file for options that do not fit its rates.
ProcessedEmg process_emg(const SignalRecording& recording, const EmgEnvelopeOptions& envelope,
                         const EnvelopeNormalisation& normalisation);

}  // namespace pianokpm
