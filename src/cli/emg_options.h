#pragma once
// The EMG processing flags shared by `emg` and `convert` (defaults: EmgEnvelopeOptions and
// EnvelopeNormalisation).
#include <CLI/CLI.hpp>

#include "io/signal_recording.h"
#include "signal/emg_envelope.h"
#include "signal/envelope_normalisation.h"

namespace pianokpm {

struct EmgProcessingFlags {
  SignalReadOptions read;
  EmgEnvelopeOptions envelope;
  std::string normalise = "max";
  double percentile = 99.0;
  std::vector<double> mvc;

  // Throws InputError for a bad --normalise.
  EnvelopeNormalisation normalisation() const;
};

void add_emg_processing_options(CLI::App* cmd, EmgProcessingFlags& flags);

}  // namespace pianokpm
