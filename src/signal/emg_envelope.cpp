#include "signal/emg_envelope.h"

#include <fmt/format.h>

#include <cmath>
#include <numeric>
#include <stdexcept>

#include "signal/butterworth.h"
#include "signal/notch.h"

namespace pianokpm {

void EmgEnvelopeOptions::check(double input_rate_hz) const {
  if (!(band_low_hz > 0 && band_high_hz > band_low_hz && band_high_hz < input_rate_hz / 2)) {
    throw std::invalid_argument(
        fmt::format("emg: the band-pass edges must satisfy 0 < low < high < rate/2, here 0 < {:g} < {:g} "
                    "< {:g} Hz (a channel at {:g} Hz: lower --band-high below {:g})",
                    band_low_hz, band_high_hz, input_rate_hz / 2, input_rate_hz, input_rate_hz / 2));
  }
  if (!(lowpass_hz > 0 && lowpass_hz < output_rate_hz / 2)) {
    throw std::invalid_argument("emg: the low-pass cutoff must lie below half the output rate");
  }
  if (notch_hz != 0 && !(notch_hz > 0 && notch_hz < input_rate_hz / 2 && notch_q > 0)) {
    throw std::invalid_argument("emg: the notch must lie in (0, rate/2) with a positive quality factor");
  }
  if (!(output_rate_hz > 0)) throw std::invalid_argument("emg: output_rate_hz must be > 0");
}

std::vector<double> resample_linear(const std::vector<double>& x, double input_rate_hz, double output_rate_hz) {
  if (x.empty()) return {};
  const auto n_out = static_cast<size_t>(std::floor(static_cast<double>(x.size()) / input_rate_hz * output_rate_hz));
  std::vector<double> y(n_out);
  const double step = input_rate_hz / output_rate_hz;
  for (size_t i = 0; i < n_out; ++i) {
    const double pos = static_cast<double>(i) * step;
    const auto k = static_cast<size_t>(pos);
    const double frac = pos - static_cast<double>(k);
    y[i] = k + 1 < x.size() ? x[k] * (1 - frac) + x[k + 1] * frac : x.back();
  }
  return y;
}

std::vector<double> emg_envelope(const std::vector<double>& raw, double input_rate_hz, const EmgEnvelopeOptions& o) {
  o.check(input_rate_hz);
  std::vector<double> x = raw;
  if (x.empty()) return x;
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  for (double& v : x) v -= mean;
  sos_filtfilt(design_butterworth({FilterKind::kBandPass, o.band_order, o.band_low_hz, o.band_high_hz, input_rate_hz}), x);
  if (o.notch_hz > 0) sos_filtfilt({design_notch(o.notch_hz, o.notch_q, input_rate_hz)}, x);
  for (double& v : x) v = std::abs(v);
  sos_filtfilt(design_butterworth({FilterKind::kLowPass, o.lowpass_order, o.lowpass_hz, 0, input_rate_hz}), x);
  return resample_linear(x, input_rate_hz, o.output_rate_hz);
}

}  // namespace pianokpm
