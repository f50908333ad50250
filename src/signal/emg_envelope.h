#pragma once
// Raw surface EMG to the envelope the model predicts: DC removal, zero-phase Butterworth
// band-pass, optional zero-phase mains notch, full-wave rectification, zero-phase low-pass, resampling to the keystroke rate.
// Normalisation is a separate step because its reference (MVC, percentile, maximum) is chosen
// per recording session, not per file.
#include <vector>

#include "core/stream_layout.h"

namespace pianokpm {

struct EmgEnvelopeOptions {
  double band_low_hz = 20.0;    // band-pass lower edge (motion artefacts below)
  double band_high_hz = 450.0;  // band-pass upper edge (surface EMG has little power above)
  int band_order = 4;           // Butterworth order of the band-pass prototype
  double notch_hz = 0.0;        // mains notch (50 or 60 Hz), applied zero-phase; 0: none
  double notch_q = 30.0;        // notch quality factor (-3 dB width notch_hz / notch_q)
  double lowpass_hz = 10.0;     // envelope smoothing
  int lowpass_order = 4;
  double output_rate_hz = kReleaseLayout.emg_rate_hz;  // the keystroke rate

  void check(double input_rate_hz) const;  // throws std::invalid_argument naming the field
};

// One channel sampled at `input_rate_hz` -> its envelope at options.output_rate_hz
// (floor(duration * output rate) samples, sample i at time i / output rate).
std::vector<double> emg_envelope(const std::vector<double>& raw, double input_rate_hz, const EmgEnvelopeOptions& options);

// Linear-interpolation resampling of a smooth signal from one rate to another.
std::vector<double> resample_linear(const std::vector<double>& x, double input_rate_hz, double output_rate_hz);

}  // namespace pianokpm
