// Inference speed of PianoKPM Net with the official weights (docs/performance.md).
// Run: build/bin/pianokpm_bench [--benchmark_filter=...]; threads: PIANOKPM_THREADS (default: all cores).
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cstdlib>
#include <thread>

#include "data/windowing.h"
#include "model/model_registry.h"
#include "model/checkpoint.h"
#include "predict/predictor.h"

namespace pianokpm {
namespace {

EmgModel& official_net() {
  static EmgModel net = load_model(std::string(PIANOKPM_FIXTURES) + "/official/state_dict.pth").net;
  return net;
}

PerformanceStreams synthetic_streams(int seconds) {
  torch::manual_seed(0);
  PerformanceStreams s;
  s.pose = torch::rand({seconds * 60, 84}) * 500;
  s.keys = torch::rand({seconds * 1024, 88});
  return s;
}

void set_threads() {
  const char* env = std::getenv("PIANOKPM_THREADS");
  torch::set_num_threads(env ? std::atoi(env) : static_cast<int>(std::thread::hardware_concurrency()));
}

// predict on a whole performance of `seconds` seconds, all windows batched.
void BM_PredictPerformance(benchmark::State& state) {
  set_threads();
  const int seconds = static_cast<int>(state.range(0));
  PerformanceWindows windows(synthetic_streams(seconds), official_net()->config());
  PredictOptions options;
  for (auto _ : state) benchmark::DoNotOptimize(predict_performance(official_net(), windows, options));
  state.counters["realtime_x"] =
      benchmark::Counter(seconds * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["threads"] = torch::get_num_threads();
}
BENCHMARK(BM_PredictPerformance)->Arg(60)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5.0);

// Latency of one 1-s window.
void BM_PredictOneWindow(benchmark::State& state) {
  set_threads();
  PerformanceWindows windows(synthetic_streams(1), official_net()->config());
  PredictOptions options;
  for (auto _ : state) benchmark::DoNotOptimize(predict_performance(official_net(), windows, options));
  state.counters["threads"] = torch::get_num_threads();
}
BENCHMARK(BM_PredictOneWindow)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace pianokpm
