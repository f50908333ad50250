#include "data/performance.h"
#include "io/array_file.h"
#include "core/input_error.h"
#include "model/model_registry.h"
#include "model/checkpoint.h"
#include "predict/predictor.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::official;

PerformancePaths official_performance() {
  PerformancePaths p;
  p.pose_views = {official("performance/hand_data/keyp_top/t1_p1_1.pkl"),
                  official("performance/hand_data/keyp_right/t1_p1_1.pkl")};
  p.keys = official("performance/keystroke_data/t1_p1_1.pkl");
  return p;
}

TEST(Predictor, ReproducesOfficialPerformanceOnCompleteWindows) {
  auto model = load_model(official("state_dict.pth"));
  const auto streams = load_performance(official_performance(), model.net->config());
  PerformanceWindows windows(streams, model.net->config());
  EXPECT_EQ(windows.num_windows(), 4);  // 3.5 s: the last window is partial
  PredictOptions options;
  options.batch_windows = 3;  // chunking must not change the result
  std::vector<int64_t> progress;
  options.on_progress = [&](int64_t done, int64_t) { progress.push_back(done); };
  auto emg = predict_performance(model.net, windows, options);
  EXPECT_EQ(emg.sizes(), (std::vector<int64_t>{3584, 6}));  // one row per keystroke sample
  EXPECT_EQ(progress, (std::vector<int64_t>{3, 4}));
  auto expected = read_array(official("performance_expected_emg_tc.npy"));
  EXPECT_LE(testing::max_abs_diff(emg.narrow(0, 0, expected.size(0)), expected), 1e-5);
  EXPECT_TRUE(torch::isfinite(emg).all().item<bool>());
}

// A model trained on pixel keypoints scales and standardises its pose input; prediction, which
// runs the encoder and the decoder apart, must do the same as forward().
TEST(Predictor, AppliesThePoseScaleAndStandardisationOfTheModel) {
  ModelConfig c;
  c.pose.scale = {1.0 / 1280, 1.0 / 720};
  c.options = {{"hidden_channels", 16}, {"tds_channels", 4}, {"tds_width", 4}, {"decoder_hidden", 16}};
  for (int i = 0; i < c.pose_channels(); ++i) {
    c.pose.mean.push_back(0.4 + 0.001 * i);
    c.pose.std.push_back(0.02 + 0.001 * i);
  }
  torch::manual_seed(11);
  EmgModel net = make_model(c);
  PerformanceStreams s;
  s.pose = torch::rand({120, c.pose_channels()}) * 600 + 300;  // pixels
  s.keys = torch::rand({2048, c.num_keys});
  PerformanceWindows windows(s, c);
  const torch::Tensor got = predict_performance(net, windows, {});
  torch::NoGradGuard no_grad;
  const torch::Tensor want = net->forward(windows.pose(0, 2), windows.keys(0, 2)).permute({0, 2, 1}).reshape({2048, 6});
  EXPECT_LE(testing::max_abs_diff(got, want), 1e-5);
  EXPECT_GT(want.std().item<double>(), 0.0);
}

// Predicting reads the model and nothing else: its mode, device and weights are as they were, and
// a model on another device than the options' is refused rather than moved.
TEST(Predictor, LeavesTheModelAsItWasAndRefusesOneOnAnotherDevice) {
  for (const std::string& name : model_names()) {
    ModelConfig c;
    c.architecture = name;
    c.modality = Modality::kPoseOnly;
    c.num_views = 1;
    torch::manual_seed(3);
    EmgModel net = make_model(c);
    net->train();  // as during training, when the trainer scores its model
    std::vector<torch::Tensor> before;
    for (const auto& t : net->parameters()) before.push_back(t.detach().clone());
    PerformanceStreams s;
    s.pose = torch::rand({90, c.pose_channels()});
    const torch::Tensor first = predict_performance(net, PerformanceWindows(s, c), {});
    EXPECT_TRUE(net->is_training()) << name;
    EXPECT_EQ(net->device(), torch::Device(torch::kCPU));
    const auto after = net->parameters();
    for (size_t i = 0; i < before.size(); ++i) EXPECT_TRUE(torch::equal(before[i], after[i])) << name;
    // The output does not depend on the mode either.
    net->eval();
    EXPECT_TRUE(torch::equal(first, predict_performance(net, PerformanceWindows(s, c), {}))) << name;
    PredictOptions elsewhere;
    elsewhere.device = torch::Device(torch::kCUDA);
    EXPECT_THROW(predict_performance(net, PerformanceWindows(s, c), elsewhere), std::invalid_argument) << name;
  }
}

TEST(Windowing, PoseOnlyOutputHas1024Over60RowsPerFrame) {
  ModelConfig c;
  c.modality = Modality::kPoseOnly;
  PerformanceStreams s;
  s.pose = torch::randn({90, 84});
  PerformanceWindows w(s, c);
  EXPECT_EQ(w.output_samples(), 1536);
  EXPECT_EQ(w.num_windows(), 2);
  auto last = w.pose(1, 1);
  EXPECT_EQ(last.sizes(), (std::vector<int64_t>{1, 84, 60}));
  // Frames 60..89 then the last frame repeated.
  EXPECT_TRUE(torch::equal(last[0].select(1, 0), s.pose[60]));
  EXPECT_TRUE(torch::equal(last[0].select(1, 59), s.pose[89]));
  EXPECT_FALSE(w.keys(0, 1).defined());
}

TEST(Windowing, KeysWindowsAreContiguousSlices) {
  ModelConfig c;
  c.modality = Modality::kKeysOnly;
  PerformanceStreams s;
  s.keys = torch::rand({2048, 88});
  PerformanceWindows w(s, c);
  EXPECT_EQ(w.num_windows(), 2);
  EXPECT_TRUE(torch::equal(w.keys(1, 1)[0].t(), s.keys.narrow(0, 1024, 1024)));
}

TEST(Performance, DurationMismatchOfMoreThanOneWindowIsAnError) {
  testing::ScratchDir dir;
  write_array(dir / "keys.npy", torch::zeros({3584 + 2 * 1024, 88}));
  auto paths = official_performance();
  paths.keys = dir / "keys.npy";
  try {
    load_performance(paths, ModelConfig{});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("agree within one window"), std::string::npos) << e.what();
  }
  // Within one window is fine (the release's own files differ by rounding).
  write_array(dir / "keys.npy", torch::zeros({3584 + 1000, 88}));
  EXPECT_NO_THROW(load_performance(paths, ModelConfig{}));
}

}  // namespace
}  // namespace pianokpm
