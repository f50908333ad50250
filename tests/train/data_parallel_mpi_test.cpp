// Data-parallel training under mpirun against one process with the whole batch (labelled
// mpi;slow: two trainings). Skipped, and shown as skipped by ctest, without MPI or mpiexec.
#include <cstdlib>

#include "model/checkpoint.h"
#include "model/state_dict.h"
#include "test_support.h"
#include "parallel/data_parallel.h"

namespace pianokpm {
namespace {

using testing::run_cli;

TEST(DataParallel, TwoProcessesGiveTheWeightsOfOneWithTheSameGlobalBatch) {
#if !defined(PIANOKPM_MPIEXEC) || !defined(PIANOKPM_TEST_HAVE_MPI)
  GTEST_SKIP() << "this build has no MPI or no mpiexec: two-process training is not tested";
#else
  testing::ScratchDir dir;
  ASSERT_EQ(run_cli("synth --out " + dir / "c" + " --pianists 2 --tasks 2 --takes 1 --seconds 5 --seed 3").exit_code, 0);
  const std::string args = " train --data " + dir / "c" + " --split " + dir / "c/dataset_architectural.json" + " --config " +
                           testing::fixture("configs/tiny_model.json") +
                           " --threads 1 --batch 5 --epochs 2 --max-batches 2 --lr 1e-4";
  // The released learning rate (1e-4): Adam's first steps move each weight by about the learning
  // rate whatever the gradient's size, so float32 rounding in the gradients of weights whose
  // gradient is near zero shows up in proportion to it.
  const auto one = run_cli(args + " --out " + dir / "one");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  // Five windows a batch: the two processes take three and two (unequal shares on purpose).
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1), ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  const std::string launch =
      std::string(PIANOKPM_MPIEXEC) + " -np 2 --oversubscribe " + PIANOKPM_BIN + args + " --out " + dir / "two" + " 2>&1";
  FILE* pipe = ::popen(launch.c_str(), "r");
  std::string output;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
  ASSERT_EQ(::pclose(pipe), 0) << output;
  // The first process speaks for the run: its closing line once, not once per process.
  size_t done_lines = 0;
  for (size_t at = output.find("done after"); at != std::string::npos; at = output.find("done after", at + 1)) ++done_lines;
  EXPECT_EQ(done_lines, 1u) << output;

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
#endif
}

}  // namespace
}  // namespace pianokpm
