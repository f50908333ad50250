#pragma once
// The training loop as released: windows with overlap, shuffled batches, AdamW, StepLR, gradient
// clipping, loss = MSE + lambda * Sinkhorn divergence, validation every epoch, early stopping,
// best and latest checkpoints written atomically, exact resume after any interruption.
#include <functional>
#include <memory>
#include <string>

#include "data/corpus_dataset.h"
#include "model/emg_model.h"
#include "parallel/data_parallel.h"
#include "ot/sinkhorn.h"
#include "train/train_options.h"

namespace pianokpm {

struct TrainRun {
  std::string data_dir;    // release layout
  std::string split_path;  // uses its "train" and "val" lists
  std::string out_dir;     // RUN: config.json, train.log, latest.pt, best.pt
  ModelConfig model;
  TrainOptions options;
  bool resume = false;  // continue from RUN/latest.pt
  // The processes sharing each batch (none: make_data_parallel(), which finds an MPI launch).
  // Only the first process writes RUN's files; all read RUN/latest.pt when resuming.
  std::shared_ptr<DataParallel> parallel;
};

struct TrainProgress {
  std::function<void(int epoch, int64_t batches_done, int64_t batches_total, double loss)> on_batch;
  std::function<void(const std::string& line)> on_epoch;  // one summary line per epoch
};

struct TrainResult {
  int epochs_done = 0;
  double best_val_loss = 0;
  std::string best_checkpoint;
  bool main_process = true;  // false in the other processes of an MPI run, which report nothing
};

// Per-window MSE + lambda * Sinkhorn divergence, averaged over the batch; pred/target [B, C, T].
torch::Tensor emg_training_loss(const torch::Tensor& pred, const torch::Tensor& target, double lambda_ot,
                                const SinkhornOptions& sinkhorn = {});

// Mean loss over the windows of `data` (all of them, or `max_windows` > 0 evenly spaced ones:
// window floor(i * size / max_windows) for i < max_windows; their last `tail_samples` only, when
// > 0), without gradient; with `parallel`, each process scores its share and the sums are combined.
double validation_loss(EmgModel& net, const WindowDataset& data, int64_t batch, double lambda_ot, const torch::Device& device,
                       DataParallel* parallel = nullptr, int64_t tail_samples = 0, int64_t max_windows = 0);

// The process-wide CPU settings training runs with (train_model sets them; benchmarks of a
// training step call this to measure the same thing): OpenBLAS single-threaded (blas_threads.h,
// 2x faster steps on 2 cores) and freed memory kept for reuse (heap_reuse.h).
void use_training_cpu_settings();

TrainResult train_model(const TrainRun& run, const TrainProgress& progress = {});

}  // namespace pianokpm
