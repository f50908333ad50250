// The mains notch against the analog prototype it is the bilinear image of, and in use.
#include "signal/notch.h"

#include <cmath>

#include "test_support.h"

namespace pianokpm {
namespace {

// |H| of the analog notch (s^2 + W0^2) / (s^2 + B s + W0^2) at the pre-warped W = tan(w / 2),
// with B = tan(bw / 2) / cos^2(w0 / 2) (the bandwidth that maps onto w0 / Q after warping).
double analog_notch_magnitude(double f0, double q, double fs, double hz) {
  const double w0 = 2 * M_PI * f0 / fs, w = 2 * M_PI * hz / fs;
  const double big_w0 = std::tan(w0 / 2), big_w = std::tan(w / 2);
  const double b = std::tan(w0 / q / 2) / std::pow(std::cos(w0 / 2), 2);
  const double num = std::abs(big_w0 * big_w0 - big_w * big_w);
  return num / std::sqrt(num * num + b * b * big_w * big_w);
}

TEST(Notch, MagnitudeMatchesAnalogPrototypeWithin1e9) {
  for (const auto& [f0, q, fs] :
       std::vector<std::tuple<double, double, double>>{{50, 30, 2000}, {60, 30, 2000}, {50, 10, 1000}, {60, 35, 4096}}) {
    const Biquad bq = design_notch(f0, q, fs);
    for (double hz : {0.0, 1.0, 20.0, f0 - 2, f0 - 0.5, f0, f0 + 0.5, f0 + 2, 100.0, 300.0, fs / 2 - 1}) {
      EXPECT_NEAR(std::abs(frequency_response({bq}, hz, fs)), analog_notch_magnitude(f0, q, fs, hz), 1e-9)
          << f0 << " Hz notch, Q " << q << ", fs " << fs << ", at " << hz << " Hz";
    }
    EXPECT_NEAR(std::abs(frequency_response({bq}, f0, fs)), 0.0, 1e-12);
    EXPECT_NEAR(std::abs(frequency_response({bq}, 0, fs)), 1.0, 1e-12);
  }
}

TEST(Notch, ZeroPhaseNotchRemovesHumAndKeepsTheRest) {
  const double fs = 2000;
  std::vector<double> x(8000), clean(8000);
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / fs;
    clean[i] = std::sin(2 * M_PI * 13 * t) + 0.5 * std::sin(2 * M_PI * 140 * t);
    x[i] = clean[i] + 0.8 * std::sin(2 * M_PI * 50 * t + 0.3);
  }
  sos_filtfilt({design_notch(50, 30, fs)}, x);
  double worst = 0;
  for (size_t i = 2000; i < 6000; ++i) worst = std::max(worst, std::abs(x[i] - clean[i]));
  EXPECT_LT(worst, 5e-3);
}

TEST(Notch, RejectsBadDesigns) {
  EXPECT_THROW(design_notch(0, 30, 2000), std::invalid_argument);
  EXPECT_THROW(design_notch(1000, 30, 2000), std::invalid_argument);
  EXPECT_THROW(design_notch(50, 0, 2000), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm
