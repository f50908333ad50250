#pragma once
// Biosignals in, whatever wrote them: one channel = samples with a label, a unit and its own
// sampling rate. Readers: EDF/EDF+/BDF (and the other formats libbiosig knows) through libbiosig,
// C3D's analog channels (io/c3d_reader.h), CSV with a header row, .npy and the release's pickles ([N] or [N, channels]).
#include <string>
#include <vector>

namespace pianokpm {

struct SignalChannel {
  std::string label;
  std::string unit;  // physical unit when the file says (EDF: "uV", "mV"); empty otherwise
  double rate_hz = 0;
  std::vector<double> samples;
};

struct SignalRecording {
  std::string source;  // the file it came from
  std::vector<SignalChannel> channels;
};

struct SignalReadOptions {
  // Sampling rate for files that carry none (CSV without a time column, .npy, .pkl); 0: required
  // from the file. Files that carry a rate must not be given another one.
  double rate_hz = 0;
  // Channels to keep, by label or by number (the first channel is 1), in this order; empty: all.
  std::vector<std::string> channels;
  std::string rate_option = "--rate";  // what messages call the rate (the Python module: its argument)
};

// Every problem (missing file, unknown extension, no rate, ragged CSV row, unknown channel, NaN)
// is an InputError naming `path`.
SignalRecording read_signals(const std::string& path, const SignalReadOptions& options);

// Whether this build reads EDF/BDF (libbiosig was found).
bool have_biosig();

}  // namespace pianokpm
