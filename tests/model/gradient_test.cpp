// Autograd through the whole network (encoder, fused-op fallbacks, autoregressive decoder) against
// central finite differences in float64, on a tiny configuration: training can only learn what
// these gradients carry.
#include "model/model_registry.h"
#include "model/pianokpm_net.h"
#include "test_support.h"

namespace pianokpm {
namespace {

ModelConfig tiny(const std::string& architecture) {
  ModelConfig c;
  c.architecture = architecture;
  if (architecture == "pianokpm" || architecture == "linear_readout") {
    TdsEncoderOptions encoder;
    encoder.hidden_channels = 16;
    encoder.tds_channels = 4;
    encoder.tds_width = 4;
    encoder.front_kernels = {3, 3};
    encoder.stages = {{3, 3, 1, std::nullopt}, {3, 3, 1, 8}};
    encoder.write(c.options);
  }
  if (architecture == "pianokpm") {
    c.options["decoder_hidden"] = 16;
    c.options["decoder_output_scale"] = 1.0;
  }
  c.pose_rate_hz = 6;
  c.emg_rate_hz = 24;
  return c;
}

TEST(Gradient, AutogradMatchesFiniteDifferencesForEveryParameterTensor) {
  for (const std::string arch : {"pianokpm", "linear_readout", "neuropose"}) {
    torch::manual_seed(7);
    ModelConfig c = tiny(arch);
    if (arch == "neuropose") c.emg_rate_hz = 32;  // three stride-2 stages
    EmgModel net = make_model(c);
    net->to(torch::kDouble);
    const auto pose = torch::rand({2, c.pose_channels(), c.pose_frames()}, torch::kDouble);
    const auto keys = torch::rand({2, c.num_keys, c.window_samples()}, torch::kDouble);
    const auto target = torch::rand({2, c.emg_channels, c.window_samples()}, torch::kDouble);
    auto loss_of = [&] { return (net->forward(pose, keys) - target).pow(2).mean(); };
    net->zero_grad();
    loss_of().backward();
    for (const auto& p : net->named_parameters()) {
      // one entry per tensor: the one with the largest gradient
      const auto g = p.value().grad();
      ASSERT_TRUE(g.defined()) << arch << " " << p.key() << " gets no gradient";
      const int64_t i = g.abs().flatten().argmax().item<int64_t>();
      auto flat = p.value().detach().view({-1});
      const double h = 1e-6, saved = flat[i].item<double>();
      torch::NoGradGuard no_grad;
      flat[i] = saved + h;
      const double up = loss_of().item<double>();
      flat[i] = saved - h;
      const double down = loss_of().item<double>();
      flat[i] = saved;
      const double numeric = (up - down) / (2 * h), analytic = g.view({-1})[i].item<double>();
      EXPECT_NEAR(analytic, numeric, 1e-6 + 1e-4 * std::abs(numeric)) << arch << " " << p.key();
      EXPECT_GT(std::abs(analytic), 0.0) << arch << " " << p.key();
    }
  }
}

}  // namespace
}  // namespace pianokpm
