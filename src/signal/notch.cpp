#include "signal/notch.h"

#include <cmath>
#include <stdexcept>

namespace pianokpm {

Biquad design_notch(double f0_hz, double q, double sample_rate_hz) {
  if (!(f0_hz > 0 && f0_hz < sample_rate_hz / 2)) throw std::invalid_argument("notch: frequency must lie in (0, rate/2)");
  if (!(q > 0)) throw std::invalid_argument("notch: quality factor must be > 0");
  const double w0 = 2 * M_PI * f0_hz / sample_rate_hz;
  const double bandwidth = w0 / q;
  const double beta = std::tan(bandwidth / 2);  // gain at the band edges 1/sqrt(2)
  const double gain = 1 / (1 + beta);
  const double c = std::cos(w0);
  return {gain, -2 * gain * c, gain, 1.0, -2 * gain * c, 2 * gain - 1};
}

}  // namespace pianokpm
