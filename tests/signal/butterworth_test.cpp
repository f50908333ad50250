#include "signal/butterworth.h"

#include <cmath>

#include "test_support.h"

namespace pianokpm {
namespace {

// Closed-form magnitude of a digital Butterworth filter made by the bilinear transform:
// |H| = 1 / sqrt(1 + W^(2N)), W the pre-warped normalised frequency of the analog prototype.
double butterworth_magnitude(const ButterworthDesign& d, double hz) {
  auto warp = [&](double f) { return std::tan(M_PI * f / d.sample_rate_hz); };
  double w = 0;
  switch (d.kind) {
    case FilterKind::kLowPass: w = warp(hz) / warp(d.low_hz); break;
    case FilterKind::kHighPass: w = warp(d.low_hz) / warp(hz); break;
    case FilterKind::kBandPass: {
      const double wl = warp(d.low_hz), wh = warp(d.high_hz), x = warp(hz);
      w = (x * x - wl * wh) / (x * (wh - wl));
    }
  }
  return 1.0 / std::sqrt(1.0 + std::pow(std::abs(w), 2 * d.order));
}

TEST(Butterworth, SecondOrderLowPassMatchesScipyCoefficients) {
  // scipy.signal.butter(2, 0.2) = butter(2, 100, fs=1000)
  auto sos = design_butterworth({FilterKind::kLowPass, 2, 100, 0, 1000});
  ASSERT_EQ(sos.size(), 1u);
  const double b[] = {0.0674552738890719, 0.1349105477781438, 0.0674552738890719};
  const double a[] = {1.0, -1.1429805025399009, 0.4128015980961886};
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(sos[0][k], b[k], 1e-12);
    EXPECT_NEAR(sos[0][3 + k], a[k], 1e-12);
  }
}

TEST(Butterworth, FrequencyResponseMatchesClosedFormWithin1e9) {
  const std::vector<ButterworthDesign> designs = {
      {FilterKind::kLowPass, 4, 10, 0, 2000},    {FilterKind::kLowPass, 5, 300, 0, 1024},
      {FilterKind::kHighPass, 4, 20, 0, 2000},   {FilterKind::kHighPass, 3, 100, 0, 1000},
      {FilterKind::kBandPass, 4, 20, 450, 2000}, {FilterKind::kBandPass, 2, 45, 55, 2000}};
  for (const auto& d : designs) {
    const auto sos = design_butterworth(d);
    for (double hz : {1.0, 5.0, 10.0, 20.0, 50.0, 100.0, 300.0, 449.0, 450.0, 600.0, 900.0}) {
      if (hz >= d.sample_rate_hz / 2) continue;
      EXPECT_NEAR(std::abs(frequency_response(sos, hz, d.sample_rate_hz)), butterworth_magnitude(d, hz), 1e-9)
          << "kind " << static_cast<int>(d.kind) << " order " << d.order << " at " << hz << " Hz";
    }
  }
}

TEST(Butterworth, CausalImpulseResponseFollowsTheDifferenceEquation) {
  const double b0 = 0.0674552738890719, b1 = 0.1349105477781438, b2 = b0, a1 = -1.1429805025399009, a2 = 0.4128015980961886;
  std::vector<double> x(50, 0.0);
  x[0] = 1.0;
  sos_filter(design_butterworth({FilterKind::kLowPass, 2, 100, 0, 1000}), x);
  double y1 = 0, y2 = 0;
  for (int n = 0; n < 50; ++n) {
    const double in0 = n == 0, in1 = n == 1, in2 = n == 2;
    const double y = b0 * in0 + b1 * in1 + b2 * in2 - a1 * y1 - a2 * y2;
    EXPECT_NEAR(x[n], y, 1e-12) << n;
    y2 = y1;
    y1 = y;
  }
}

TEST(Butterworth, FiltfiltIsZeroPhaseWithSquaredMagnitude) {
  const ButterworthDesign d{FilterKind::kLowPass, 4, 10, 0, 2000};
  const auto sos = design_butterworth(d);
  for (double hz : {3.0, 8.0, 12.0}) {
    std::vector<double> x(8000);
    for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(2 * M_PI * hz * i / d.sample_rate_hz);
    auto y = x;
    sos_filtfilt(sos, y);
    const double gain = std::pow(butterworth_magnitude(d, hz), 2);
    for (size_t i = 2000; i < 6000; ++i) ASSERT_NEAR(y[i], gain * x[i], 1e-6) << hz << " Hz, sample " << i;
  }
  // A constant passes unchanged, edges included (steady-state initial conditions).
  std::vector<double> c(100, 2.5);
  sos_filtfilt(sos, c);
  for (double v : c) EXPECT_NEAR(v, 2.5, 1e-9);
}

TEST(Butterworth, RejectsBadDesigns) {
  EXPECT_THROW(design_butterworth({FilterKind::kLowPass, 4, 1500, 0, 2000}), std::invalid_argument);
  EXPECT_THROW(design_butterworth({FilterKind::kBandPass, 4, 450, 20, 2000}), std::invalid_argument);
  EXPECT_THROW(design_butterworth({FilterKind::kLowPass, 0, 10, 0, 2000}), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm
