#include "parallel/data_parallel.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#ifdef PIANOKPM_HAVE_MPI
#include <mpi.h>
#endif

namespace pianokpm {

std::vector<int64_t> DataParallel::shard(const std::vector<int64_t>& ids) const {
  const auto n = static_cast<int64_t>(ids.size());
  const int64_t p = size(), r = rank();
  const int64_t base = n / p, extra = n % p;
  const int64_t first = r * base + std::min(r, extra), count = base + (r < extra ? 1 : 0);
  return std::vector<int64_t>(ids.begin() + first, ids.begin() + first + count);
}

void DataParallel::average_gradients(std::vector<torch::Tensor> parameters) {
  if (size() == 1) return;
  // One flat buffer: a single reduction per step instead of one per tensor.
  std::vector<torch::Tensor> grads;
  for (auto& p : parameters) {
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad().flatten());
  }
  std::vector<torch::Tensor> flat{torch::cat(grads).cpu()};
  all_reduce_sum(flat);
  flat[0].div_(static_cast<double>(size()));
  int64_t offset = 0;
  for (const auto& p : parameters) {
    const int64_t n = p.grad().numel();
    p.grad().copy_(flat[0].narrow(0, offset, n).view_as(p.grad()));
    offset += n;
  }
}

double DataParallel::batch_diameter(const torch::Tensor& pred, const torch::Tensor& target) {
  // Per channel: the largest value and the negated smallest, over this share's points.
  const int64_t c = pred.size(1);
  auto points = torch::cat({pred.detach().transpose(1, 2).reshape({-1, c}), target.detach().transpose(1, 2).reshape({-1, c})}, 0)
                    .to(torch::kCPU, torch::kDouble);
  torch::Tensor extremes = points.size(0) ? torch::cat({std::get<0>(points.max(0)), -std::get<0>(points.min(0))})
                                          : torch::full({2 * c}, -std::numeric_limits<double>::infinity(), torch::kDouble);
  all_reduce_max(extremes);
  return (extremes.narrow(0, 0, c) + extremes.narrow(0, c, c)).norm().item<double>();
}

namespace {

#ifdef PIANOKPM_HAVE_MPI
class MpiDataParallel : public DataParallel {
 public:
  MpiDataParallel() {
    int ready = 0;
    MPI_Initialized(&ready);
    if (!ready) MPI_Init(nullptr, nullptr);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiDataParallel() override {
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Finalize();
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void all_reduce_sum(std::vector<torch::Tensor>& tensors) override {
    for (auto& t : tensors) {
      if (!t.is_contiguous() || !t.device().is_cpu()) throw std::invalid_argument("all_reduce_sum: contiguous CPU tensors only");
      const MPI_Datatype type = t.scalar_type() == torch::kDouble ? MPI_DOUBLE : MPI_FLOAT;
      if (t.scalar_type() != torch::kDouble && t.scalar_type() != torch::kFloat)
        throw std::invalid_argument("all_reduce_sum: float32 or float64 only");
      MPI_Allreduce(MPI_IN_PLACE, t.data_ptr(), static_cast<int>(t.numel()), type, MPI_SUM, MPI_COMM_WORLD);
    }
  }
  void all_reduce_max(torch::Tensor& t) override {
    if (!t.is_contiguous() || !t.device().is_cpu() || t.scalar_type() != torch::kDouble)
      throw std::invalid_argument("all_reduce_max: contiguous float64 CPU tensors only");
    MPI_Allreduce(MPI_IN_PLACE, t.data_ptr(), static_cast<int>(t.numel()), MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  }

 private:
  int rank_ = 0, size_ = 1;
};
#endif

// Launchers announce the world size in the environment (OpenMPI, MPICH/Hydra, PMIx).
int launched_world_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
    if (const char* v = std::getenv(name)) return std::atoi(v);
  }
  return 1;
}

}  // namespace

std::shared_ptr<DataParallel> make_data_parallel() {
  if (launched_world_size() > 1) {
#ifdef PIANOKPM_HAVE_MPI
    static std::shared_ptr<DataParallel> mpi = std::make_shared<MpiDataParallel>();
    return mpi;
#else
    throw std::invalid_argument("started by an MPI launcher, but this build has no MPI (install libopenmpi-dev and rebuild)");
#endif
  }
  return std::make_shared<DataParallel>();
}

}  // namespace pianokpm
