#pragma once
// Channel-first building operations of the encoder, so activations stay [B, C, T] contiguous and
// never pay for transposes. On CPU without autograd a fused float32 loop computes
// LayerNorm_C(act(a) + residual) in one sweep over cache-sized blocks; everywhere else
// (training, CUDA, other dtypes) the same function is composed from libtorch operations.
#include <torch/torch.h>

namespace pianokpm {

// LayerNorm over channels of relu?(a) + residual; a, residual [B, C, T]; residual may be undefined.
torch::Tensor channel_layer_norm(const torch::Tensor& a, const torch::Tensor& residual, bool relu_first,
                                 const torch::Tensor& weight, const torch::Tensor& bias, double eps);

// y[b] = W x[b] + bias over channels of x [B, Cin, T] -> [B, Cout, T] (a Linear applied per time step).
torch::Tensor channel_linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace pianokpm
