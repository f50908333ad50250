// Every registered model trains with the one training loop: a step of gradient descent moves its
// weights (or, for a closed-form model, the fit is the training EMG's mean), and the checkpoint
// reads back as the same architecture. New models are covered by registering them. Validation
// scores the windows it is asked to.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "data/corpus_dataset.h"
#include "io/array_file.h"
#include "model/checkpoint.h"
#include "model/model_registry.h"
#include "train/trainer.h"
#include "test_support.h"

namespace pianokpm {
namespace {

// The EMG of the test corpus: [rows, 6] envelopes, channel c a sine of c + 1 cycles per second
// around 0.3 (the release's reference performance carries zeros).
torch::Tensor test_emg(int64_t rows) {
  const torch::Tensor t = torch::arange(rows, torch::kDouble).unsqueeze(1) / kReleaseLayout.emg_rate_hz;
  const torch::Tensor cycles = torch::arange(1, kReleaseLayout.emg_channels + 1, torch::kDouble).unsqueeze(0);
  return (0.3 + 0.2 * torch::sin(2 * M_PI * cycles * t)).to(torch::kFloat);
}

// The release's reference performance (3.5 s) four times over, with test_emg, as two performances
// of 14 s: enough whole windows for the pose statistics and the familiarity reference.
TrainRun one_step_run(const testing::ScratchDir& dir, const std::string& architecture) {
  const std::string corpus = dir / "corpus";
  for (const char* stream : {"hand_data/keyp_top", "hand_data/keyp_right", "keystroke_data", "emg_data"}) {
    std::filesystem::create_directories(corpus + "/" + stream);
    const torch::Tensor t = read_array(testing::official(std::string("performance/") + stream + "/t1_p1_1.pkl"));
    const torch::Tensor four = stream == std::string("emg_data") ? test_emg(4 * t.size(0)) : torch::cat({t, t, t, t}, 0);
    for (const char* name : {"a", "b"}) write_array(corpus + "/" + stream + "/" + name + ".pkl", four);
  }
  const std::string split = dir / "split.json";
  std::ofstream(split) << R"({"train": ["a", "b"], "val": ["a"]})";
  TrainRun run;
  run.data_dir = corpus;
  run.split_path = split;
  run.out_dir = dir / architecture;
  run.model.architecture = architecture;
  if (architecture == "pianokpm" || architecture == "linear_readout")  // small, for speed
    run.model.options = {{"hidden_channels", 16}, {"tds_channels", 4}, {"tds_width", 4}};
  if (architecture == "pianokpm") run.model.options["decoder_hidden"] = 16;
  run.model = run.model.with_architecture(architecture);
  run.options.epochs = 1;
  run.options.max_batches_per_epoch = 1;
  run.options.batch = 2;
  run.options.lr = 1e-2;
  return run;
}

TEST(EveryModel, TrainsOneStepAndReadsBackAsItself) {
  for (const std::string& name : model_names()) {
    testing::ScratchDir dir;
    const TrainRun run = one_step_run(dir, name);
    const TrainResult result = train_model(run);
    ASSERT_EQ(result.epochs_done, 1) << name;
    EXPECT_TRUE(std::isfinite(result.best_val_loss)) << name;
    const LoadedModel trained = load_model(result.best_checkpoint);
    EXPECT_EQ(trained.net->config().architecture, name);
    EXPECT_FALSE(trained.net->config().provenance.synthetic_data) << name << ": the release's data is not synthetic";
    EXPECT_EQ(trained.net->config().provenance.corpus, run.data_dir) << name;

    if (trained.net->named_parameters().size() + trained.net->named_buffers().size() == 0) {
      // Nothing to learn (the anatomical estimator): the output is a new model's.
      const EmgModel fresh = make_model(trained.net->config());
      const torch::Tensor pose = torch::rand({1, fresh->config().pose_channels(), fresh->config().pose_frames()});
      const torch::Tensor keys = torch::zeros({1, fresh->config().num_keys, fresh->config().window_samples()});
      EXPECT_TRUE(torch::equal(trained.net->forward(pose, keys), fresh->forward(pose, keys))) << name;
      continue;
    }
    if (trained.net->fits_in_closed_form()) {                           // the mean: every sample is the training EMG's mean
      const torch::Tensor emg = test_emg(4 * 3584).to(torch::kDouble);  // both performances
      const torch::Tensor pose = torch::zeros({1, trained.net->config().pose_channels(), trained.net->config().pose_frames()});
      const torch::Tensor keys = torch::zeros({1, trained.net->config().num_keys, trained.net->config().window_samples()});
      const torch::Tensor out = trained.net->forward(pose, keys).select(2, 0).squeeze(0).to(torch::kDouble);
      EXPECT_LT((out - emg.mean(0)).abs().max().item<double>(), 1e-6) << name;
      continue;
    }
    // The weights it started from (the trainer seeds before making the model) have moved.
    torch::manual_seed(run.options.seed);
    const EmgModel initial = make_model(trained.net->config());
    double moved = 0;
    const auto after = trained.net->named_parameters();
    for (const auto& p : initial->named_parameters()) moved = std::max(moved, testing::max_abs_diff(p.value(), after[p.key()]));
    EXPECT_GT(moved, 0.0) << name << ": one step left every weight where it was";
  }
}

TEST(Validation, ScoresEvenlySpacedWindowsWhenCapped) {
  testing::ScratchDir dir;
  const TrainRun run = one_step_run(dir, "linear_readout");
  torch::manual_seed(3);
  EmgModel net = make_model(run.model);
  const WindowDataset val(load_split_performances(run.data_dir, run.split_path, "val", run.model), run.model, 0);
  ASSERT_EQ(val.size(), 14);  // 14 s of whole 1 s windows
  // Each window's squared error in float64, by hand (lambda_ot 0: the loss is the MSE).
  torch::NoGradGuard no_grad;
  std::vector<double> error;
  for (int64_t w = 0; w < val.size(); ++w) {
    const WindowBatch b = val.batch({w});
    const torch::Tensor d = net->forward(b.pose, b.keys).to(torch::kDouble) - b.emg.to(torch::kDouble);
    error.push_back(d.pow(2).mean().item<double>());
  }
  const double all = std::accumulate(error.begin(), error.end(), 0.0) / 14;
  const double four = (error[0] + error[3] + error[7] + error[10]) / 4;  // floor(i * 14 / 4)
  EXPECT_NEAR(validation_loss(net, val, 3, 0.0, torch::kCPU), all, 1e-6);
  EXPECT_NEAR(validation_loss(net, val, 3, 0.0, torch::kCPU, nullptr, 0, 4), four, 1e-6);
  EXPECT_NEAR(validation_loss(net, val, 3, 0.0, torch::kCPU, nullptr, 0, 100), all, 1e-6);  // more than there are
  EXPECT_GT(std::abs(four - all), 1e-6);                                                    // the cap changed what was scored
}

}  // namespace
}  // namespace pianokpm
