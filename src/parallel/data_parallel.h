#pragma once
// DataParallel: the processes of one training run. Each takes its share of every global batch;
// gradients are averaged across processes before clipping and the optimizer step, so every
// process holds the same weights after every step, the same as one process with the whole batch.
// With MPI (Debian's OpenMPI) the processes may be on several hosts: `mpirun -np N pianokpm train
// ...`; without a launcher (or without MPI in the build) there is one process and nothing to do.
#include <torch/torch.h>

#include <memory>
#include <vector>

namespace pianokpm {

class DataParallel {
 public:
  virtual ~DataParallel() = default;
  virtual int rank() const { return 0; }
  virtual int size() const { return 1; }
  // Sums each tensor over the processes, in place (float32 or float64, CPU).
  virtual void all_reduce_sum(std::vector<torch::Tensor>& tensors) { (void)tensors; }
  // Element-wise maximum over the processes, in place.
  virtual void all_reduce_max(torch::Tensor& tensor) { (void)tensor; }
  bool is_main() const { return rank() == 0; }

  // The share of `ids` this process takes: a contiguous block, the first `size % n` blocks one longer.
  std::vector<int64_t> shard(const std::vector<int64_t>& ids) const;
  // Replaces each gradient with its average over the processes (a missing gradient counts as
  // zero). Each process scales its loss by its share of the global batch times the process count
  // first, so that unequal shares still give the gradient of the global batch's mean loss.
  void average_gradients(std::vector<torch::Tensor> parameters);
  // The diameter of the whole batch's EMG point clouds (predicted and target, [B, C, T] shares),
  // which sets the Sinkhorn schedule as geomloss does for a batch.
  double batch_diameter(const torch::Tensor& pred, const torch::Tensor& target);
};

// MPI when this process was started by an MPI launcher with more than one process (and the build
// has MPI); otherwise a single process. Initialises MPI once; finalises at exit.
std::shared_ptr<DataParallel> make_data_parallel();

}  // namespace pianokpm
