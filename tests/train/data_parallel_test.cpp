// Data-parallel training: two MPI processes sharing each batch end with the same weights as one
// process with the whole batch; and the shares of a batch.
#include <cstdlib>

#include "model/checkpoint.h"
#include "model/state_dict.h"
#include "test_support.h"
#include "train/data_parallel.h"

namespace pianokpm {
namespace {

using testing::run_cli;

// A stand-in for process `rank` of `size`, for the arithmetic of shares.
class FakeWorld : public DataParallel {
 public:
  FakeWorld(int rank, int size) : rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }

 private:
  int rank_, size_;
};

TEST(DataParallel, ShardsCoverTheBatchOnceInOrder) {
  const std::vector<int64_t> ids = {9, 4, 7, 1, 3};
  std::vector<int64_t> joined;
  for (int r = 0; r < 3; ++r) {
    const auto part = FakeWorld(r, 3).shard(ids);
    EXPECT_EQ(part.size(), r < 2 ? 2u : 1u);
    joined.insert(joined.end(), part.begin(), part.end());
  }
  EXPECT_EQ(joined, ids);
  EXPECT_TRUE(FakeWorld(3, 4).shard({1, 2}).empty());  // more processes than windows: some idle
  EXPECT_EQ(DataParallel().shard(ids), ids);
}

#ifdef PIANOKPM_MPIEXEC
TEST(DataParallel, TwoProcessesGiveTheWeightsOfOneWithTheSameGlobalBatch) {
  testing::ScratchDir dir;
  ASSERT_EQ(run_cli("synth --out " + dir / "c" + " --pianists 2 --tasks 2 --takes 1 --seconds 5 --seed 3").exit_code, 0);
  const std::string args = " train --data " + dir / "c" + " --split " + dir / "c/dataset_architectural.json" + " --config " +
                           testing::fixture("configs/tiny_model.json") + " --threads 1 --batch 5 --epochs 2 --max-batches 2 --lr 1e-4";
  // The released learning rate (1e-4): Adam's first steps move each weight by about the learning
  // rate whatever the gradient's size, so float32 rounding in the gradients of weights whose
  // gradient is near zero shows up in proportion to it.
  const auto one = run_cli(args + " --out " + dir / "one");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  // Five windows a batch: the two processes take three and two (unequal shares on purpose).
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1), ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  const std::string launch = std::string(PIANOKPM_MPIEXEC) + " -np 2 --oversubscribe " + PIANOKPM_BIN + args + " --out " + dir / "two" + " 2>&1";
  FILE* pipe = ::popen(launch.c_str(), "r");
  std::string output;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
  ASSERT_EQ(::pclose(pipe), 0) << output;

  auto a = load_model(dir / "one/latest.pt"), b = load_model(dir / "two/latest.pt");
  EXPECT_EQ(b.metadata.at("epochs_done"), 2);
  auto wa = named_tensors(a.net), wb = named_tensors(b.net);
  ASSERT_EQ(wa.size(), wb.size());
  double worst = 0;
  for (size_t i = 0; i < wa.size(); ++i) worst = std::max(worst, testing::max_abs_diff(wa[i].second, wb[i].second));
  std::printf("largest weight difference, 1 vs 2 processes: %.3g\n", worst);
  EXPECT_LE(worst, 1e-5);
  // The validation loss is scored in shares too and combined: the same figure.
  EXPECT_NEAR(a.metadata.at("val_loss").get<double>(), b.metadata.at("val_loss").get<double>(), 1e-6);
}
#endif

}  // namespace
}  // namespace pianokpm
