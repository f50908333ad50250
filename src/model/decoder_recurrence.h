#pragma once
// The autoregressive decoder's 1024 dependent steps as one autograd operation on CPU.
//
// Composed from libtorch operations, every step records a dozen autograd nodes and the backward
// pass replays them one by one: a training step at batch 8 spends most of its time in dispatch.
// Here the forward pass is one loop of our own row kernels (the hidden layer split between the
// cores, see decoder_recurrence.cpp) that keeps what the backward pass needs, and the backward
// pass is written out (back-propagation through time):
// the sequential part per step is again one BLAS call, and every weight gradient is one matrix
// product over all steps at the end. The same function as ArDecoder's composed path (tested
// against it on random inputs, float32 and float64).
#include <torch/torch.h>

namespace pianokpm {

// One step: z1 = pre_t + W_e e_{t-1}; a1 = LeakyReLU(LayerNorm(z1)); a2 = LeakyReLU(LayerNorm(W_2 a1 + b_2));
// e_t = scale * (W_3 a2 + b_3); e_0 = 0.
struct DecoderStepWeights {
  torch::Tensor w_emg;                     // [H, E]: the e_{t-1} columns of the first Linear
  torch::Tensor norm1_weight, norm1_bias;  // [H]
  torch::Tensor w_hidden, b_hidden;        // [H, H], [H]
  torch::Tensor norm2_weight, norm2_bias;  // [H]
  torch::Tensor w_out, b_out;              // [E, H], [E]
  double eps1 = 1e-5, eps2 = 1e-5, slope = 0.01, scale = 1.0;
};

// Whether decoder_recurrence can run on these tensors (CPU, float32 or float64).
bool decoder_recurrence_supported(const torch::Tensor& pre);

// pre [B, T, H] (the first Linear applied to the features, bias included) -> e [B, T, E].
// Differentiable with respect to pre and every weight tensor.
torch::Tensor decoder_recurrence(const torch::Tensor& pre, const DecoderStepWeights& w);

}  // namespace pianokpm
