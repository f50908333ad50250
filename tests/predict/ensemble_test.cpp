// Ensembles: calibration against hand-worked quantiles and a distribution with known coverage,
// the members' mean, and the ensemble file.
#include "predict/ensemble.h"

#include <filesystem>
#include <random>

#include "data/performance.h"
#include "core/input_error.h"
#include "model/model_registry.h"
#include "model/state_dict.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::official;

TEST(Ensemble, CalibrationPicksTheConformalQuantileOfTheNormalisedErrors) {
  // Spread 0.1 everywhere (so the floor, its median, is 0.1 too) and errors 0.01, 0.02, .., 1.00:
  // the scores are k / 20, and level L takes the ceil(101 L)-th smallest.
  const torch::Tensor k = torch::arange(1, 101, torch::kFloat).unsqueeze(1).repeat({1, 6});
  EnsemblePrediction p{torch::full({100, 6}, 0.5f), torch::full({100, 6}, 0.1f)};
  const EnsembleCalibration c = calibrate_ensemble({p}, {0.5f + k / 100});
  ASSERT_EQ(c.levels.size(), 50u);
  EXPECT_NEAR(c.floor[0], 0.1, 1e-6);
  EXPECT_NEAR(c.scale_at(0.9)[3], 91 / 20.0, 1e-5);           // ceil(90.9) = 91
  EXPECT_NEAR(c.scale_at(0.5)[0], 51 / 20.0, 1e-5);           // ceil(50.5) = 51
  EXPECT_NEAR(c.scale_at(0.905)[5], (91 + 92) / 40.0, 1e-5);  // halfway to 0.91's ceil(91.91) = 92
  EXPECT_THROW(c.scale_at(0.995), std::invalid_argument);

  // The interval: mean +- scale * (spread + floor), clipped to 0..1.
  const Interval iv = prediction_interval(p, c, 0.9);
  EXPECT_NEAR(iv.upper[0][0].item<float>(), std::min(1.0, 0.5 + 4.55 * 0.2), 1e-5);
  EXPECT_NEAR(iv.lower[0][0].item<float>(), 0.0, 1e-6);
}

TEST(Ensemble, CalibratedIntervalsCoverTheLevelOnNewDataFromTheSameDistribution) {
  // Errors proportional to the members' spread (Gaussian, spread varying 10x): on fresh draws the
  // calibrated 90% and 50% intervals hold 90% and 50% of the samples, and a wide-spread sample
  // gets a wider interval than a narrow-spread one.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<float> spread_of(0.005f, 0.05f);
  std::normal_distribution<float> z(0, 1);
  auto draw = [&](int64_t n) {
    torch::Tensor mean = torch::full({n, 6}, 0.4f), spread = torch::empty({n, 6}), measured = torch::empty({n, 6});
    for (int64_t i = 0; i < n; ++i)
      for (int64_t m = 0; m < 6; ++m) {
        const float s = spread_of(rng);
        spread[i][m] = s;
        measured[i][m] = 0.4f + 1.5f * s * z(rng);
      }
    return std::pair{EnsemblePrediction{mean, spread}, measured};
  };
  auto [calib, calib_y] = draw(20000);
  const EnsembleCalibration c = calibrate_ensemble({calib}, {calib_y});
  auto [fresh, fresh_y] = draw(20000);
  for (double level : {0.5, 0.9}) {
    const auto coverage = interval_coverage(prediction_interval(fresh, c, level), fresh_y);
    for (double v : coverage) EXPECT_NEAR(v, level, 0.015) << "level " << level;
  }
  const Interval iv = prediction_interval(fresh, c, 0.9);
  const torch::Tensor width = (iv.upper - iv.lower).select(1, 0), s = fresh.spread.select(1, 0);
  EXPECT_GT(width.masked_select(s > 0.04f).mean().item<float>(), 2 * width.masked_select(s < 0.01f).mean().item<float>());
}

TEST(Ensemble, PredictsTheMembersMeanAndTheirSpread) {
  testing::ScratchDir dir;
  // Two copies of the official model, one with its decoder's last bias moved: the mean and the
  // spread follow from the two members' own predictions.
  LoadedModel a = load_model(official("state_dict.pth")), b = load_model(official("state_dict.pth"));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : b.net->named_parameters())
      if (p.key() == "decoder.mlp.6.bias") p.value().add_(0.5);
  }
  save_checkpoint(dir / "a.pt", a.net);
  save_checkpoint(dir / "b.pt", b.net);
  std::filesystem::create_directories(dir.path() / "sub");
  save_ensemble(dir / "sub/ens.json", {dir / "a.pt", dir / "b.pt"}, {});
  Ensemble e = load_ensemble(dir / "sub/ens.json");  // members relative to the file's folder
  ASSERT_EQ(e.members.size(), 2u);
  PerformancePaths paths;
  paths.pose_views = {official("performance/hand_data/keyp_top/t1_p1_1.pkl"),
                      official("performance/hand_data/keyp_right/t1_p1_1.pkl")};
  paths.keys = official("performance/keystroke_data/t1_p1_1.pkl");
  const auto streams = load_performance(paths, e.config());
  const PerformanceWindows windows(streams, e.config());
  const torch::Tensor ya = predict_performance(a.net, windows, {}), yb = predict_performance(b.net, windows, {});
  const EnsemblePrediction p = predict_ensemble(e, windows, {});
  EXPECT_LE(testing::max_abs_diff(p.mean, (ya + yb) / 2), 1e-6);
  EXPECT_LE(testing::max_abs_diff(p.spread, (ya - yb).abs() / 2), 1e-6);
  EXPECT_GT(p.spread.max().item<float>(), 1e-3);
  // Without calibration there are no intervals.
  EXPECT_THROW(e.calibration.scale_at(0.9), std::invalid_argument);
}

TEST(Ensemble, FilesWithMissingOrMismatchedMembersAreClearErrors) {
  testing::ScratchDir dir;
  testing::write_bytes(dir / "empty.json", R"({"members": []})");
  EXPECT_THROW(load_ensemble(dir / "empty.json"), InputError);
  testing::write_bytes(dir / "missing.json", R"({"members": ["nowhere.pt"]})");
  try {
    load_ensemble(dir / "missing.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("nowhere.pt"), std::string::npos) << e.what();
  }
  ModelConfig pose_only;
  pose_only.modality = Modality::kPoseOnly;
  EmgModel other = make_model(pose_only);
  save_checkpoint(dir / "pose.pt", other);
  LoadedModel official_model = load_model(official("state_dict.pth"));
  save_checkpoint(dir / "both.pt", official_model.net);
  save_ensemble(dir / "mixed.json", {dir / "both.pt", dir / "pose.pt"}, {});
  try {
    load_ensemble(dir / "mixed.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("reads other streams"), std::string::npos) << e.what();
  }
}

// One file's keypoints feed every member, so members reading other units (here pixels of a
// 1280x720 image against 0..1 coordinates) are refused like members reading other streams.
TEST(Ensemble, MembersReadingKeypointsInOtherUnitsAreRefused) {
  testing::ScratchDir dir;
  ModelConfig c;
  c.options = {{"hidden_channels", 16}, {"tds_channels", 4}, {"tds_width", 4}, {"decoder_hidden", 16}};
  EmgModel unit = make_model(c);
  c.pose.scale = {1.0 / 1280, 1.0 / 720};
  EmgModel pixels = make_model(c);
  save_checkpoint(dir / "unit.pt", unit);
  save_checkpoint(dir / "pixels.pt", pixels);
  try {
    load_members({dir / "unit.pt", dir / "pixels.pt"}, "--models");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), "--models");
    EXPECT_NE(std::string(e.what()).find("other units"), std::string::npos) << e.what();
  }
}

// A member exported as a state dict (NAME.pth with NAME.json beside it) is read with that config,
// as --model reads it; the released configuration would not fit its weights.
TEST(Ensemble, AStateDictMemberIsReadWithTheConfigBesideIt) {
  testing::ScratchDir dir;
  ModelConfig c;
  c.modality = Modality::kPoseOnly;
  c.num_views = 1;
  c.options = {{"hidden_channels", 16}, {"tds_channels", 4}, {"tds_width", 4}, {"decoder_hidden", 16}};
  EmgModel net = make_model(c);
  export_release_model(net, dir / "m.pth");
  save_checkpoint(dir / "m.pt", net);
  const Ensemble e = load_members({dir / "m.pt", dir / "m.pth"}, "--models");
  ASSERT_EQ(e.members.size(), 2u);
  EXPECT_EQ(e.members[1].format, "pytorch-state-dict");
  EXPECT_EQ(e.members[1].net->config().to_json(), net->config().to_json());
}

}  // namespace
}  // namespace pianokpm
