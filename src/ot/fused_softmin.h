#pragma once
// The soft-min of the Sinkhorn iterations for large float32 clouds on the CPU, fused into one
// pass per row so that no cost matrix is ever stored (memory O(N + M) per thread):
//   f_i = -eps * log sum_j exp(h_j - |x_i - y_j|^2 / (2 eps))
// The exponential is a vectorisable polynomial (Cephes expf, relative error ~1e-7) and sums are
// accumulated in double, so results agree with the float64 formula to about 1e-6 relative.
#include <torch/torch.h>

namespace pianokpm {

// x [N, D], y [M, D], h [M], all float32 contiguous on the CPU -> [N] float32. With `barycentre`,
// also each row's soft-min weighted mean of y, sum_j p_ij y_j with p_ij the softmax over j of
// h_j - |x_i - y_j|^2 / (2 eps): [N, D]. The gradient of f_i in x_i is x_i - barycentre_i.
torch::Tensor fused_softmin(double eps, const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& h,
                            torch::Tensor* barycentre = nullptr);

// exp(x) for x <= 0 as used inside fused_softmin (exposed for its test).
float fused_exp_nonpositive(float x);

// How many times fused_softmin has run in this process, from any thread (for tests: which
// soft-min path a computation took).
int64_t fused_softmin_calls();

}  // namespace pianokpm
