#include "anatomy/static_optimisation.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pianokpm::anatomy {

void StaticOptimisationOptions::check() const {
  if (!(residual_weight > 0) || !std::isfinite(residual_weight))
    throw std::invalid_argument("static optimisation: residual_weight must be positive");
  if (max_iterations < 1) throw std::invalid_argument("static optimisation: max_iterations must be >= 1");
}

namespace {

// Solves the symmetric positive definite system M x = b (small, dense) by Cholesky.
std::vector<double> solve_spd(std::vector<std::vector<double>> M, std::vector<double> b) {
  const size_t n = b.size();
  for (size_t j = 0; j < n; ++j) {
    double d = M[j][j];
    for (size_t k = 0; k < j; ++k) d -= M[j][k] * M[j][k];
    d = std::sqrt(std::max(d, 1e-300));
    M[j][j] = d;
    for (size_t i = j + 1; i < n; ++i) {
      double s = M[i][j];
      for (size_t k = 0; k < j; ++k) s -= M[i][k] * M[j][k];
      M[i][j] = s / d;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < i; ++k) b[i] -= M[i][k] * b[k];
    b[i] /= M[i][i];
  }
  for (size_t i = n; i-- > 0;) {
    for (size_t k = i + 1; k < n; ++k) b[i] -= M[k][i] * b[k];
    b[i] /= M[i][i];
  }
  return b;
}

}  // namespace

std::vector<double> optimal_activations(const std::vector<std::vector<double>>& A, const std::vector<double>& tau,
                                        const StaticOptimisationOptions& o) {
  if (A.size() != tau.size()) throw std::invalid_argument("static optimisation: A and tau differ in dofs");
  const size_t n = A.empty() ? 0 : A[0].size();
  for (const auto& row : A)
    if (row.size() != n) throw std::invalid_argument("static optimisation: A's rows differ in length");
  // Objective 1/2 a'Q a + c'a with Q = 2 (I + w A'A), c = -2 w A' tau.
  std::vector<std::vector<double>> Q(n, std::vector<double>(n, 0.0));
  std::vector<double> c(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    Q[i][i] = 2.0;
    for (size_t d = 0; d < A.size(); ++d) {
      c[i] -= 2 * o.residual_weight * A[d][i] * tau[d];
      for (size_t k = 0; k < n; ++k) Q[i][k] += 2 * o.residual_weight * A[d][i] * A[d][k];
    }
  }
  // state: -1 held at 0, +1 held at 1, 0 free. Start from a = 0 with every bound active.
  std::vector<double> a(n, 0.0);
  std::vector<int> state(n, -1);
  auto gradient = [&](size_t i) {
    double g = c[i];
    for (size_t k = 0; k < n; ++k) g += Q[i][k] * a[k];
    return g;
  };
  for (int it = 0; it < o.max_iterations; ++it) {
    std::vector<size_t> free;
    for (size_t i = 0; i < n; ++i)
      if (state[i] == 0) free.push_back(i);
    // The minimiser over the free set with the others held.
    std::vector<double> target(n);
    for (size_t i = 0; i < n; ++i) target[i] = a[i];
    if (!free.empty()) {
      std::vector<std::vector<double>> M(free.size(), std::vector<double>(free.size()));
      std::vector<double> b(free.size());
      for (size_t r = 0; r < free.size(); ++r) {
        b[r] = -c[free[r]];
        for (size_t k = 0; k < n; ++k)
          if (state[k] != 0) b[r] -= Q[free[r]][k] * a[k];
        for (size_t s = 0; s < free.size(); ++s) M[r][s] = Q[free[r]][free[s]];
      }
      const auto x = solve_spd(std::move(M), std::move(b));
      for (size_t r = 0; r < free.size(); ++r) target[free[r]] = x[r];
    }
    // Walk towards it until a bound blocks.
    double step = 1.0;
    size_t blocking = n;
    for (size_t i : free) {
      const double d = target[i] - a[i];
      if (d < 0 && target[i] < 0) {
        const double s = a[i] / -d;
        if (s < step) step = s, blocking = i;
      } else if (d > 0 && target[i] > 1) {
        const double s = (1 - a[i]) / d;
        if (s < step) step = s, blocking = i;
      }
    }
    for (size_t i : free) a[i] += step * (target[i] - a[i]);
    if (blocking < n) {
      state[blocking] = target[blocking] < 0 ? -1 : 1;
      a[blocking] = state[blocking] < 0 ? 0.0 : 1.0;
      continue;
    }
    // At the free-set optimum: release the held variable that most wants to move inwards.
    size_t release = n;
    double worst = 1e-12;
    for (size_t i = 0; i < n; ++i) {
      if (state[i] == 0) continue;
      const double g = gradient(i);
      const double inward = state[i] < 0 ? -g : g;  // > 0: the objective falls moving off the bound
      if (inward > worst) worst = inward, release = i;
    }
    if (release == n) return a;
    state[release] = 0;
  }
  throw std::runtime_error("static optimisation: no solution within max_iterations");
}

}  // namespace pianokpm::anatomy
