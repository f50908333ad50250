// What a live recording's checkpoint costs the disk as the session grows (docs/performance.md):
// appending the last 5 s to a growing pickle (io/growing_pickle.h, what `live --record` does)
// against rewriting the whole array (what it did before). Arg: minutes already recorded.
// Counters: bytes written per checkpoint. Files go to $TMPDIR (default /tmp).
#include <benchmark/benchmark.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/stream_layout.h"
#include "io/atomic_file.h"
#include "io/growing_pickle.h"
#include "io/numpy_pickle_writer.h"

namespace pianokpm {
namespace {

constexpr int64_t kCheckpointRows = 5 * 1024;  // 5 s of EMG at 1024 Hz
constexpr int64_t kChannels = kReleaseLayout.emg_channels;

std::string scratch(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("pianokpm_bench_" + std::to_string(::getpid()) + "_" + name)).string();
}

void BM_CheckpointAppend(benchmark::State& state) {
  const int64_t minutes = state.range(0);
  const std::string path = scratch("append.pkl");
  GrowingPickle file(path, {kChannels});
  const torch::Tensor part = torch::rand({kCheckpointRows, kChannels});
  for (int64_t i = 0; i < minutes * 12; ++i) file.append(part.data_ptr<float>(), kCheckpointRows);
  const auto before = std::filesystem::file_size(path);
  int64_t checkpoints = 0;
  for (auto _ : state) {
    file.append(part.data_ptr<float>(), kCheckpointRows);
    ++checkpoints;
  }
  state.counters["bytes_per_checkpoint"] =
      static_cast<double>(std::filesystem::file_size(path) - before) / static_cast<double>(checkpoints) + 4;
  std::filesystem::remove(path);
}
BENCHMARK(BM_CheckpointAppend)->Arg(1)->Arg(10)->Arg(60)->Unit(benchmark::kMillisecond);

void BM_CheckpointRewrite(benchmark::State& state) {
  const int64_t minutes = state.range(0);
  const std::string path = scratch("rewrite.pkl");
  const torch::Tensor all = torch::rand({minutes * 60 * 1024, kChannels});
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string pickle = serialize_numpy_pickle(all);
    write_file_atomically(path, pickle);
    bytes = pickle.size();
  }
  state.counters["bytes_per_checkpoint"] = static_cast<double>(bytes);
  std::filesystem::remove(path);
}
BENCHMARK(BM_CheckpointRewrite)->Arg(1)->Arg(10)->Arg(60)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pianokpm
