#pragma once
// Butterworth IIR filters as cascades of second-order sections (bilinear transform with
// pre-warping, as scipy.signal.butter(..., output='sos')), causal and zero-phase filtering.
// Computed in float64.
#include <array>
#include <complex>
#include <vector>

namespace pianokpm {

// b0 b1 b2 a0(=1) a1 a2, as a row of scipy's sos array.
using Biquad = std::array<double, 6>;

enum class FilterKind { kLowPass, kHighPass, kBandPass };

struct ButterworthDesign {
  FilterKind kind = FilterKind::kLowPass;
  int order = 4;         // analog prototype order (band-pass: 2*order poles, like scipy)
  double low_hz = 0.0;   // cutoff (low/high-pass) or lower band edge
  double high_hz = 0.0;  // upper band edge (band-pass only)
  double sample_rate_hz = 1000;

  void check() const;  // throws std::invalid_argument naming the bad field
};

std::vector<Biquad> design_butterworth(const ButterworthDesign& design);

// Complex frequency response of the cascade at `hz`.
std::complex<double> frequency_response(const std::vector<Biquad>& sos, double hz, double sample_rate_hz);

// Causal filtering (direct form II transposed), zero initial state, in place.
void sos_filter(const std::vector<Biquad>& sos, std::vector<double>& x);
// Zero-phase: forward then backward, with odd-symmetric padding of 3 x (2 x sections + 1) samples
// at each end and steady-state initial conditions, as scipy.signal.sosfiltfilt's defaults.
void sos_filtfilt(const std::vector<Biquad>& sos, std::vector<double>& x);

}  // namespace pianokpm
