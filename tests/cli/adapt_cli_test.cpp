// pianokpm adapt end to end on a tiny corpus: which weights move, how much data is used, and the
// inputs it refuses before writing anything.
#include <filesystem>

#include "data/corpus_dataset.h"
#include "core/input_error.h"
#include "model/checkpoint.h"
#include "model/state_dict.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::run_cli;
namespace fs = std::filesystem;

NamedTensors weights_of(const std::string& path) {
  LoadedModel m = load_model(path);
  return named_tensors(m.net);
}

class AdaptCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::ScratchDirAt("pianokpm_adapt_corpus");
    auto r = run_cli("synth --out " + corpus() + " --pianists 3 --tasks 2 --takes 2 --seconds 6 --seed 3");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    r = run_cli("train --data " + corpus() + " --split " + corpus() + "/dataset_architectural.json --config " +
                testing::fixture("configs/tiny_model.json") + " --threads 1 --epochs 1 --out " + base_run());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // The new person: pianist 3's recordings, one of them held out for early stopping.
    testing::write_bytes(person_split(), R"({"train": ["t1_p3_1.pkl", "t2_p3_1.pkl", "t1_p3_2.pkl"], "val": ["t2_p3_2.pkl"]})");
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string corpus() { return (dir_->path() / "corpus").string(); }
  static std::string base_run() { return (dir_->path() / "base").string(); }
  static std::string base() { return base_run() + "/best.pt"; }
  static std::string person_split() { return (dir_->path() / "person.json").string(); }
  static std::string adapt_args(const std::string& data, const std::string& out) {
    return "adapt --model " + base() + " --data " + data + " --split " + person_split() + " --threads 1 --out " + out;
  }
  static testing::ScratchDirAt* dir_;
};
testing::ScratchDirAt* AdaptCli::dir_ = nullptr;

TEST_F(AdaptCli, TrainsOnlyThePartAskedForStartingFromTheModel) {
  testing::ScratchDir dir;
  const auto r =
      run_cli(adapt_args(corpus(), dir / "run") + " --part decoder --minutes 0.15 --epochs 2 --max-batches 2 --lr 0.01");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string log = testing::read_bytes(dir / "run/train.log");
  EXPECT_NE(log.find("epoch 0 (the starting weights) val loss"), std::string::npos) << log;
  EXPECT_NE(log.find("epoch 2 "), std::string::npos) << log;

  const NamedTensors start = weights_of(base()), tuned = weights_of(dir / "run/latest.pt");
  ASSERT_EQ(start.size(), tuned.size());
  int encoder = 0, decoder_moved = 0;
  for (size_t i = 0; i < start.size(); ++i) {
    const double change = testing::max_abs_diff(start[i].second, tuned[i].second);
    if (start[i].first.rfind("network.", 0) == 0) {
      EXPECT_EQ(change, 0.0) << start[i].first << " is in the frozen encoder";
      ++encoder;
    } else if (start[i].first.rfind("decoder.", 0) == 0) {
      decoder_moved += change > 1e-6;
    }
  }
  EXPECT_GT(encoder, 5);
  EXPECT_GT(decoder_moved, 2);
  // best.pt is never worse on the held-out part than the starting model.
  const auto best = load_model(dir / "run/best.pt");
  const double start_loss = std::stod(log.substr(log.find("val loss", log.find("epoch 0")) + 9));
  EXPECT_LE(best.metadata.at("best_val_loss").get<double>(), start_loss + 1e-9);
  // the same model; its provenance now names the adapt command and the person's data
  const ModelConfig base_config = load_model(base()).net->config();
  EXPECT_TRUE(best.net->config().same_model_as(base_config));
  EXPECT_EQ(best.net->config().provenance.command.rfind("pianokpm adapt ", 0), 0u) << best.net->config().provenance.command;
  EXPECT_TRUE(best.net->config().provenance.synthetic_data);  // started from a model trained on synth data
}

TEST_F(AdaptCli, FirstMinutesTakesThePerformancesInOrderAndCutsTheLast) {
  const ModelConfig config = load_model(base()).net->config();
  auto perfs = load_split_performances(corpus(), person_split(), "train", config);
  ASSERT_EQ(perfs.size(), 3u);
  // 0.15 min = 9 s: the first 6-s performance and 3 s of the second.
  const auto kept = first_minutes(perfs, 0.15, config, "split");
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].name, "t1_p3_1");
  EXPECT_EQ(kept[0].emg.size(0), perfs[0].emg.size(0));
  EXPECT_EQ(kept[1].emg.size(0), 3 * 1024);
  EXPECT_EQ(kept[1].streams.keys.size(0), 3 * 1024);
  EXPECT_EQ(kept[1].streams.pose.size(0), 3 * 60);
  EXPECT_TRUE(kept[1].emg.equal(perfs[1].emg.narrow(0, 0, 3 * 1024)));
  // 6.5 s: the half second left after the first performance is less than a window, so it is left out.
  EXPECT_EQ(first_minutes(perfs, 6.5 / 60, config, "split").size(), 1u);
  EXPECT_THROW(first_minutes(perfs, 0.5 / 60, config, "split"), InputError);
}

TEST_F(AdaptCli, RefusesAnotherLayoutOrTooLittleDataBeforeWritingAnything) {
  testing::ScratchDir dir;
  // The person's data without the right camera (the model reads two views), or without keystrokes.
  for (const char* missing : {"hand_data/keyp_right", "keystroke_data"}) {
    const fs::path copy = dir.path() / (std::string("data_") + (missing[0] == 'h' ? "one_view" : "no_keys"));
    fs::copy(corpus(), copy, fs::copy_options::recursive);
    fs::remove_all(copy / missing);
    const auto r = run_cli(adapt_args(copy.string(), dir / "run"));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(missing), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir.path() / "run")) << missing;
  }
  auto r = run_cli(adapt_args(corpus(), dir / "run") + " --minutes 0.01");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("less than one"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.path() / "run"));

  testing::write_bytes(dir / "no_val.json", R"({"train": ["t1_p3_1.pkl"], "val": []})");
  r = run_cli("adapt --model " + base() + " --data " + corpus() + " --split " + (dir / "no_val.json") + " --out " +
              (dir / "run"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("\"val\""), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.path() / "run"));

  r = run_cli(adapt_args(corpus(), dir / "run") + " --part wrist");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--part"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.path() / "run"));
}

}  // namespace
}  // namespace pianokpm
