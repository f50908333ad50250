// The fused float32 soft-min against float64 references: its exponential against std::exp, the
// soft-min against the tensor formula, and whole divergences against the float64 path.
#include "ot/fused_softmin.h"

#include <cmath>

#include "test_support.h"
#include "ot/sinkhorn.h"

namespace pianokpm {
namespace {

TEST(FusedSoftmin, ExponentialMatchesStdExpWithin3e7Relative) {
  double worst = 0;
  for (int i = 0; i <= 200000; ++i) {
    const float x = -87.0f * static_cast<float>(i) / 200000.0f;
    const double ref = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::abs(fused_exp_nonpositive(x) - ref) / ref);
  }
  EXPECT_LT(worst, 3e-7);
  EXPECT_EQ(fused_exp_nonpositive(0.0f), 1.0f);
  EXPECT_LT(fused_exp_nonpositive(-1000.0f), 1e-37f);  // clamped, never NaN or a denormal storm
}

TEST(FusedSoftmin, MatchesFloat64FormulaOnRandomClouds) {
  torch::manual_seed(3);
  for (int64_t dims : {6, 3})  // the six EMG channels take a specialised loop
    for (double eps : {2.0, 0.25, 0.0025}) {
      const auto x = torch::rand({300, dims}, torch::kDouble), y = torch::rand({517, dims}, torch::kDouble) * 1.5;
      const auto h = torch::randn({517}, torch::kDouble);
      const auto c = torch::cdist(x, y).pow(2) / 2;
      const auto ref = -eps * torch::logsumexp(h.unsqueeze(0) - c / eps, 1);
      const auto got = fused_softmin(eps, x.to(torch::kFloat), y.to(torch::kFloat), h.to(torch::kFloat)).to(torch::kDouble);
      const double err = ((got - ref).abs() / (ref.abs() + eps)).max().item<double>();
      EXPECT_LT(err, 1e-5) << "eps " << eps << ", " << dims << "-D";
    }
}

TEST(FusedSoftmin, BarycentreIsTheSoftminWeightedMeanInFloat64) {
  torch::manual_seed(5);
  for (int64_t dims : {6, 3})
    for (double eps : {1.0, 0.0025}) {
      const auto x = torch::rand({200, dims}, torch::kDouble), y = torch::rand({333, dims}, torch::kDouble);
      const auto h = torch::randn({333}, torch::kDouble);
      const auto p = torch::softmax(h.unsqueeze(0) - torch::cdist(x, y).pow(2) / (2 * eps), 1);  // [N, M]
      const auto ref = torch::mm(p, y);
      torch::Tensor got;
      fused_softmin(eps, x.to(torch::kFloat), y.to(torch::kFloat), h.to(torch::kFloat), &got);
      EXPECT_LT((got.to(torch::kDouble) - ref).abs().max().item<double>(), 1e-5) << "eps " << eps << ", " << dims << "-D";
    }
}

TEST(FusedSoftmin, DivergenceOfLargeCloudsMatchesFloat64Path) {
  torch::manual_seed(4);
  const auto x = torch::rand({1500, 6}, torch::kDouble), y = torch::rand({1300, 6}, torch::kDouble).pow(2);
  const double ref = sinkhorn_divergence_blocked(x, y);                                      // float64: blocks of costs
  const double got = sinkhorn_divergence_blocked(x.to(torch::kFloat), y.to(torch::kFloat));  // fused
  EXPECT_NEAR(got, ref, 1e-4 * std::abs(ref));
  EXPECT_GT(ref, 0.0);
}

}  // namespace
}  // namespace pianokpm
