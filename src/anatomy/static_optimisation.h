#pragma once
// Static optimisation: the activations that produce the joint torques a movement demands at the
// least effort.
//
//   minimise  sum_i a_i^2 + residual_weight * |A a - tau|^2   over 0 <= a_i <= 1,
//
// with A[dof][muscle] = moment arm (m) * maximal force (N), the torque (N m) each muscle gives per
// unit of activation. The residual term keeps a demand beyond the muscles' strength solvable (it
// is met as far as it can be); with the default weight a reachable demand is met to about 1e-4 N m.
#include <vector>

namespace pianokpm::anatomy {

struct StaticOptimisationOptions {
  double residual_weight = 1e5;  // per (N m)^2
  int max_iterations = 200;      // active-set changes; a 7-muscle problem takes a handful
  void check() const;
};

// Solved exactly by a primal active-set method (the problem is a strictly convex box-constrained
// quadratic). A: [dofs][muscles]; tau: [dofs]. Returns [muscles].
std::vector<double> optimal_activations(const std::vector<std::vector<double>>& A, const std::vector<double>& tau,
                                        const StaticOptimisationOptions& options = {});

}  // namespace pianokpm::anatomy
