#include "model/fused_ops.h"
#include "test_support.h"

namespace pianokpm {
namespace {

torch::Tensor layer_norm_float64(const torch::Tensor& a, const torch::Tensor& r, bool relu_first, const torch::Tensor& w,
                                 const torch::Tensor& b, double eps) {
  auto v = a.to(torch::kDouble);
  if (relu_first) v = torch::relu(v);
  if (r.defined()) v = v + r.to(torch::kDouble);
  auto mean = v.mean(1, true);
  auto var = (v - mean).pow(2).mean(1, true);
  return (v - mean) / torch::sqrt(var + eps) * w.to(torch::kDouble).view({1, -1, 1}) + b.to(torch::kDouble).view({1, -1, 1});
}

TEST(FusedOps, ChannelLayerNormMatchesFloat64OnBothPaths) {
  torch::manual_seed(3);
  // 300 time steps: not a multiple of the kernel's block size.
  auto a = torch::randn({3, 256, 300}) * 3 + 1, r = torch::randn({3, 256, 300});
  auto w = torch::randn({256}), b = torch::randn({256});
  for (bool relu_first : {false, true}) {
    for (const auto& residual : {torch::Tensor(), r}) {
      auto expected = layer_norm_float64(a, residual, relu_first, w, b, 1e-5);
      torch::Tensor fused;
      {
        torch::NoGradGuard no_grad;  // the hand-written CPU loop
        fused = channel_layer_norm(a, residual, relu_first, w, b, 1e-5);
      }
      auto composed = channel_layer_norm(a, residual, relu_first, w, b, 1e-5);  // libtorch ops
      EXPECT_LE(testing::max_abs_diff(fused, expected), 2e-5);
      EXPECT_LE(testing::max_abs_diff(composed, expected), 2e-5);
    }
  }
}

TEST(FusedOps, ChannelLinearMatchesFloat64OnBothPaths) {
  torch::manual_seed(4);
  auto x = torch::randn({2, 256, 100}), w = torch::randn({64, 256}) / 16, b = torch::randn({64});
  auto expected =
      torch::einsum("oc,bct->bot", {w.to(torch::kDouble), x.to(torch::kDouble)}) + b.to(torch::kDouble).view({1, -1, 1});
  torch::Tensor fast;
  {
    torch::NoGradGuard no_grad;
    fast = channel_linear(x, w, b);
  }
  EXPECT_LE(testing::max_abs_diff(fast, expected), 1e-4);
  EXPECT_LE(testing::max_abs_diff(channel_linear(x, w, b), expected), 1e-4);
}

}  // namespace
}  // namespace pianokpm
