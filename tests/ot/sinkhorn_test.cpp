#include "ot/sinkhorn.h"

#include <nlohmann/json.hpp>

#include "io/array_file.h"
#include "ot/fused_softmin.h"
#include "test_support.h"

namespace pianokpm {
namespace {

// One case of the official geomloss fixtures: clouds x, y (in `dtype`), the divergence and its
// gradient in x (float64).
struct SinkhornCase {
  std::string prefix;
  torch::Tensor x, y, grad;
  double expected;
};

std::vector<SinkhornCase> official_cases(torch::ScalarType dtype) {
  std::vector<SinkhornCase> out;
  for (const auto& c : nlohmann::json::parse(testing::read_bytes(testing::official("sinkhorn_values.json")))) {
    const std::string prefix = "sinkhorn_" + std::to_string(c.at("case").get<int>());
    out.push_back({prefix, read_array(testing::official(prefix + "_x.npy")).to(dtype),
                   read_array(testing::official(prefix + "_y.npy")).to(dtype),
                   read_array(testing::official(prefix + "_grad_x.npy")).to(torch::kDouble), c.at("value").get<double>()});
  }
  return out;
}

TEST(Sinkhorn, MatchesGeomlossValuesAndGradientsOnOfficialFixtures) {
  const auto cases = official_cases(torch::kDouble);
  ASSERT_EQ(cases.size(), 5u);
  for (const auto& [prefix, x, y, grad, expected] : cases) {
    auto xg = x.unsqueeze(0).clone().requires_grad_(true);
    auto value = sinkhorn_divergence(xg, y.unsqueeze(0))[0];
    value.backward();
    EXPECT_NEAR(value.item<double>(), expected, 1e-6 * std::abs(expected)) << prefix;
    const double grad_error = (xg.grad()[0] - grad).abs().max().item<double>() / grad.abs().max().item<double>();
    EXPECT_LE(grad_error, 1e-6) << prefix;

    for (int64_t block : {1, 7, 4096}) {
      SinkhornOptions o;
      o.block_rows = block;
      EXPECT_NEAR(sinkhorn_divergence_blocked(x, y, o), expected, 1e-6 * std::abs(expected)) << prefix << " block " << block;
    }
  }
}

TEST(Sinkhorn, Float32TrainingLossTakesFusedSoftminAndMatchesFixtures) {
  // float32 on the CPU runs every soft-min through the fused kernel (no cost matrix): per window,
  // four at the first epsilon, four per annealing step and four in the last extrapolation; float64
  // runs none. Value and gradient match geomloss (the fixtures) and the float64 path on the same
  // points, to float32 accuracy.
  const auto cases = official_cases(torch::kFloat);
  ASSERT_EQ(cases.size(), 5u);
  for (const auto& [prefix, x, y, grad, expected] : cases) {
    int64_t calls = fused_softmin_calls();
    auto x64 = torch::stack({x, x}).to(torch::kDouble).requires_grad_(true);
    auto value64 = sinkhorn_divergence(x64, torch::stack({y, y}).to(torch::kDouble));
    value64.sum().backward();
    EXPECT_EQ(fused_softmin_calls(), calls) << prefix << ": float64 took the fused soft-min";

    const auto all = torch::cat({x, y});  // float32, as the loss measures its schedule's diameter
    const double diameter = (std::get<0>(all.max(0)) - std::get<0>(all.min(0))).norm().item<double>();
    const auto steps = static_cast<int64_t>(sinkhorn_epsilons(diameter, {}).size());
    calls = fused_softmin_calls();
    auto xg = torch::stack({x, x}).requires_grad_(true);  // a batch of two windows
    auto value = sinkhorn_divergence(xg, torch::stack({y, y}));
    value.sum().backward();
    EXPECT_EQ(fused_softmin_calls() - calls, 2 * 4 * (steps + 2)) << prefix << ": not every soft-min was fused";
    for (int64_t i = 0; i < 2; ++i) {
      EXPECT_NEAR(value[i].item<double>(), expected, 1e-4 * std::abs(expected) + 1e-7) << prefix;
      EXPECT_NEAR(value[i].item<double>(), value64[i].item<double>(), 1e-4 * std::abs(expected) + 1e-7) << prefix;
      const double scale = grad.abs().max().item<double>();
      EXPECT_LE((xg.grad()[i].to(torch::kDouble) - grad).abs().max().item<double>() / scale, 1e-4) << prefix;
      EXPECT_LE((xg.grad()[i].to(torch::kDouble) - x64.grad()[i]).abs().max().item<double>() / scale, 1e-4) << prefix;
    }
  }
}

TEST(Sinkhorn, EpsilonScheduleFollowsNumpyArange) {
  // diameter 1: [1] + exp(arange(0, 2 ln 0.05, 2 ln 0.5)) + [0.0025]: 1, 1/4, 1/16, 1/64, 1/256 (> 0.0025), then 0.0025
  const auto eps = sinkhorn_epsilons(1.0, {});
  ASSERT_EQ(eps.size(), 7u);
  EXPECT_DOUBLE_EQ(eps[0], 1.0);
  EXPECT_NEAR(eps[1], 1.0, 1e-15);
  EXPECT_NEAR(eps[5], 1.0 / 256, 1e-15);
  EXPECT_DOUBLE_EQ(eps[6], 0.0025);
}

TEST(Sinkhorn, IdenticalCloudsHaveZeroDivergenceAndBatchesAgreeWithSingles) {
  torch::manual_seed(1);
  auto x = torch::rand({2, 50, 6}, torch::kDouble), y = torch::rand({2, 40, 6}, torch::kDouble);
  EXPECT_NEAR(sinkhorn_divergence(x, x).abs().max().item<double>(), 0.0, 1e-12);
  EXPECT_GT(sinkhorn_divergence(x, y).min().item<double>(), 0.0);
  EXPECT_NEAR(sinkhorn_divergence_blocked(x[0], x[0]), 0.0, 1e-12);
  // every point of both clouds in one place (a constant envelope estimated exactly): 0, not NaN
  const auto still = torch::full({1, 30, 6}, 0.25, torch::kDouble);
  const auto one_scale = sinkhorn_epsilons(0.0, {});
  ASSERT_EQ(one_scale.size(), 1u);
  EXPECT_DOUBLE_EQ(one_scale[0], 0.0025);  // blur^2
  EXPECT_NEAR(sinkhorn_divergence(still, still).item<double>(), 0.0, 1e-12);
  EXPECT_NEAR(sinkhorn_divergence(still.to(torch::kFloat), still.to(torch::kFloat)).item<double>(), 0.0, 1e-6);
}

}  // namespace
}  // namespace pianokpm
