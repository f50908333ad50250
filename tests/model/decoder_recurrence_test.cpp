// The fused decoder recurrence against the decoder composed from libtorch operations (the plain
// path, whose autograd the gradient test checks against finite differences): outputs and every
// gradient on random inputs, at the released sizes (64 features + 6 EMG in, 512 hidden).
#include "model/pianokpm_net.h"
#include "test_support.h"

namespace pianokpm {
namespace {

struct Result {
  torch::Tensor out, grad_features;
  std::vector<torch::Tensor> grads;
};

Result run(ArDecoder& decoder, const torch::Tensor& features, const torch::Tensor& upstream, bool composed) {
  decoder->zero_grad();
  auto x = features.detach().clone().requires_grad_(true);
  auto out = composed ? decoder->forward_composed(x) : decoder->forward(x);
  (out * upstream).sum().backward();
  Result r{out.detach(), x.grad().clone(), {}};
  for (const auto& p : decoder->parameters()) r.grads.push_back(p.grad().clone());
  return r;
}

void expect_close(const torch::Tensor& a, const torch::Tensor& b, double rel, const std::string& what) {
  const double scale = b.abs().max().item<double>();
  const double diff = (a - b).abs().max().item<double>();
  EXPECT_LE(diff, rel * scale + 1e-30) << what << ": largest difference " << diff << " at scale " << scale;
}

void compare(torch::ScalarType dtype, double rel, double output_scale, int64_t batch) {
  PianoKpmNetOptions c;
  c.decoder_output_scale = output_scale;
  const int64_t emg_channels = kReleaseLayout.emg_channels;
  torch::manual_seed(3);
  ArDecoder decoder(emg_channels, c);
  decoder->to(dtype);
  const int64_t steps = 40;
  const auto features = torch::randn({batch, c.encoder.feature_channels(), steps}, dtype);
  const auto upstream = torch::randn({batch, emg_channels, steps}, dtype);
  const Result fused = run(decoder, features, upstream, false), plain = run(decoder, features, upstream, true);
  expect_close(fused.out, plain.out, rel, "output");
  expect_close(fused.grad_features, plain.grad_features, rel, "features' gradient");
  const auto names = decoder->named_parameters().keys();
  ASSERT_EQ(fused.grads.size(), plain.grads.size());
  for (size_t i = 0; i < fused.grads.size(); ++i) expect_close(fused.grads[i], plain.grads[i], rel, names[i]);
  // Without autograd (inference) the fused loop keeps one step's buffers and gives the same output.
  torch::NoGradGuard no_grad;
  expect_close(decoder->forward(features), plain.out, rel, "inference output");
}

// Batch sizes on both sides of the per-row loops' task size (kRowsPerTask = 4).
TEST(DecoderRecurrence, MatchesComposedDecoderInFloat64) {
  for (int64_t batch : {1, 3, 9}) {
    compare(torch::kDouble, 1e-10, 1.0, batch);
    compare(torch::kDouble, 1e-10, 0.01, batch);  // the released output scale
  }
}

TEST(DecoderRecurrence, MatchesComposedDecoderInFloat32) {
  for (int64_t batch : {1, 9}) compare(torch::kFloat, 2e-4, 1.0, batch);
}

TEST(DecoderRecurrence, FeedsItsOwnOutputBack) {
  // With the e_{t-1} weights zeroed the steps are independent: a changed first-step feature may
  // change only the first output; with them restored it reaches later steps.
  const PianoKpmNetOptions c;
  const int64_t emg_channels = kReleaseLayout.emg_channels;
  torch::manual_seed(5);
  ArDecoder decoder(emg_channels, c);
  decoder->to(torch::kDouble);
  torch::NoGradGuard no_grad;
  auto features = torch::randn({1, c.encoder.feature_channels(), 5}, torch::kDouble);
  auto changed = features.clone();
  changed.select(2, 0).add_(1.0);
  auto first_layer = decoder->parameters()[0];  // mlp.0.weight [512, 70]
  const auto saved = first_layer.clone();
  first_layer.narrow(1, c.encoder.feature_channels(), emg_channels).zero_();
  auto delta = (decoder->forward(changed) - decoder->forward(features)).abs().sum(1).squeeze(0);
  EXPECT_GT(delta[0].item<double>(), 0.0);
  EXPECT_EQ(delta.narrow(0, 1, 4).max().item<double>(), 0.0);
  first_layer.copy_(saved);
  delta = (decoder->forward(changed) - decoder->forward(features)).abs().sum(1).squeeze(0);
  EXPECT_GT(delta[4].item<double>(), 0.0);
}

}  // namespace
}  // namespace pianokpm
