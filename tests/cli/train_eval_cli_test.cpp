// train and eval end to end on a tiny corpus and a tiny model: outputs, kill -9 + --resume, errors.
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <numeric>
#include <thread>

#include "data/corpus_dataset.h"
#include "io/array_file.h"
#include "model/checkpoint.h"
#include "model/model_registry.h"
#include "model/state_dict.h"
#include "report/html_report.h"
#include "train/trainer.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::run_cli;

class TrainEvalCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    corpus_ = new testing::ScratchDirAt("pianokpm_train_eval_corpus");
    const auto r = run_cli("synth --out " + corpus() + " --pianists 2 --tasks 2 --takes 1 --seconds 5 --seed 3");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() { delete corpus_; }
  static std::string corpus() { return corpus_->path().string(); }
  static std::string train_args(const std::string& out) {
    return "train --data " + corpus() + " --split " + corpus() + "/dataset_architectural.json --config " +
           testing::fixture("configs/tiny_model.json") + " --threads 1 --out " + out;
  }
  static testing::ScratchDirAt* corpus_;
};
testing::ScratchDirAt* TrainEvalCli::corpus_ = nullptr;

TEST_F(TrainEvalCli, KillNineThenResumeEndsWithTheSameWeights) {
  testing::ScratchDir dir;
  const auto straight = run_cli(train_args(dir / "a") + " --epochs 4");
  ASSERT_EQ(straight.exit_code, 0) << straight.output;

  // Start the same run, kill it hard once it has finished an epoch, then resume.
  const std::string cmd = std::string(PIANOKPM_BIN) + " " + train_args(dir / "b") + " --epochs 4 > /dev/null 2>&1 & echo $!";
  FILE* p = ::popen(cmd.c_str(), "r");
  int pid = 0;
  ASSERT_EQ(std::fscanf(p, "%d", &pid), 1);
  ::pclose(p);
  for (int i = 0; i < 2400 && testing::read_bytes(dir / "b/train.log").find("epoch 2 ") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // The kill landed mid-run: some epochs were done, not all.
  const int killed_after = load_model(dir / "b/latest.pt").metadata.at("epochs_done").get<int>();
  ASSERT_GE(killed_after, 1);
  ASSERT_LE(killed_after, 3) << "the run finished before the kill: nothing to resume";
  // Resuming with another model is refused, and leaves the run's record as it was.
  const std::string config_before = testing::read_bytes(dir / "b/config.json");
  const auto wrong = run_cli(train_args(dir / "b") + " --epochs 4 --resume --architecture neuropose");
  EXPECT_EQ(wrong.exit_code, 2) << wrong.output;
  EXPECT_NE(wrong.output.find("another model config"), std::string::npos) << wrong.output;
  EXPECT_EQ(testing::read_bytes(dir / "b/config.json"), config_before);
  // --resume alone takes the run's own settings (tiny model, 4 epochs) from RUN/config.json.
  const auto resumed = run_cli("train --data " + corpus() + " --split " + corpus() +
                               "/dataset_architectural.json --threads 1 --out " + (dir / "b") + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resumed from"), std::string::npos) << resumed.output;

  auto a = load_model(dir / "a/latest.pt"), b = load_model(dir / "b/latest.pt");
  EXPECT_EQ(a.metadata.at("epochs_done"), 4);
  EXPECT_EQ(b.metadata.at("epochs_done"), 4);
  auto wa = named_tensors(a.net), wb = named_tensors(b.net);
  ASSERT_EQ(wa.size(), wb.size());
  for (size_t i = 0; i < wa.size(); ++i) EXPECT_LE(testing::max_abs_diff(wa[i].second, wb[i].second), 1e-6) << wa[i].first;
}

// CodeTalker's two-stage schedule through `train`: epoch 1 trains only the VQ-VAE, epoch 2 only
// the code predictor, each leaving the other stage's weights bit-identical.
TEST_F(TrainEvalCli, CodeTalkerTrainsItsTwoStagesInTurn) {
  testing::ScratchDir dir;
  testing::write_bytes(dir / "codetalker.json", R"({"model": {"architecture": "codetalker",
      "codetalker": {"codebook_size": 16, "code_dim": 8, "vae_channels": 8, "model_dim": 16, "heads": 2,
                     "feedforward": 16}}, "train": {"batch": 4, "lr": 0.001, "max_batches_per_epoch": 3}})");
  const auto r = run_cli("train --data " + corpus() + " --split " + corpus() + "/dataset_architectural.json --config " +
                         (dir / "codetalker.json") + " --threads 1 --epochs 2 --keep-epochs --out " + (dir / "run"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(testing::read_bytes(dir / "run/train.log").find("training stage 2 begins at epoch 2"), std::string::npos);
  const ModelConfig config = load_model(dir / "run/epochs/epoch_001.pt").net->config();
  torch::manual_seed(42);  // the run's seed, then its model: its initial weights
  EmgModel fresh = make_model(config);
  const auto init = named_tensors(fresh);
  EmgModel epoch1 = load_model(dir / "run/epochs/epoch_001.pt").net, epoch2 = load_model(dir / "run/epochs/epoch_002.pt").net;
  const auto e1 = named_tensors(epoch1), e2 = named_tensors(epoch2);
  ASSERT_EQ(e1.size(), e2.size());
  int vq_moved = 0, predictor_moved = 0;
  for (size_t i = 0; i < e1.size(); ++i) {
    const std::string& name = e1[i].first;
    const bool vq = name.rfind("vq_", 0) == 0 || name == "codebook";
    if (vq) {
      EXPECT_TRUE(torch::equal(e1[i].second, e2[i].second)) << name << " changed in stage 2";
      vq_moved += !torch::equal(init[i].second, e1[i].second);
    } else {
      EXPECT_TRUE(torch::equal(init[i].second, e1[i].second)) << name << " changed in stage 1";
      predictor_moved += !torch::equal(e1[i].second, e2[i].second);
    }
  }
  EXPECT_GT(vq_moved, 0);
  EXPECT_GT(predictor_moved, 0);
  const auto e = run_cli("eval --model " + (dir / "run/best.pt") + " --data " + corpus() + " --split " + corpus() +
                         "/dataset_architectural.json --set test --no-otd --out " + (dir / "eval"));
  ASSERT_EQ(e.exit_code, 0) << e.output;
  EXPECT_NE(testing::read_bytes(dir / "eval/metrics.md").find("codetalker"), std::string::npos);

  // Resuming with more epochs keeps the boundary where the run put it: epochs 3-5 are stage 2's
  // too (half of 5 epochs, recomputed, would have put epochs 2 and 3 back into stage 1).
  const auto more = run_cli("train --data " + corpus() + " --split " + corpus() +
                            "/dataset_architectural.json --threads 1 --out " + (dir / "run") + " --resume --epochs 5");
  ASSERT_EQ(more.exit_code, 0) << more.output;
  EmgModel epoch3 = load_model(dir / "run/epochs/epoch_003.pt").net;
  const auto e3 = named_tensors(epoch3);
  int moved = 0;
  for (size_t i = 0; i < e2.size(); ++i) {
    const std::string& name = e2[i].first;
    const bool vq = name.rfind("vq_", 0) == 0 || name == "codebook";
    if (vq) {
      EXPECT_TRUE(torch::equal(e2[i].second, e3[i].second)) << name << " changed in epoch 3";
    }
    moved += !vq && !torch::equal(e2[i].second, e3[i].second);
  }
  EXPECT_GT(moved, 0) << "the code predictor did not train in epoch 3";
  const std::string log = testing::read_bytes(dir / "run/train.log");
  EXPECT_EQ(log.find("training stage"), log.rfind("training stage")) << log;
}

TEST_F(TrainEvalCli, BaselinesTrainAndEvalWritesMetricsPredictionsAndPlots) {
  testing::ScratchDir dir;
  for (const char* arch : {"mean", "linear_readout", "neuropose"}) {
    const auto r = run_cli(train_args(dir / arch) + " --epochs 1 --architecture " + arch);
    ASSERT_EQ(r.exit_code, 0) << arch << ": " << r.output;
    const ModelConfig trained = load_model(dir / (std::string(arch) + "/best.pt")).net->config();
    EXPECT_EQ(trained.architecture, arch);
    // What it was trained on goes with it: a corpus made by `synth`, this folder, this command.
    EXPECT_TRUE(trained.provenance.synthetic_data) << arch;
    EXPECT_EQ(trained.provenance.corpus, corpus()) << arch;
    EXPECT_EQ(trained.provenance.command.rfind("pianokpm train --data " + corpus(), 0), 0u) << trained.provenance.command;
    EXPECT_NE(trained.provenance.command.find("--architecture " + std::string(arch)), std::string::npos);
  }
  const auto e = run_cli("eval --model " + (dir / "linear_readout/best.pt") + " --data " + corpus() + " --split " + corpus() +
                         "/dataset_held_out.json --set test_cross_user --out " + (dir / "eval"));
  ASSERT_EQ(e.exit_code, 0) << e.output;
  const auto metrics = nlohmann::json::parse(testing::read_bytes(dir / "eval/metrics.json"));
  ASSERT_FALSE(metrics.at("performances").empty());
  for (const auto& row : metrics.at("performances")) {
    EXPECT_GT(row.at("rmse").get<double>(), 0.0);
    EXPECT_TRUE(row.at("otd").is_number());
    const std::string name = row.at("name");
    EXPECT_EQ(read_array(dir / ("eval/predictions/" + name + ".npy")).size(1), 6);
#ifdef PIANOKPM_HAVE_CAIRO
    EXPECT_TRUE(std::filesystem::exists(dir / ("eval/plots/" + name + ".png")));
#else  // a build without cairo draws no figures, and says so by writing none
    EXPECT_FALSE(std::filesystem::exists(dir / ("eval/plots/" + name + ".png")));
#endif
  }
  EXPECT_NE(testing::read_bytes(dir / "eval/metrics.md").find("| **mean** |"), std::string::npos);
  // report.html is written exactly when the build inlines uPlot (its contents: the test below).
  EXPECT_EQ(std::filesystem::exists(dir / "eval/report.html"), html_report_available());
}

TEST_F(TrainEvalCli, EvalReportShowsEveryPerformanceWithItsMetrics) {
  if (!html_report_available()) GTEST_SKIP() << "this build has no uPlot: no report.html";
  testing::ScratchDir dir;
  const auto r = run_cli(train_args(dir / "run") + " --epochs 1 --architecture linear_readout");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto e = run_cli("eval --model " + (dir / "run/best.pt") + " --data " + corpus() + " --split " + corpus() +
                         "/dataset_held_out.json --set test_cross_user --out " + (dir / "eval"));
  ASSERT_EQ(e.exit_code, 0) << e.output;
  // Every performance with its metrics as in metrics.json, to the digits shown.
  const auto metrics = nlohmann::json::parse(testing::read_bytes(dir / "eval/metrics.json"));
  ASSERT_FALSE(metrics.at("performances").empty());
  const std::string html = testing::read_bytes(dir / "eval/report.html");
  for (const auto& row : metrics.at("performances")) {
    const std::string cells = fmt::format("<tr><td>{}</td><td>{:.4f}</td><td>{:.4f}</td>", row.at("name").get<std::string>(),
                                          row.at("rmse").get<double>(), row.at("otd").get<double>());
    EXPECT_NE(html.find(cells), std::string::npos) << cells;
  }
  EXPECT_NE(
      html.find(fmt::format("<tr class=\"mean\"><th>mean</th><td>{:.4f}</td>", metrics.at("mean").at("rmse").get<double>())),
      std::string::npos);
}

NamedTensors weights_of(const std::string& path) {
  LoadedModel m = load_model(path);
  return named_tensors(m.net);
}

TEST_F(TrainEvalCli, KeptEpochsAverageToTheirMeanWeights) {
  testing::ScratchDir dir;
  const auto r = run_cli(train_args(dir / "run") + " --epochs 3 --keep-epochs");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string e2 = dir / "run/epochs/epoch_002.pt", e3 = dir / "run/epochs/epoch_003.pt";
  EXPECT_EQ(load_model(e2).metadata.at("epochs_done"), 2);
  // The last kept epoch is the latest weights.
  const NamedTensors w3 = weights_of(e3), latest = weights_of(dir / "run/latest.pt");
  for (size_t i = 0; i < w3.size(); ++i) EXPECT_TRUE(torch::equal(w3[i].second, latest[i].second)) << w3[i].first;

  const auto avg = run_cli("average " + e2 + " " + e3 + " -o " + (dir / "avg.pt"));
  ASSERT_EQ(avg.exit_code, 0) << avg.output;
  const NamedTensors w2 = weights_of(e2), wa = weights_of(dir / "avg.pt");
  for (size_t i = 0; i < wa.size(); ++i) {
    const torch::Tensor expected = (w2[i].second.to(torch::kDouble) + w3[i].second.to(torch::kDouble)) / 2;
    EXPECT_LE(testing::max_abs_diff(wa[i].second, expected), 1e-7 * (1.0 + expected.abs().max().item<double>())) << wa[i].first;
  }
  // The same two epochs named as in `ensemble` (--from-run, --snapshots): the same weights.
  const auto from_run = run_cli("average --from-run " + (dir / "run") + " --snapshots 2 -o " + (dir / "avg_run.pt"));
  ASSERT_EQ(from_run.exit_code, 0) << from_run.output;
  const NamedTensors wr = weights_of(dir / "avg_run.pt");
  for (size_t i = 0; i < wa.size(); ++i) EXPECT_TRUE(torch::equal(wr[i].second, wa[i].second)) << wr[i].first;
  const auto too_many = run_cli("average --from-run " + (dir / "run") + " --snapshots 4 -o " + (dir / "x.pt"));
  EXPECT_EQ(too_many.exit_code, 2) << too_many.output;
  EXPECT_NE(too_many.output.find("has 3 epoch files"), std::string::npos) << too_many.output;
  // Another model's checkpoint is refused by name, and nothing is written.
  const auto other = run_cli(train_args(dir / "other") + " --epochs 1 --architecture linear_readout");
  ASSERT_EQ(other.exit_code, 0) << other.output;
  const auto bad = run_cli("average " + e3 + " " + (dir / "other/best.pt") + " -o " + (dir / "bad.pt"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("other/best.pt"), std::string::npos) << bad.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.pt"));
}

TEST_F(TrainEvalCli, StandardisedPoseStatisticsTravelWithTheModelAndSurviveResume) {
  testing::ScratchDir dir;
  auto config = nlohmann::json::parse(testing::read_bytes(testing::fixture("configs/tiny_model.json")));
  config["train"]["standardise_pose"] = true;
  testing::write_bytes(dir / "config.json", config.dump());
  const std::string args = "train --data " + corpus() + " --split " + corpus() + "/dataset_architectural.json --config " +
                           (dir / "config.json") + " --threads 1 --architecture linear_readout --out " + (dir / "run");
  const auto r = run_cli(args + " --epochs 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto model = load_model(dir / "run/best.pt").net->config();
  ASSERT_EQ(model.pose.mean.size(), static_cast<size_t>(model.pose_channels()));
  // Reference: channel 0 (top-view wrist x) of every training frame, averaged in float64.
  double sum = 0, sum_sq = 0;
  int64_t frames = 0;
  for (const auto& name : read_split(corpus() + "/dataset_architectural.json", "train")) {
    const torch::Tensor x =
        read_array(corpus() + "/hand_data/keyp_top/" + name + ".pkl").select(2, 0).select(1, 0).to(torch::kDouble);
    sum += x.sum().item<double>();
    sum_sq += x.square().sum().item<double>();
    frames += x.size(0);
  }
  const double mean = sum / frames, sd = std::sqrt(sum_sq / frames - mean * mean);
  EXPECT_NEAR(model.pose.mean[0], mean * model.pose.scale[0], 1e-9 * std::abs(mean));
  EXPECT_NEAR(model.pose.std[0], sd * model.pose.scale[0], 1e-6 * sd);
  // The run's record carries them, so --resume continues the same model.
  const auto run_config = nlohmann::json::parse(testing::read_bytes(dir / "run/config.json"));
  EXPECT_EQ(run_config.at("model").at("pose_mean").size(), model.pose.mean.size());
  const auto resumed = run_cli("train --data " + corpus() + " --split " + corpus() +
                               "/dataset_architectural.json --threads 1 --out " + (dir / "run") + " --resume --epochs 2");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(load_model(dir / "run/latest.pt").metadata.at("epochs_done"), 2);
}

// --init starts from a model's weights and config; --loss-tail-samples scores only each window's
// last samples (checked against the loss computed here on the validation windows' tails).
TEST_F(TrainEvalCli, FineTuningStartsFromTheInitModelAndScoresTheWindowTail) {
  testing::ScratchDir dir;
  auto r = run_cli(train_args(dir / "base") + " --epochs 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string base = dir / "base/best.pt";
  const std::string split = corpus() + "/dataset_architectural.json";
  r = run_cli("train --data " + corpus() + " --split " + split + " --threads 1 --out " + (dir / "ft") + " --init " + base +
              " --lr 1e-12 --epochs 1 --loss-tail-samples 103");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const LoadedModel tuned = load_model(dir / "ft/best.pt");
  LoadedModel start = load_model(base);
  EXPECT_TRUE(tuned.net->config().same_model_as(start.net->config()));
  EXPECT_NE(tuned.net->config().provenance.command.find("--init"), std::string::npos);
  const NamedTensors wb = weights_of(base), wt = weights_of(dir / "ft/best.pt");
  for (size_t i = 0; i < wb.size(); ++i) EXPECT_LE(testing::max_abs_diff(wb[i].second, wt[i].second), 1e-6) << wb[i].first;

  // The validation loss on the tails, computed here from the model and the validation windows.
  const ModelConfig& c = start.net->config();
  const WindowDataset val(load_split_performances(corpus(), split, "val", c), c, 0);
  ASSERT_GT(val.size(), 0);
  std::vector<int64_t> all(static_cast<size_t>(val.size()));
  std::iota(all.begin(), all.end(), 0);
  const WindowBatch b = val.batch(all);
  torch::NoGradGuard no_grad;
  start.net->eval();
  const torch::Tensor pred = start.net->forward(b.pose, b.keys);
  const double tail =
      emg_training_loss(pred.narrow(2, c.window_samples() - 103, 103), b.emg.narrow(2, c.window_samples() - 103, 103), 1.0)
          .item<double>();
  const double whole = emg_training_loss(pred, b.emg, 1.0).item<double>();
  const double reported = tuned.metadata.at("best_val_loss").get<double>();
  EXPECT_NEAR(reported, tail, 1e-4 * tail);
  EXPECT_GT(std::abs(whole - tail), 1e-3 * tail) << "the tail's loss is not the window's";

  r = run_cli("train --data " + corpus() + " --split " + split + " --out " + (dir / "bad") + " --init " + base + " --views 1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--init"), std::string::npos) << r.output;
}

TEST_F(TrainEvalCli, MissingOrInconsistentPerformanceFilesAreClearErrors) {
  testing::ScratchDir dir;
  // A split naming a performance that is not there.
  testing::write_bytes(dir / "split.json", R"({"train": ["t9_p9_9.pkl"], "val": []})");
  auto r = run_cli("train --data " + corpus() + " --split " + (dir / "split.json") + " --out " + (dir / "run"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("t9_p9_9.pkl: file not found"), std::string::npos) << r.output;
  // A split with no training performances (as a corpus made with synth --only-set lists them).
  testing::write_bytes(dir / "test_only.json", R"({"train": [], "val": [], "test": ["t1_p1_1.pkl"]})");
  r = run_cli("train --data " + corpus() + " --split " + (dir / "test_only.json") + " --out " + (dir / "run0"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("test_only.json: lists no \"train\" performances"), std::string::npos) << r.output;
  // EMG shorter than the keystrokes.
  std::filesystem::copy(corpus(), dir / "c", std::filesystem::copy_options::recursive);
  write_array(dir / "c/emg_data/t1_p1_1.pkl", torch::zeros({100, 6}));
  testing::write_bytes(dir / "split2.json", R"({"train": ["t1_p1_1.pkl"], "val": []})");
  r = run_cli("train --data " + (dir / "c") + " --split " + (dir / "split2.json") + " --out " + (dir / "run2"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("t1_p1_1.pkl: EMG has 100 rows but the keystrokes have 5120"), std::string::npos) << r.output;
  // An unknown set name.
  r = run_cli("eval --model x.pt --data " + corpus() + " --split " + corpus() + "/dataset_held_out.json --set nope --out " +
              (dir / "e"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

}  // namespace
}  // namespace pianokpm
