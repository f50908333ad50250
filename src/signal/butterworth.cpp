#include "signal/butterworth.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pianokpm {

using cd = std::complex<double>;

void ButterworthDesign::check() const {
  const double nyquist = sample_rate_hz / 2;
  if (!(sample_rate_hz > 0)) throw std::invalid_argument("filter: sample_rate_hz must be > 0");
  if (order < 1 || order > 12) throw std::invalid_argument("filter: order must be 1..12");
  if (!(low_hz > 0 && low_hz < nyquist)) throw std::invalid_argument("filter: cutoff must lie between 0 and Nyquist");
  if (kind == FilterKind::kBandPass && !(high_hz > low_hz && high_hz < nyquist)) {
    throw std::invalid_argument("filter: band-pass upper edge must lie between the lower edge and Nyquist");
  }
}

std::vector<Biquad> design_butterworth(const ButterworthDesign& d) {
  d.check();
  const double fs2 = 2 * d.sample_rate_hz;
  auto warp = [&](double hz) { return fs2 * std::tan(M_PI * hz / d.sample_rate_hz); };
  const int n = d.order;
  std::vector<cd> proto;
  for (int k = 0; k < n; ++k) proto.push_back(std::exp(cd(0, M_PI * (2 * k + n + 1) / (2.0 * n))));

  // Analog zeros, poles, gain after the frequency transform.
  std::vector<cd> zeros, poles;
  double gain = 1;
  int zeros_at_infinity = 0;
  if (d.kind == FilterKind::kLowPass) {
    const double wc = warp(d.low_hz);
    for (auto p : proto) poles.push_back(wc * p);
    gain = std::pow(wc, n);
    zeros_at_infinity = n;
  } else if (d.kind == FilterKind::kHighPass) {
    const double wc = warp(d.low_hz);
    cd prod = 1;
    for (auto p : proto) {
      poles.push_back(wc / p);
      prod *= -p;
    }
    gain = (1.0 / prod).real();
    zeros.assign(n, cd(0, 0));
  } else {
    const double wl = warp(d.low_hz), wh = warp(d.high_hz), bw = wh - wl, wo2 = wl * wh;
    for (auto p : proto) {
      const cd p_lp = p * bw / 2.0;
      const cd root = std::sqrt(p_lp * p_lp - wo2);
      poles.push_back(p_lp + root);
      poles.push_back(p_lp - root);
    }
    gain = std::pow(bw, n);
    zeros.assign(n, cd(0, 0));
    zeros_at_infinity = n;
  }

  // Bilinear transform.
  cd num = 1, den = 1;
  for (auto& z : zeros) {
    num *= fs2 - z;
    z = (fs2 + z) / (fs2 - z);
  }
  for (auto& p : poles) {
    den *= fs2 - p;
    p = (fs2 + p) / (fs2 - p);
  }
  gain *= (num / den).real();
  zeros.insert(zeros.end(), zeros_at_infinity, cd(-1, 0));

  // Pair each pole with its conjugate (real poles with each other), and zeros alike.
  std::vector<cd> upper, real_poles;
  for (auto p : poles) {
    if (std::abs(p.imag()) < 1e-12) {
      real_poles.push_back(p);
    } else if (p.imag() > 0) {
      upper.push_back(p);
    }
  }
  std::vector<std::pair<cd, cd>> pole_pairs;
  for (auto p : upper) pole_pairs.emplace_back(p, std::conj(p));
  for (size_t i = 0; i < real_poles.size(); i += 2) {
    pole_pairs.emplace_back(real_poles[i], i + 1 < real_poles.size() ? real_poles[i + 1] : cd(0, 0));
  }
  // Zeros are all real (+1 or -1): give each section one of each kind where both exist.
  std::vector<double> plus, minus;
  for (auto z : zeros) (z.real() > 0 ? plus : minus).push_back(z.real());
  std::vector<Biquad> sos;
  for (size_t i = 0; i < pole_pairs.size(); ++i) {
    const bool single_pole =
        i >= upper.size() && pole_pairs[i].second == cd(0, 0) && real_poles.size() % 2 == 1 && i == pole_pairs.size() - 1;
    std::vector<double> zs;
    for (int k = 0; k < (single_pole ? 1 : 2); ++k) {
      if (!plus.empty() && (minus.empty() || plus.size() >= minus.size())) {
        zs.push_back(plus.back());
        plus.pop_back();
      } else if (!minus.empty()) {
        zs.push_back(minus.back());
        minus.pop_back();
      }
    }
    while (zs.size() < 2) zs.push_back(0.0);  // a zero at z=0 is a pure delay-free padding term
    const cd p1 = pole_pairs[i].first, p2 = pole_pairs[i].second;
    Biquad b{1.0, -(zs[0] + zs[1]), zs[0] * zs[1], 1.0, -(p1 + p2).real(), (p1 * p2).real()};
    sos.push_back(b);
  }
  for (int k = 0; k < 3; ++k) sos[0][k] *= gain;
  return sos;
}

std::complex<double> frequency_response(const std::vector<Biquad>& sos, double hz, double sample_rate_hz) {
  const cd zi = std::exp(cd(0, -2 * M_PI * hz / sample_rate_hz));  // z^-1
  cd h = 1;
  for (const auto& s : sos) h *= (s[0] + s[1] * zi + s[2] * zi * zi) / (s[3] + s[4] * zi + s[5] * zi * zi);
  return h;
}

namespace {

void filter_with_state(const std::vector<Biquad>& sos, std::vector<double>& x, std::vector<std::array<double, 2>> state) {
  for (size_t k = 0; k < sos.size(); ++k) {
    const auto& s = sos[k];
    double s1 = state[k][0], s2 = state[k][1];
    for (double& v : x) {
      const double y = s[0] * v + s1;
      s1 = s[1] * v - s[4] * y + s2;
      s2 = s[2] * v - s[5] * y;
      v = y;
    }
  }
}

// State of each section after an infinitely long unit step (scipy's sosfilt_zi).
std::vector<std::array<double, 2>> step_state(const std::vector<Biquad>& sos) {
  std::vector<std::array<double, 2>> zi;
  double scale = 1;
  for (const auto& s : sos) {
    const double g = (s[0] + s[1] + s[2]) / (s[3] + s[4] + s[5]);
    zi.push_back({scale * (g - s[0]), scale * (s[2] - s[5] * g)});
    scale *= g;
  }
  return zi;
}

}  // namespace

void sos_filter(const std::vector<Biquad>& sos, std::vector<double>& x) {
  filter_with_state(sos, x, std::vector<std::array<double, 2>>(sos.size(), {0.0, 0.0}));
}

void sos_filtfilt(const std::vector<Biquad>& sos, std::vector<double>& x) {
  if (x.empty()) return;
  const size_t n = x.size();
  const size_t pad = std::min<size_t>(3 * (2 * sos.size() + 1), n - 1);
  std::vector<double> ext;
  ext.reserve(n + 2 * pad);
  for (size_t i = pad; i >= 1; --i) ext.push_back(2 * x[0] - x[i]);
  ext.insert(ext.end(), x.begin(), x.end());
  for (size_t i = 1; i <= pad; ++i) ext.push_back(2 * x[n - 1] - x[n - 1 - i]);

  const auto zi = step_state(sos);
  auto scaled = [&](double by) {
    auto s = zi;
    for (auto& v : s) v = {v[0] * by, v[1] * by};
    return s;
  };
  filter_with_state(sos, ext, scaled(ext.front()));
  std::reverse(ext.begin(), ext.end());
  filter_with_state(sos, ext, scaled(ext.front()));
  std::reverse(ext.begin(), ext.end());
  std::copy(ext.begin() + static_cast<std::ptrdiff_t>(pad), ext.begin() + static_cast<std::ptrdiff_t>(pad + n), x.begin());
}

}  // namespace pianokpm
