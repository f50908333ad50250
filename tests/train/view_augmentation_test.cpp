// View augmentation: windows filmed again from the 3D hand that synth stores are a camera's view
// of that hand at the window's own frames (one pinhole projection explains them, not a second away),
// from cameras of the training families only, deterministically; corpora without the 3D hand or
// their cameras are refused, naming the file.
#include "train/view_augmentation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/input_error.h"
#include "data/corpus_dataset.h"
#include "io/array_file.h"
#include "model/model_config.h"
#include "synth/camera_rig.h"
#include "synth/corpus.h"
#include "train/train_options.h"
#include "test_support.h"

namespace pianokpm {
namespace {

namespace fs = std::filesystem;

ModelConfig one_view_config() {
  ModelConfig c;
  c.modality = Modality::kPoseOnly;
  c.num_views = 1;
  return c;
}

class ViewAugmentationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::ScratchDirAt("pianokpm_view_augmentation");
    synth::SynthOptions o;
    o.pianists = 6;
    o.tasks = 2;
    o.takes = 1;
    o.seconds = 4;
    o.cameras = "varied";
    synth::write_corpus(o, corpus());
    o.cameras = "fixed";
    synth::write_corpus(o, (dir_->path() / "fixed").string());
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string corpus() { return (dir_->path() / "varied").string(); }
  static std::string split() { return corpus() + "/dataset_held_out.json"; }
  static WindowDataset train_set(const std::string& data) {
    return WindowDataset(load_split_performances(data, data + "/dataset_held_out.json", "train", one_view_config()),
                         one_view_config(), 0);
  }
  static testing::ScratchDirAt* dir_;
};
testing::ScratchDirAt* ViewAugmentationTest::dir_ = nullptr;

// How well one pinhole camera explains a window: the best 3x4 projection (DLT, float64) of the 3D
// hand [F, 21, 3] mm onto the window's top view [42, F] pixels, and the median distance between
// the projected and the given keypoints, in units of the keypoints' spread. A window filmed from
// that hand at those frames leaves only the tracking noise.
double projection_residual(const torch::Tensor& hand, const torch::Tensor& pose) {
  const torch::Tensor X = hand.to(torch::kDouble).reshape({-1, 3});
  const torch::Tensor uv = pose.to(torch::kDouble).t().reshape({-1, 2});
  const torch::Tensor Xn = (X - X.mean(0)) / X.std(), un = (uv - uv.mean(0)) / uv.std();
  const int64_t n = X.size(0);
  const torch::Tensor Xh = torch::cat({Xn, torch::ones({n, 1}, torch::kDouble)}, 1), zero = torch::zeros({n, 4}, torch::kDouble);
  const torch::Tensor u = un.select(1, 0).unsqueeze(1), v = un.select(1, 1).unsqueeze(1);
  const torch::Tensor A = torch::cat({torch::cat({Xh, zero, -u * Xh}, 1), torch::cat({zero, Xh, -v * Xh}, 1)}, 0);
  const torch::Tensor P = std::get<2>(torch::linalg_svd(A, false)).select(0, 11).view({3, 4});
  const torch::Tensor projected = Xh.matmul(P.t());
  const torch::Tensor image = projected.narrow(1, 0, 2) / projected.narrow(1, 2, 1);
  return (image - un).norm(2, 1).median().item<double>();
}

TEST_F(ViewAugmentationTest, RefilmedWindowsShowTheSameMovementFromAnotherCamera) {
  const WindowDataset set = train_set(corpus());
  ASSERT_GE(set.size(), 4);
  const ViewAugmentation views(corpus(), set, {1.0, "training"});
  std::vector<int64_t> windows;
  for (int64_t w = 0; w < set.size(); ++w) windows.push_back(w);
  const torch::Tensor original = set.batch(windows).pose;
  torch::Tensor refilmed = original.clone();
  views.apply(refilmed, set, windows, 42, 0);
  const int64_t frames = original.size(2);
  std::vector<double> same_all, original_all;
  for (int64_t w = 0; w < set.size(); ++w) {
    EXPECT_GT((refilmed[w] - original[w]).abs().max().item<double>(), 1.0) << "window " << w << " filmed again";
    // a projection of the stored 3D hand at the window's own frames, not at others
    const auto [p, first] = set.window_start(w);
    const std::string name = set.performances()[static_cast<size_t>(p)].name;
    const torch::Tensor hand = read_array(corpus() + "/" + kHand3dFolder + "/" + name + ".pkl");
    const int64_t other = first + frames <= hand.size(0) - frames ? first + frames : first - frames;
    ASSERT_GE(other, 0);
    const double same = projection_residual(hand.narrow(0, first, frames), refilmed[w]);
    const double shifted = projection_residual(hand.narrow(0, other, frames), refilmed[w]);
    EXPECT_LT(same, 0.5 * shifted) << "window " << w << ": a second away " << shifted;
    same_all.push_back(same);
    // the corpus's own camera is such a projection too (the test's reference)
    original_all.push_back(projection_residual(hand.narrow(0, first, frames), original[w]));
  }
  // tracking noise alone: 2% of the hand's size per keypoint, and the odd lost or outlying frame
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  EXPECT_LT(median(same_all), 0.06);
  EXPECT_LT(median(original_all), 0.06);
}

TEST_F(ViewAugmentationTest, DrawsFromTheTrainingFamiliesOnlyAndIsDeterministic) {
  const WindowDataset set = train_set(corpus());
  const ViewAugmentation views(corpus(), set, {0.5, "training"});
  std::set<int> expected;
  for (const CorpusPerformance& p : set.performances()) {
    int task = 0, pianist = 0, take = 0;
    ASSERT_EQ(std::sscanf(p.name.c_str(), "t%d_p%d_%d", &task, &pianist, &take), 3) << p.name;
    expected.insert(synth::camera_family(42, task, pianist, take));
  }
  EXPECT_EQ(std::set<int>(views.families().begin(), views.families().end()), expected);
  EXPECT_EQ(expected.count(synth::held_out_camera_family(42)), 0u) << "the held-out family stays unseen";
  EXPECT_EQ(ViewAugmentation(corpus(), set, {0.5, "any"}).families().size(), static_cast<size_t>(synth::kCameraFamilies));

  std::vector<int64_t> windows;
  for (int64_t w = 0; w < set.size(); ++w) windows.push_back(w);
  const torch::Tensor original = set.batch(windows).pose;
  auto refilm = [&](int64_t epoch) {
    torch::Tensor pose = original.clone();
    views.apply(pose, set, windows, 42, epoch);
    return pose;
  };
  const torch::Tensor first = refilm(0);
  EXPECT_TRUE(torch::equal(first, refilm(0))) << "the same (seed, epoch, window): the same camera";
  EXPECT_FALSE(torch::equal(first, refilm(1)));
  int64_t changed = 0;
  for (int64_t w = 0; w < set.size(); ++w) changed += torch::equal(first[w], original[w]) ? 0 : 1;
  EXPECT_GT(changed, 0);
  EXPECT_LT(changed, set.size()) << "share 0.5 leaves some windows as filmed";
  torch::Tensor none = original.clone();
  ViewAugmentation(corpus(), set, {0.0, "training"}).apply(none, set, windows, 42, 0);
  EXPECT_TRUE(torch::equal(none, original));
}

TEST_F(ViewAugmentationTest, RefusesCorporaWithoutTheHandOrItsCameras) {
  const std::string fixed = (dir_->path() / "fixed").string();
  const WindowDataset fixed_set = train_set(fixed);
  try {
    ViewAugmentation(fixed, fixed_set, {1.0, "training"});
    FAIL() << "a fixed-camera corpus has no camera family to draw from";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("meta"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--cameras varied"), std::string::npos) << e.what();
  }
  const std::string copy = (dir_->path() / "no_hand").string();
  fs::copy(corpus(), copy, fs::copy_options::recursive);
  const WindowDataset set = train_set(copy);
  fs::remove_all(fs::path(copy) / kHand3dFolder);
  try {
    ViewAugmentation(copy, set, {1.0, "training"});
    FAIL() << "no 3D hand";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("keyp_3d"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ViewAugmentationOptions({1.5, "training"}).check(), std::invalid_argument);
  EXPECT_THROW(ViewAugmentationOptions({0.5, "overhead"}).check(), std::invalid_argument);
  TrainOptions bad;
  bad.view_augmentation = -0.1;
  EXPECT_THROW(bad.check(), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm
