// Static optimisation against closed forms and an independent float64 solver.
#include "anatomy/static_optimisation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace pianokpm::anatomy {
namespace {

double objective(const std::vector<std::vector<double>>& A, const std::vector<double>& tau, const std::vector<double>& a,
                 double w) {
  double f = 0;
  for (double x : a) f += x * x;
  for (size_t d = 0; d < A.size(); ++d) {
    double r = -tau[d];
    for (size_t i = 0; i < a.size(); ++i) r += A[d][i] * a[i];
    f += w * r * r;
  }
  return f;
}

// Projected gradient descent with a safe step and many iterations: slow, simple, independent.
std::vector<double> projected_gradient(const std::vector<std::vector<double>>& A, const std::vector<double>& tau, double w) {
  const size_t n = A[0].size();
  double lipschitz = 2;
  for (const auto& row : A)
    for (double x : row) lipschitz += 2 * w * x * x * static_cast<double>(n);
  std::vector<double> a(n, 0.0);
  for (int it = 0; it < 400000; ++it) {
    std::vector<double> g(n);
    for (size_t i = 0; i < n; ++i) g[i] = 2 * a[i];
    for (size_t d = 0; d < A.size(); ++d) {
      double r = -tau[d];
      for (size_t i = 0; i < n; ++i) r += A[d][i] * a[i];
      for (size_t i = 0; i < n; ++i) g[i] += 2 * w * A[d][i] * r;
    }
    for (size_t i = 0; i < n; ++i) a[i] = std::clamp(a[i] - g[i] / lipschitz, 0.0, 1.0);
  }
  return a;
}

TEST(StaticOptimisation, OneJointTwoMusclesShareInProportionToStrength) {
  // Unconstrained optimum of |a|^2 + w (A a - tau)^2: a = w A tau / (1 + w |A|^2).
  const std::vector<std::vector<double>> A = {{0.3, 0.1}};
  const double tau = 0.05, w = 1e5;
  const auto a = optimal_activations(A, {tau}, {w, 200});
  const double norm2 = 0.3 * 0.3 + 0.1 * 0.1;
  EXPECT_NEAR(a[0], w * 0.3 * tau / (1 + w * norm2), 1e-12);
  EXPECT_NEAR(a[1], w * 0.1 * tau / (1 + w * norm2), 1e-12);
}

TEST(StaticOptimisation, AMuscleThatWouldPushIsLeftOff) {
  // The second muscle turns the joint the wrong way: it stays at 0, the first does the work.
  const auto a = optimal_activations({{0.4, -0.2}}, {0.1});
  EXPECT_EQ(a[1], 0.0);
  EXPECT_NEAR(a[0] * 0.4, 0.1, 1e-4);
}

TEST(StaticOptimisation, ADemandBeyondStrengthSaturates) {
  const auto a = optimal_activations({{0.2, 0.1}}, {1.0});
  EXPECT_DOUBLE_EQ(a[0], 1.0);
  EXPECT_DOUBLE_EQ(a[1], 1.0);
}

TEST(StaticOptimisation, MatchesAnIndependentSolverOnRandomProblems) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> arm(0.0, 0.3);
  std::normal_distribution<double> demand(0.0, 0.15);
  const double w = 1e3;  // moderate, so that the slow reference converges
  for (int trial = 0; trial < 20; ++trial) {
    const size_t dofs = 1 + trial % 3, muscles = 3 + trial % 5;
    std::vector<std::vector<double>> A(dofs, std::vector<double>(muscles));
    std::vector<double> tau(dofs);
    for (auto& row : A)
      for (double& x : row) x = arm(rng);
    for (double& t : tau) t = demand(rng);
    const auto a = optimal_activations(A, tau, {w, 200});
    const auto ref = projected_gradient(A, tau, w);
    for (size_t i = 0; i < muscles; ++i) {
      EXPECT_GE(a[i], 0.0);
      EXPECT_LE(a[i], 1.0);
      EXPECT_NEAR(a[i], ref[i], 1e-5) << "trial " << trial << " muscle " << i;
    }
    EXPECT_LE(objective(A, tau, a, w), objective(A, tau, ref, w) + 1e-12);
  }
}

TEST(StaticOptimisation, RejectsMismatchedShapes) {
  EXPECT_THROW(optimal_activations({{0.1, 0.2}}, {0.1, 0.2}), std::invalid_argument);
  EXPECT_THROW(optimal_activations({{0.1, 0.2}, {0.1}}, {0.1, 0.2}), std::invalid_argument);
  StaticOptimisationOptions bad;
  bad.residual_weight = 0;
  EXPECT_THROW(bad.check(), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm::anatomy
