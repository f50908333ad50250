#include "model/fused_ops.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace pianokpm {

namespace {

// Columns (time steps) per block: a block of C x kBlockT floats stays in L2 between its passes.
constexpr int64_t kBlockT = 128;

torch::Tensor channel_layer_norm_reference(const torch::Tensor& a, const torch::Tensor& residual, bool relu_first,
                                           const torch::Tensor& weight, const torch::Tensor& bias, double eps) {
  torch::Tensor v = relu_first ? torch::relu(a) : a;
  if (residual.defined()) v = v + residual;
  return torch::layer_norm(v.transpose(1, 2), {v.size(1)}, weight, bias, eps).transpose(1, 2).contiguous();
}

torch::Tensor channel_layer_norm_cpu_fused(const torch::Tensor& a_in, const torch::Tensor& residual_in, bool relu_first,
                                           const torch::Tensor& weight_in, const torch::Tensor& bias_in, double eps) {
  const torch::Tensor a = a_in.contiguous();
  const torch::Tensor r = residual_in.defined() ? residual_in.contiguous() : residual_in;
  const torch::Tensor weight = weight_in.contiguous(), bias = bias_in.contiguous();
  const int64_t batch = a.size(0), channels = a.size(1), steps = a.size(2);
  torch::Tensor out = torch::empty_like(a);
  const float* pa = a.data_ptr<float>();
  const float* pr = r.defined() ? r.data_ptr<float>() : nullptr;
  const float* pw = weight.data_ptr<float>();
  const float* pb = bias.data_ptr<float>();
  float* po = out.data_ptr<float>();
  const int64_t blocks_per_row = (steps + kBlockT - 1) / kBlockT;

  at::parallel_for(0, batch * blocks_per_row, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> mean(kBlockT), rstd(kBlockT);
    for (int64_t job = begin; job < end; ++job) {
      const int64_t b = job / blocks_per_row, t0 = (job % blocks_per_row) * kBlockT;
      const int64_t n = std::min(kBlockT, steps - t0);
      const int64_t base = b * channels * steps + t0;
      // Pass 1: v = act(a) + r written to out; sum per time step.
      std::fill(mean.begin(), mean.begin() + n, 0.0f);
      for (int64_t c = 0; c < channels; ++c) {
        const float* __restrict x = pa + base + c * steps;
        float* __restrict o = po + base + c * steps;
        float* __restrict m = mean.data();
        if (relu_first) {
          for (int64_t t = 0; t < n; ++t) o[t] = std::max(x[t], 0.0f);
        } else {
          for (int64_t t = 0; t < n; ++t) o[t] = x[t];
        }
        if (pr) {
          const float* __restrict res = pr + base + c * steps;
          for (int64_t t = 0; t < n; ++t) o[t] += res[t];
        }
        for (int64_t t = 0; t < n; ++t) m[t] += o[t];
      }
      for (int64_t t = 0; t < n; ++t) {
        mean[t] /= static_cast<float>(channels);
        rstd[t] = 0.0f;
      }
      // Pass 2: centred variance (two-pass for accuracy).
      for (int64_t c = 0; c < channels; ++c) {
        const float* __restrict o = po + base + c * steps;
        const float* __restrict m = mean.data();
        float* __restrict v = rstd.data();
        for (int64_t t = 0; t < n; ++t) {
          const float d = o[t] - m[t];
          v[t] += d * d;
        }
      }
      for (int64_t t = 0; t < n; ++t)
        rstd[t] = 1.0f / std::sqrt(rstd[t] / static_cast<float>(channels) + static_cast<float>(eps));
      // Pass 3: normalise and apply the affine parameters.
      for (int64_t c = 0; c < channels; ++c) {
        float* __restrict o = po + base + c * steps;
        const float* __restrict m = mean.data();
        const float* __restrict s = rstd.data();
        const float w = pw[c], bb = pb[c];
        for (int64_t t = 0; t < n; ++t) o[t] = (o[t] - m[t]) * s[t] * w + bb;
      }
    }
  });
  return out;
}

}  // namespace

torch::Tensor channel_layer_norm(const torch::Tensor& a, const torch::Tensor& residual, bool relu_first,
                                 const torch::Tensor& weight, const torch::Tensor& bias, double eps) {
  const bool fused = !torch::GradMode::is_enabled() && a.device().is_cpu() && a.scalar_type() == torch::kFloat &&
                     weight.scalar_type() == torch::kFloat && a.dim() == 3 &&
                     (!residual.defined() || (residual.sizes() == a.sizes() && residual.scalar_type() == torch::kFloat));
  return fused ? channel_layer_norm_cpu_fused(a, residual, relu_first, weight, bias, eps)
               : channel_layer_norm_reference(a, residual, relu_first, weight, bias, eps);
}

torch::Tensor channel_linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  // W [Cout, Cin] x x[b] [Cin, T] per batch item: no transposes of the activations.
  if (torch::GradMode::is_enabled()) {
    auto y = torch::matmul(weight, x);
    return bias.defined() ? y + bias.view({1, -1, 1}) : y;
  }
  // Inference: a kernel-1 convolution, which runs in oneDNN on the same OpenMP threads as the
  // encoder's other convolutions; a BLAS product here fights those threads for the cores
  // (measured 3x slower on 2 cores).
  return torch::conv1d(x, weight.unsqueeze(-1), bias);
}

}  // namespace pianokpm
