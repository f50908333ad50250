#include "predict/predictor.h"

#include <optional>
#include <stdexcept>

#include "core/blas_threads.h"

namespace pianokpm {

void PredictOptions::check() const {
  if (batch_windows < 1) throw std::invalid_argument("batch_windows must be >= 1");
  if (encoder_batch_windows < 1) throw std::invalid_argument("encoder_batch_windows must be >= 1");
}

torch::Tensor predict_performance(const EmgModel& net, const PerformanceWindows& windows, const PredictOptions& options) {
  options.check();
  torch::NoGradGuard no_grad;
  // OpenBLAS's own threads, spin-yielding between its calls, steal the cores from libtorch's
  // OpenMP workers: one window took 70-78 ms with them and 51 ms without (2 cores, bench/).
  std::optional<ScopedBlasThreads> single_threaded_blas;
  if (options.device.is_cpu()) single_threaded_blas.emplace(1);
  if (net->device() != options.device)
    throw std::invalid_argument("predict: the model is on " + net->device().str() + ", not on " + options.device.str());
  const auto& config = net->config();
  const int64_t total = windows.num_windows();
  torch::Tensor out = torch::empty({total * config.window_samples(), config.emg_channels});
  for (int64_t first = 0; first < total; first += options.batch_windows) {
    const int64_t count = std::min(options.batch_windows, total - first);
    auto to_device = [&](const torch::Tensor& t) { return t.defined() ? t.to(options.device) : t; };
    std::vector<torch::Tensor> parts;
    for (int64_t sub = first; sub < first + count; sub += options.encoder_batch_windows) {
      const int64_t n = std::min(options.encoder_batch_windows, first + count - sub);
      const auto pose = to_device(windows.pose(sub, n)), keys = to_device(windows.keys(sub, n));
      parts.push_back(net->encode(pose, keys));
    }
    // Features in small batches, the decoder (the released model's recurrence) on the whole chunk.
    torch::Tensor emg = net->decode(torch::cat(parts, 0));
    // [count, emg, samples] -> rows of the output
    out.narrow(0, first * config.window_samples(), count * config.window_samples())
        .copy_(emg.permute({0, 2, 1}).reshape({count * config.window_samples(), config.emg_channels}));
    if (options.on_progress) options.on_progress(first + count, total);
  }
  return out.narrow(0, 0, windows.output_samples()).contiguous();
}

}  // namespace pianokpm
