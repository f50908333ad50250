#include "signal/envelope_normalisation.h"

#include "test_support.h"

namespace pianokpm {
namespace {

TEST(EnvelopeNormalisation, ReferencesAreKnownValues) {
  const std::vector<double> x = {0.0, 4.0, 1.0, 3.0, 2.0};
  EnvelopeNormalisation n;
  n.kind = NormalisationKind::kMax;
  EXPECT_DOUBLE_EQ(normalisation_reference(x, n, 0), 4.0);
  n.kind = NormalisationKind::kPercentile;
  n.percentile = 90;  // numpy.percentile([0,1,2,3,4], 90) = 3.6
  EXPECT_DOUBLE_EQ(normalisation_reference(x, n, 0), 3.6);
  n.percentile = 50;
  EXPECT_DOUBLE_EQ(normalisation_reference(x, n, 0), 2.0);
  n.kind = NormalisationKind::kMvc;
  n.mvc = {8.0, 2.0};
  EXPECT_DOUBLE_EQ(normalisation_reference(x, n, 1), 2.0);
  std::vector<double> y = x;
  EXPECT_DOUBLE_EQ(normalise_envelope(y, n, 1), 2.0);  // divided by 2, clipped at 1
  EXPECT_EQ(y, (std::vector<double>{0.0, 1.0, 0.5, 1.0, 1.0}));
  n.clip_to_unit = false;
  y = x;
  normalise_envelope(y, n, 0);
  EXPECT_EQ(y, (std::vector<double>{0.0, 0.5, 0.125, 0.375, 0.25}));
}

TEST(EnvelopeNormalisation, SilentChannelStaysZeroAndBadOptionsAreRejected) {
  std::vector<double> silent(10, 0.0);
  EnvelopeNormalisation n;
  normalise_envelope(silent, n, 0);
  for (double v : silent) EXPECT_EQ(v, 0.0);
  n.kind = NormalisationKind::kMvc;
  n.mvc = {1.0};
  EXPECT_THROW(n.check(2), std::invalid_argument);
  n.mvc = {1.0, -1.0};
  EXPECT_THROW(n.check(2), std::invalid_argument);
  n.kind = NormalisationKind::kPercentile;
  n.percentile = 0;
  EXPECT_THROW(n.check(2), std::invalid_argument);
  EXPECT_THROW(parse_normalisation("rms"), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm
