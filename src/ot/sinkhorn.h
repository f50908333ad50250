#pragma once
// Debiased Sinkhorn divergence between uniform point clouds, with the exact semantics of
// geomloss 0.2.6 `SamplesLoss("sinkhorn", p=2, blur=0.05, scaling=0.5, debias=True)`
// (the release's training loss): cost |x-y|^2/2, epsilon annealed from diameter^2 to blur^2,
// symmetric updates without gradient, one last extrapolation that carries the gradient.
#include <torch/torch.h>

#include <vector>

namespace pianokpm {

struct SinkhornOptions {
  double blur = 0.05;        // final epsilon = blur^2
  double scaling = 0.5;      // epsilon annealing factor (per step, on blur)
  int64_t block_rows = 512;  // blocked variant: rows of the cost matrix held at once
  // > 0: the diameter that sets the schedule, instead of the inputs' own; data-parallel training
  // passes the whole batch's so that each process's share is scored as in the whole batch.
  double diameter = 0;

  void check() const;  // throws std::invalid_argument
};

// The annealing schedule for a given diameter (numpy arange semantics).
std::vector<double> sinkhorn_epsilons(double diameter, const SinkhornOptions& options);

// x [B, N, D], y [B, M, D] -> [B] divergences; differentiable in x and y. The diameter (and so
// the schedule) is shared by the whole batch, as geomloss does for batched inputs. Holds
// B x N x M costs: for training windows.
torch::Tensor sinkhorn_divergence(const torch::Tensor& x, const torch::Tensor& y, const SinkhornOptions& options = {});

// x [N, D], y [M, D]: the same value for large clouds without gradient, holding at most
// block_rows x max(N, M) costs at a time (evaluation of whole performances).
double sinkhorn_divergence_blocked(const torch::Tensor& x, const torch::Tensor& y, const SinkhornOptions& options = {});

}  // namespace pianokpm
