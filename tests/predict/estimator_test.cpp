// The one estimator every front end loads models with: state dicts read with the config beside
// them, "trained on synthetic data" from any member's provenance, ensembles refused where one
// model is needed, and predictions equal to predict_performance's.
#include "predict/estimator.h"

#include <filesystem>
#include <utility>
#include <vector>

#include "data/windowing.h"
#include "core/input_error.h"
#include "model/model_registry.h"
#include "model/state_dict.h"
#include "test_support.h"

namespace pianokpm {
namespace {

// A small one-view pose model reading pixels of a 1280x720 image: not the released configuration,
// so a state dict of it cannot be read without its config.
ModelConfig tiny_config() {
  ModelConfig c;
  c.modality = Modality::kPoseOnly;
  c.num_views = 1;
  c.pose.scale = {1.0 / 1280, 1.0 / 720};
  c.options = {{"hidden_channels", 16}, {"tds_channels", 4}, {"tds_width", 4}, {"decoder_hidden", 16}};
  return c;
}

// 2.5 s of keypoints in pixels: [150, 42], three windows (the last one partial).
PerformanceStreams pixel_pose() {
  torch::manual_seed(4);
  PerformanceStreams s;
  s.pose = torch::rand({150, 42}) * 600 + 300;
  return s;
}

torch::Tensor offline(const EmgModel& net, const PerformanceStreams& s) {
  return predict_performance(net, PerformanceWindows(s, net->config()), PredictOptions());
}

TEST(Estimator, ReadsAStateDictWithTheConfigExportWroteBesideIt) {
  testing::ScratchDir dir;
  torch::manual_seed(21);
  EmgModel net = make_model(tiny_config());
  export_release_model(net, dir / "m.pth");  // and m.json beside it
  const Estimator est = Estimator::load(dir / "m.pth");
  EXPECT_EQ(est.format(), "pytorch-state-dict");
  EXPECT_EQ(est.config_path(), dir / "m.json");
  EXPECT_EQ(est.config().to_json(), net->config().to_json());
  EXPECT_FALSE(est.is_ensemble());
  EXPECT_EQ(est.members(), 1);
  const PerformanceStreams s = pixel_pose();
  const Estimate got = est.predict(s);
  const torch::Tensor want = offline(net, s);
  ASSERT_EQ(got.emg.sizes(), want.sizes());
  EXPECT_LE(testing::max_abs_diff(got.emg, want), 1e-6);
  EXPECT_GT(want.std().item<double>(), 0.0);
  EXPECT_EQ(got.windows, 3);
  EXPECT_FALSE(got.spread.defined());
  // A config given wins over the one beside it; without either, the released configuration,
  // which the weights do not fit.
  EstimatorOptions given;
  given.config = net->config();
  EXPECT_EQ(Estimator::load(dir / "m.pth", given).config_path(), "");
  std::filesystem::remove(dir / "m.json");
  try {
    Estimator::load(dir / "m.pth");
    FAIL() << "the released configuration cannot read these weights";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), dir / "m.pth");
  }
}

TEST(Estimator, IsSyntheticWhenAnyMemberWasTrainedOnSyntheticData) {
  testing::ScratchDir dir;
  EmgModel measured = make_model(tiny_config());
  ModelConfig synthetic_config = tiny_config();
  synthetic_config.provenance.synthetic_data = true;
  EmgModel synthetic = make_model(synthetic_config);
  save_checkpoint(dir / "measured.pt", measured);
  save_checkpoint(dir / "synthetic.pt", synthetic);
  // The synthetic member second: not only the first member counts.
  save_ensemble(dir / "mixed.json", {dir / "measured.pt", dir / "synthetic.pt"}, {});
  save_ensemble(dir / "plain.json", {dir / "measured.pt", dir / "measured.pt"}, {});
  EXPECT_TRUE(Estimator::load(dir / "mixed.json").synthetic());
  EXPECT_FALSE(Estimator::load(dir / "plain.json").synthetic());
  EXPECT_TRUE(Estimator::load(dir / "synthetic.pt").synthetic());
  EXPECT_FALSE(Estimator::load(dir / "measured.pt").synthetic());
}

TEST(Estimator, AnEnsembleIsRefusedWhereOneModelIsNeeded) {
  testing::ScratchDir dir;
  EmgModel net = make_model(tiny_config());
  save_checkpoint(dir / "a.pt", net);
  save_ensemble(dir / "ens.json", {dir / "a.pt", dir / "a.pt"}, {});
  const Estimator est = Estimator::load(dir / "ens.json");
  ASSERT_TRUE(est.is_ensemble());
  ASSERT_NE(est.ensemble(), nullptr);
  EXPECT_EQ(est.format(), "ensemble");
  try {
    est.model("live runs one model");
    FAIL() << "an ensemble has no one model";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), dir / "ens.json");
    EXPECT_NE(std::string(e.what()).find("live runs one model"), std::string::npos) << e.what();
  }
  try {
    est.export_release(dir / "out.pth");
    FAIL() << "an ensemble is not exported";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), dir / "ens.json");
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "out.pth"));
  // Its members carry their configs; an uncalibrated one gives no interval.
  EstimatorOptions with_config;
  with_config.config_path = dir / "config.json";
  EXPECT_THROW(Estimator::load(dir / "ens.json", with_config), InputError);
  EXPECT_THROW(est.require_interval(0.9, "--interval"), InputError);
  const Estimator one = Estimator::load(dir / "a.pt");
  try {
    one.require_interval(0.9, "--interval");
    FAIL() << "one model gives no interval";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), "--interval");
  }
  EXPECT_NO_THROW(one.model("live runs one model"));
}

TEST(Estimator, AOneMemberEnsemblePredictsWhatItsModelPredicts) {
  testing::ScratchDir dir;
  torch::manual_seed(22);
  EmgModel net = make_model(tiny_config());
  save_checkpoint(dir / "a.pt", net);
  save_ensemble(dir / "one.json", {dir / "a.pt"}, {});
  const Estimator one = Estimator::load(dir / "one.json");
  ASSERT_EQ(one.members(), 1);
  const PerformanceStreams s = pixel_pose();
  const Estimate got = one.predict(s);
  const torch::Tensor want = offline(net, s);
  ASSERT_EQ(got.emg.sizes(), want.sizes());
  EXPECT_LE(testing::max_abs_diff(got.emg, want), 1e-6);
  ASSERT_TRUE(got.spread.defined());
  EXPECT_EQ(got.spread.abs().max().item<double>(), 0.0);
  EXPECT_FALSE(got.interval.lower.defined());
}

// Progress counts the windows of every member: one bar for the whole ensemble.
TEST(Estimator, ProgressIsSummedOverTheMembers) {
  testing::ScratchDir dir;
  EmgModel net = make_model(tiny_config());
  save_checkpoint(dir / "a.pt", net);
  save_ensemble(dir / "two.json", {dir / "a.pt", dir / "a.pt"}, {});
  const Estimator two = Estimator::load(dir / "two.json");
  std::vector<std::pair<int64_t, int64_t>> progress;
  EstimateOptions options;
  options.batch_windows = 2;
  options.on_progress = [&](int64_t done, int64_t total) { progress.emplace_back(done, total); };
  two.predict(pixel_pose(), options);
  const std::vector<std::pair<int64_t, int64_t>> want = {{2, 6}, {3, 6}, {5, 6}, {6, 6}};
  EXPECT_EQ(progress, want);
}

}  // namespace
}  // namespace pianokpm
