#include "model/decoder_recurrence.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/blas_threads.h"
#include "core/vector_clones.h"

namespace pianokpm {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The loops below are written for the compiler's vectoriser: reductions are marked `omp simd`
// (the build has OpenMP), the other loops run along contiguous rows; each row kernel is also
// compiled for AVX2 and AVX-512 (vector_clones.h).

// LayerNorm over one row of h values then LeakyReLU; keeps x-hat and 1/sigma for the backward pass.
template <typename S>
PIANOKPM_VECTOR_CLONES void layer_norm_leaky_row(const S* z, const S* gamma, const S* beta, int64_t h, double eps, double slope,
                                                 S* xhat, S* a, S* rstd) {
  S sum = 0;
#pragma omp simd reduction(+ : sum)
  for (int64_t i = 0; i < h; ++i) sum += z[i];
  const S mean = sum / static_cast<S>(h);
  S var = 0;
#pragma omp simd reduction(+ : var)
  for (int64_t i = 0; i < h; ++i) var += (z[i] - mean) * (z[i] - mean);
  const S r = static_cast<S>(1.0 / std::sqrt(static_cast<double>(var) / static_cast<double>(h) + eps));
  const S sl = static_cast<S>(slope);
  *rstd = r;
#pragma omp simd
  for (int64_t i = 0; i < h; ++i) {
    const S x = (z[i] - mean) * r;
    const S n = x * gamma[i] + beta[i];
    xhat[i] = x;
    a[i] = std::max(n, S(0)) + sl * std::min(n, S(0));  // LeakyReLU without a branch
  }
}

// Back through LeakyReLU(LayerNorm(z)) for one row: da (overwritten with scratch) -> dz;
// accumulates the LayerNorm's weight and bias gradients.
template <typename S>
PIANOKPM_VECTOR_CLONES void layer_norm_leaky_row_backward(S* da, const S* a, const S* xhat, S rstd, const S* gamma, int64_t h,
                                                          double slope, S* dgamma, S* dbeta, S* dz) {
  const S sl = static_cast<S>(slope);
  S m1 = 0, m2 = 0;
#pragma omp simd reduction(+ : m1, m2)
  for (int64_t i = 0; i < h; ++i) {
    const S dn = da[i] * (a[i] > 0 ? S(1) : sl);
    dgamma[i] += dn * xhat[i];
    dbeta[i] += dn;
    const S dx = dn * gamma[i];
    da[i] = dx;
    m1 += dx;
    m2 += dx * xhat[i];
  }
  m1 /= static_cast<S>(h);
  m2 /= static_cast<S>(h);
#pragma omp simd
  for (int64_t i = 0; i < h; ++i) dz[i] = rstd * (da[i] - m1 - xhat[i] * m2);
}

// y += a x
template <typename S>
PIANOKPM_VECTOR_CLONES void axpy(S* y, const S* x, S a, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

template <typename S>
PIANOKPM_VECTOR_CLONES S dot(const S* x, const S* y, int64_t n) {
  S acc = 0;
#pragma omp simd reduction(+ : acc)
  for (int64_t i = 0; i < n; ++i) acc += x[i] * y[i];
  return acc;
}

// Four dot products with one x: four independent accumulator chains instead of one, and x read once.
template <typename S>
PIANOKPM_VECTOR_CLONES void dot4(const S* w, int64_t stride, const S* x, int64_t n, S* out) {
  const S *w0 = w, *w1 = w + stride, *w2 = w + 2 * stride, *w3 = w + 3 * stride;
  S a0 = 0, a1 = 0, a2 = 0, a3 = 0;
#pragma omp simd reduction(+ : a0, a1, a2, a3)
  for (int64_t i = 0; i < n; ++i) {
    a0 += w0[i] * x[i];
    a1 += w1[i] * x[i];
    a2 += w2[i] * x[i];
    a3 += w3[i] * x[i];
  }
  out[0] = a0;
  out[1] = a1;
  out[2] = a2;
  out[3] = a3;
}

// Batch rows per task of the per-row loops (fewer run inline, without waking another thread).
constexpr int64_t kRowsPerTask = 4;

// z = W x + bias for the rows x [b, h]. The output rows are split between the threads, so each
// core reads only its half of W (512 KB of the 1 MB matrix), which then stays in its own L2 cache
// from step to step; a BLAS call per step instead streams the whole matrix from L3 every time
// (one window: 32 -> 12 ms), and with the BLAS out of the loop its threads cannot compete with
// libtorch's (see predict/predictor.cpp).
template <typename S>
void hidden_layer(const S* x, const S* weight, const S* bias, int64_t b, int64_t h, S* z) {
  constexpr int64_t kRows = 4;  // dot4
  const int64_t blocks = (h + kRows - 1) / kRows;
  const int64_t grain = (blocks + at::get_num_threads() - 1) / at::get_num_threads();
  at::parallel_for(0, blocks, grain, [&](int64_t begin, int64_t end) {
    for (int64_t blk = begin; blk < end; ++blk) {
      const int64_t r0 = blk * kRows;
      for (int64_t i = 0; i < b; ++i) {
        if (r0 + kRows <= h) {
          S acc[kRows];
          dot4(weight + r0 * h, h, x + i * h, h, acc);
          for (int64_t k = 0; k < kRows; ++k) z[i * h + r0 + k] = bias[r0 + k] + acc[k];
        } else {
          for (int64_t r = r0; r < h; ++r) z[i * h + r] = bias[r] + dot(weight + r * h, x + i * h, h);
        }
      }
    }
  });
}

// Everything the forward pass keeps for the backward one, laid out [T, B, ...] so that a step's
// rows are contiguous.
struct Saved {
  torch::Tensor xhat1, a1, rstd1, xhat2, a2, rstd2;
};

template <typename S>
torch::Tensor run_forward(const torch::Tensor& pre, const DecoderStepWeights& w, Saved* keep) {
  const int64_t b = pre.size(0), steps = pre.size(1), h = pre.size(2), e = w.w_out.size(0);
  const int64_t slots = keep ? steps : 1;  // inference reuses one step's buffers
  const auto opts = pre.options();
  Saved s{torch::empty({slots, b, h}, opts), torch::empty({slots, b, h}, opts), torch::empty({slots, b}, opts),
          torch::empty({slots, b, h}, opts), torch::empty({slots, b, h}, opts), torch::empty({slots, b}, opts)};
  torch::Tensor out = torch::empty({b, steps, e}, opts);
  torch::Tensor z1 = torch::empty({b, h}, opts), z2 = torch::empty({b, h}, opts);
  std::vector<S> state(static_cast<size_t>(b * e), S(0));

  const S* pp = pre.data_ptr<S>();
  const S* we = w.w_emg.data_ptr<S>();
  const S *g1 = w.norm1_weight.data_ptr<S>(), *b1 = w.norm1_bias.data_ptr<S>();
  const S *g2 = w.norm2_weight.data_ptr<S>(), *b2 = w.norm2_bias.data_ptr<S>();
  const S *w3 = w.w_out.data_ptr<S>(), *b3 = w.b_out.data_ptr<S>();
  S* po = out.data_ptr<S>();
  S *pz1 = z1.data_ptr<S>(), *pz2 = z2.data_ptr<S>();
  for (int64_t t = 0; t < steps; ++t) {
    const int64_t slot = keep ? t : 0;
    S* xh1 = s.xhat1[slot].data_ptr<S>();
    S* a1 = s.a1[slot].data_ptr<S>();
    S* r1 = s.rstd1[slot].data_ptr<S>();
    at::parallel_for(0, b, kRowsPerTask, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const S* pre_row = pp + (i * steps + t) * h;
        const S* prev = state.data() + i * e;
        S* z = pz1 + i * h;
        std::copy(pre_row, pre_row + h, z);
        for (int64_t k = 0; k < e; ++k) axpy(z, we + k * h, prev[k], h);
        layer_norm_leaky_row(z, g1, b1, h, w.eps1, w.slope, xh1 + i * h, a1 + i * h, r1 + i);
      }
    });
    hidden_layer(a1, w.w_hidden.data_ptr<S>(), w.b_hidden.data_ptr<S>(), b, h, pz2);
    S* xh2 = s.xhat2[slot].data_ptr<S>();
    S* a2 = s.a2[slot].data_ptr<S>();
    S* r2 = s.rstd2[slot].data_ptr<S>();
    at::parallel_for(0, b, kRowsPerTask, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        layer_norm_leaky_row(pz2 + i * h, g2, b2, h, w.eps2, w.slope, xh2 + i * h, a2 + i * h, r2 + i);
        const S* row = a2 + i * h;
        for (int64_t k = 0; k < e; ++k) {
          const S v = static_cast<S>(w.scale) * (b3[k] + dot(w3 + k * h, row, h));
          state[static_cast<size_t>(i * e + k)] = v;
          po[(i * steps + t) * e + k] = v;
        }
      }
    });
  }
  if (keep) *keep = std::move(s);
  return out;
}

struct Gradients {
  torch::Tensor pre, w_emg, norm1_weight, norm1_bias, w_hidden, b_hidden, norm2_weight, norm2_bias, w_out, b_out;
};

template <typename S>
Gradients run_backward(const torch::Tensor& grad_out, const torch::Tensor& out, const DecoderStepWeights& w, const Saved& s) {
  const int64_t b = out.size(0), steps = out.size(1), e = out.size(2), h = w.w_hidden.size(0);
  const auto opts = out.options();
  const ScopedOpenMpThreads one_thread(1);  // every step below calls the BLAS
  torch::Tensor grad_pre = torch::empty({b, steps, h}, opts);
  torch::Tensor dy3 = torch::empty({steps, b, e}, opts);
  torch::Tensor dz2 = torch::empty({steps, b, h}, opts);
  torch::Tensor da1 = torch::empty({b, h}, opts);
  std::vector<S> da2(static_cast<size_t>(h)), de_next(static_cast<size_t>(b * e), S(0));
  std::vector<S> dg1(h, S(0)), db1(h, S(0)), dg2(h, S(0)), db2(h, S(0));

  const S* go = grad_out.data_ptr<S>();
  const S* we = w.w_emg.data_ptr<S>();
  const S *g1 = w.norm1_weight.data_ptr<S>(), *g2 = w.norm2_weight.data_ptr<S>(), *w3 = w.w_out.data_ptr<S>();
  S* gp = grad_pre.data_ptr<S>();
  S* pda1 = da1.data_ptr<S>();
  for (int64_t t = steps - 1; t >= 0; --t) {
    const S *a2 = s.a2[t].data_ptr<S>(), *xh2 = s.xhat2[t].data_ptr<S>(), *r2 = s.rstd2[t].data_ptr<S>();
    S* pdy3 = dy3[t].data_ptr<S>();
    S* pdz2 = dz2[t].data_ptr<S>();
    for (int64_t i = 0; i < b; ++i) {
      S* d3 = pdy3 + i * e;
      for (int64_t k = 0; k < e; ++k)
        d3[k] = static_cast<S>(w.scale) * (go[(i * steps + t) * e + k] + de_next[static_cast<size_t>(i * e + k)]);
      std::fill(da2.begin(), da2.end(), S(0));
      for (int64_t k = 0; k < e; ++k) axpy(da2.data(), w3 + k * h, d3[k], h);
      layer_norm_leaky_row_backward(da2.data(), a2 + i * h, xh2 + i * h, r2[i], g2, h, w.slope, dg2.data(), db2.data(),
                                    pdz2 + i * h);
    }
    torch::mm_out(da1, dz2[t], w.w_hidden);
    const S *a1 = s.a1[t].data_ptr<S>(), *xh1 = s.xhat1[t].data_ptr<S>(), *r1 = s.rstd1[t].data_ptr<S>();
    for (int64_t i = 0; i < b; ++i) {
      S* dz1 = gp + (i * steps + t) * h;
      layer_norm_leaky_row_backward(pda1 + i * h, a1 + i * h, xh1 + i * h, r1[i], g1, h, w.slope, dg1.data(), db1.data(), dz1);
      for (int64_t k = 0; k < e; ++k) de_next[static_cast<size_t>(i * e + k)] = dot(dz1, we + k * h, h);
    }
  }
  // Weight gradients over all steps at once: e_{t-1} is the output shifted by one step.
  torch::Tensor prev = torch::zeros_like(out);
  if (steps > 1) prev.narrow(1, 1, steps - 1).copy_(out.narrow(1, 0, steps - 1));
  auto to_tensor = [&](const std::vector<S>& v) { return torch::tensor(at::ArrayRef<S>(v), opts); };
  Gradients g;
  g.pre = grad_pre;
  g.w_emg = grad_pre.reshape({b * steps, h}).t().mm(prev.reshape({b * steps, e}));  // [H, E], as the input
  g.w_hidden = dz2.reshape({steps * b, h}).t().mm(s.a1.reshape({steps * b, h}));
  g.b_hidden = dz2.sum(at::IntArrayRef{0, 1});
  g.w_out = dy3.reshape({steps * b, e}).t().mm(s.a2.reshape({steps * b, h}));
  g.b_out = dy3.sum(at::IntArrayRef{0, 1});
  g.norm1_weight = to_tensor(dg1);
  g.norm1_bias = to_tensor(db1);
  g.norm2_weight = to_tensor(dg2);
  g.norm2_bias = to_tensor(db2);
  return g;
}

// Contiguous copies of the weights in the layouts the loops read.
DecoderStepWeights contiguous(const DecoderStepWeights& w) {
  DecoderStepWeights c = w;
  for (torch::Tensor* t :
       {&c.w_emg, &c.norm1_weight, &c.norm1_bias, &c.w_hidden, &c.b_hidden, &c.norm2_weight, &c.norm2_bias, &c.w_out, &c.b_out})
    *t = t->contiguous();
  c.w_emg = w.w_emg.t().contiguous();  // the loops read it [E, H]
  return c;
}

class DecoderRecurrenceFunction : public torch::autograd::Function<DecoderRecurrenceFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& pre, const torch::Tensor& w_emg,
                               const torch::Tensor& n1w, const torch::Tensor& n1b, const torch::Tensor& w_hidden,
                               const torch::Tensor& b_hidden, const torch::Tensor& n2w, const torch::Tensor& n2b,
                               const torch::Tensor& w_out, const torch::Tensor& b_out, double eps1, double eps2, double slope,
                               double scale) {
    const DecoderStepWeights w =
        contiguous({w_emg, n1w, n1b, w_hidden, b_hidden, n2w, n2b, w_out, b_out, eps1, eps2, slope, scale});
    const torch::Tensor x = pre.contiguous();
    Saved s;
    torch::Tensor out =
        AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "decoder_recurrence", [&] { return run_forward<scalar_t>(x, w, &s); });
    ctx->save_for_backward({w.w_emg, w.norm1_weight, w.w_hidden, w.norm2_weight, w.w_out, out});
    ctx->saved_data["xhat1"] = s.xhat1;
    ctx->saved_data["a1"] = s.a1;
    ctx->saved_data["rstd1"] = s.rstd1;
    ctx->saved_data["xhat2"] = s.xhat2;
    ctx->saved_data["a2"] = s.a2;
    ctx->saved_data["rstd2"] = s.rstd2;
    ctx->saved_data["slope"] = slope;
    ctx->saved_data["scale"] = scale;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    DecoderStepWeights w;
    w.w_emg = saved[0];
    w.norm1_weight = saved[1];
    w.w_hidden = saved[2];
    w.norm2_weight = saved[3];
    w.w_out = saved[4];
    w.slope = ctx->saved_data["slope"].toDouble();
    w.scale = ctx->saved_data["scale"].toDouble();
    const torch::Tensor& out = saved[5];
    const Saved s{ctx->saved_data["xhat1"].toTensor(), ctx->saved_data["a1"].toTensor(), ctx->saved_data["rstd1"].toTensor(),
                  ctx->saved_data["xhat2"].toTensor(), ctx->saved_data["a2"].toTensor(), ctx->saved_data["rstd2"].toTensor()};
    const torch::Tensor grad = grad_outputs[0].contiguous();
    const Gradients g = AT_DISPATCH_FLOATING_TYPES(out.scalar_type(), "decoder_recurrence_backward",
                                                   [&] { return run_backward<scalar_t>(grad, out, w, s); });
    const torch::Tensor none;  // eps1, eps2, slope and scale are numbers
    return {g.pre,        g.w_emg, g.norm1_weight, g.norm1_bias, g.w_hidden, g.b_hidden, g.norm2_weight,
            g.norm2_bias, g.w_out, g.b_out,        none,         none,       none,       none};
  }
};

}  // namespace

bool decoder_recurrence_supported(const torch::Tensor& pre) {
  return pre.device().is_cpu() && (pre.scalar_type() == torch::kFloat || pre.scalar_type() == torch::kDouble);
}

torch::Tensor decoder_recurrence(const torch::Tensor& pre, const DecoderStepWeights& w) {
  if (!decoder_recurrence_supported(pre)) throw std::invalid_argument("decoder_recurrence: CPU float32/float64 only");
  if (!torch::GradMode::is_enabled()) {
    // Inference: no autograd record and only one step's buffers.
    const torch::Tensor x = pre.contiguous();
    const DecoderStepWeights c = contiguous(w);
    return AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "decoder_recurrence",
                                      [&] { return run_forward<scalar_t>(x, c, nullptr); });
  }
  return DecoderRecurrenceFunction::apply(pre, w.w_emg, w.norm1_weight, w.norm1_bias, w.w_hidden, w.b_hidden, w.norm2_weight,
                                          w.norm2_bias, w.w_out, w.b_out, w.eps1, w.eps2, w.slope, w.scale);
}

}  // namespace pianokpm
