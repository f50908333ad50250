// One training step of PianoKPM Net (forward, MSE + Sinkhorn loss, backward, AdamW step) and
// the Sinkhorn loss alone (docs/performance.md).
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <thread>

#include "model/model_registry.h"
#include "model/pianokpm_net.h"
#include "ot/sinkhorn.h"
#include "train/trainer.h"

namespace pianokpm {
namespace {

void BM_TrainStep(benchmark::State& state) {
  torch::set_num_threads(static_cast<int>(std::thread::hardware_concurrency()));
  use_training_cpu_settings();
  const int64_t batch = state.range(0);
  torch::manual_seed(0);
  EmgModel net = make_model(ModelConfig{});
  torch::optim::AdamW optimizer(net->parameters(), torch::optim::AdamWOptions(1e-4));
  auto pose = torch::rand({batch, 84, 60}), keys = torch::rand({batch, 88, 1024}), emg = torch::rand({batch, 6, 1024});
  for (auto _ : state) {
    optimizer.zero_grad();
    auto loss = emg_training_loss(net->forward(pose, keys), emg, 1.0);
    loss.backward();
    torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
    optimizer.step();
  }
  state.counters["threads"] = torch::get_num_threads();
}
BENCHMARK(BM_TrainStep)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_SinkhornLossBatch(benchmark::State& state) {
  torch::set_num_threads(static_cast<int>(std::thread::hardware_concurrency()));
  const int64_t batch = state.range(0);
  auto x = torch::rand({batch, 1024, 6}).requires_grad_(true), y = torch::rand({batch, 1024, 6});
  for (auto _ : state) {
    auto v = sinkhorn_divergence(x, y).mean();
    v.backward();
  }
}
BENCHMARK(BM_SinkhornLossBatch)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// OTD of two n-point clouds in 6-D without gradient, blocked (evaluation of whole performances).
void BM_OtdBlocked(benchmark::State& state) {
  torch::set_num_threads(static_cast<int>(std::thread::hardware_concurrency()));
  const int64_t n = state.range(0);
  SinkhornOptions o;
  o.block_rows = state.range(1);
  torch::manual_seed(0);
  auto x = torch::rand({n, 6}), y = torch::rand({n, 6});
  for (auto _ : state) benchmark::DoNotOptimize(sinkhorn_divergence_blocked(x, y, o));
}
BENCHMARK(BM_OtdBlocked)->Args({10000, 512})->Args({100000, 512})->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace pianokpm

BENCHMARK_MAIN();

namespace pianokpm {
namespace {

// The decoder alone, forward (and backward where range(2) is 1), fused (range(1) 0) or composed
// from libtorch operations (1): what the fused recurrence saves (docs/performance.md).
void BM_Decoder(benchmark::State& state) {
  torch::set_num_threads(static_cast<int>(std::thread::hardware_concurrency()));
  const int64_t batch = state.range(0);
  const bool composed = state.range(1) != 0, backward = state.range(2) != 0;
  torch::manual_seed(0);
  const PianoKpmNetOptions options;  // the release's
  ArDecoder decoder(kReleaseLayout.emg_channels, options);
  const auto features = torch::randn({batch, options.encoder.feature_channels(), kReleaseLayout.window_samples()});
  for (auto _ : state) {
    torch::AutoGradMode grad(backward);
    auto out = composed ? decoder->forward_composed(features) : decoder->forward(features);
    if (backward) out.sum().backward();
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Decoder)
    ->ArgsProduct({{1, 8, 60}, {0, 1}, {0, 1}})
    ->ArgNames({"batch", "composed", "backward"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
}  // namespace pianokpm
