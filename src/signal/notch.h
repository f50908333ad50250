#pragma once
// Second-order IIR notch for mains hum (50 or 60 Hz), as scipy.signal.iirnotch: zeros on the unit
// circle at f0, poles inside it, -3 dB bandwidth f0 / Q.
#include "signal/butterworth.h"

namespace pianokpm {

// Throws std::invalid_argument unless 0 < f0 < rate / 2 and q > 0.
Biquad design_notch(double f0_hz, double q, double sample_rate_hz);

}  // namespace pianokpm
