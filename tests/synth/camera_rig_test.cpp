// Cameras of `synth --cameras varied`: hand-worked projection, noise in hand units, and the
// corpus's cameras, their determinism and the held-out split's test_cross_camera.
#include "synth/camera_rig.h"

#include <cmath>
#include <map>
#include <set>

#include "synth/corpus.h"
#include "test_support.h"

namespace pianokpm::synth {
namespace {

TrackingNoise no_noise() {
  TrackingNoise n;
  n.keypoint_jitter = n.hand_jitter = n.loss_start = n.outlier_rate = 0;
  return n;
}

// One frame of 21 keypoints: the wrist at the origin, the others at (x, y, 0).
torch::Tensor one_frame(double x, double y) {
  torch::Tensor k = torch::zeros({1, 21, 3}, torch::kDouble);
  for (int i = 1; i < 21; ++i) {
    k[0][i][0] = x;
    k[0][i][1] = y;
  }
  return k;
}

TEST(CameraRig, HandWorkedProjection) {
  // straight down from the player's side, 500 mm up, focal 1000 px, 1000 x 800 image
  CameraSetup c;
  c.azimuth_deg = 90;
  c.elevation_deg = 90;
  c.distance_mm = 500;
  c.focal_px = 1000;
  c.width = 1000;
  c.height = 800;
  std::mt19937_64 rng(1);
  const torch::Tensor img = film_with_camera(one_frame(100, 50), c, no_noise(), rng);
  EXPECT_NEAR(img[0][0][0].item<float>(), 500, 1e-3);  // the wrist at the target: image centre
  EXPECT_NEAR(img[0][0][1].item<float>(), 400, 1e-3);
  // 100 mm to the player's right -> 200 px right; 50 mm towards the player -> 100 px down
  EXPECT_NEAR(img[0][5][0].item<float>(), 700, 1e-3);
  EXPECT_NEAR(img[0][5][1].item<float>(), 500, 1e-3);
  EXPECT_GT(img[0][5][2].item<float>(), 0.8f);
  c.mirrored = true;
  EXPECT_NEAR(film_with_camera(one_frame(100, 50), c, no_noise(), rng)[0][5][0].item<float>(), 300, 1e-3);
  // rolled by 90 degrees: right becomes down
  c.mirrored = false;
  c.roll_deg = 90;
  const torch::Tensor rolled = film_with_camera(one_frame(100, 0), c, no_noise(), rng);
  EXPECT_NEAR(std::abs(rolled[0][5][1].item<float>() - 400), 200, 1e-3);
  EXPECT_NEAR(rolled[0][5][0].item<float>(), 500, 1e-3);
  // from the music stand, low: the camera faces the player, so the player's right is the image's left
  c.roll_deg = 0;
  c.azimuth_deg = 270;
  c.elevation_deg = 30;
  EXPECT_LT(film_with_camera(one_frame(100, 0), c, no_noise(), rng)[0][5][0].item<float>(), 500);
}

TEST(CameraRig, JitterScalesWithTheHandInTheImage) {
  // the same hand near and far: keypoint noise in pixels over hand size in pixels is the same
  TrackingNoise noise = no_noise();
  noise.keypoint_jitter = 0.02;
  torch::Tensor k = one_frame(0, -90).repeat({2000, 1, 1});  // a 90-mm hand, still
  std::vector<double> relative;
  for (double distance : {300.0, 900.0}) {
    CameraSetup c;
    c.azimuth_deg = 90;
    c.elevation_deg = 85;
    c.distance_mm = distance;
    std::mt19937_64 rng(7);
    const torch::Tensor img = film_with_camera(k, c, noise, rng).to(torch::kDouble);
    const torch::Tensor hand = (img.select(1, 9).narrow(1, 0, 2) - img.select(1, 0).narrow(1, 0, 2)).norm(2, 1).mean();
    relative.push_back(img.select(1, 5).select(1, 0).std().item<double>() / hand.item<double>());
  }
  EXPECT_NEAR(relative[0], 0.02, 0.002);
  EXPECT_NEAR(relative[1], 0.02, 0.002);
}

TEST(CameraRig, LostFramesKeepTheLastCoordinatesWithConfidenceZero) {
  TrackingNoise noise = no_noise();
  noise.loss_start = 0.05;
  CameraSetup c;
  std::mt19937_64 rng(3);
  torch::Tensor k = torch::zeros({600, 21, 3}, torch::kDouble);
  k.select(2, 0).copy_(torch::arange(600, torch::kDouble).unsqueeze(1) * 0.1);  // moving right
  const torch::Tensor img = film_with_camera(k, c, noise, rng);
  int lost = 0;
  for (int64_t i = 1; i < 600; ++i) {
    if (img[i][0][2].item<float>() == 0) {
      ++lost;
      EXPECT_EQ(img[i][0][0].item<float>(), img[i - 1][0][0].item<float>());
    }
  }
  EXPECT_GT(lost, 10);
  EXPECT_LT(lost, 300);
}

SynthOptions varied(double seconds) {
  SynthOptions o;
  o.pianists = 6;
  o.tasks = 3;
  o.takes = 2;
  o.seconds = seconds;
  o.cameras = "varied";
  return o;
}

TEST(CameraRig, VariedCorpusDrawsOneCameraPerPerformanceDeterministically) {
  const SynthOptions o = varied(4);
  const Pianist p = Pianist::sample(2, o.seed);
  const Performance a = generate_performance(o, p, {1, 1, 1, 1, 1, 1}, 2, 1);
  const Performance b = generate_performance(o, p, {1, 1, 1, 1, 1, 1}, 2, 1);
  const Performance other = generate_performance(o, p, {1, 1, 1, 1, 1, 1}, 2, 2);
  EXPECT_TRUE(torch::equal(a.pose_top, b.pose_top));
  EXPECT_EQ(a.meta.at("camera_top"), b.meta.at("camera_top"));
  EXPECT_NE(a.meta.at("camera_top"), other.meta.at("camera_top"));
  // the right camera and everything else are those of the fixed-camera corpus
  SynthOptions fixed = o;
  fixed.cameras = "fixed";
  const Performance f = generate_performance(fixed, p, {1, 1, 1, 1, 1, 1}, 2, 1);
  EXPECT_TRUE(torch::equal(a.pose_right, f.pose_right));
  EXPECT_TRUE(torch::equal(a.emg, f.emg));
  EXPECT_FALSE(torch::equal(a.pose_top, f.pose_top));
  EXPECT_FALSE(f.meta.contains("camera_top"));
  // the hand is in view most of the time
  EXPECT_GT(a.pose_top.select(2, 2).gt(0).to(torch::kDouble).mean().item<double>(), 0.5);
}

TEST(CameraRig, CamerasCoverTheFamiliesSizesAndBothHands) {
  SynthOptions o = varied(2);
  o.pianists = 12;
  o.tasks = 7;
  std::set<std::string> families;
  std::set<int> widths;
  int mirrored = 0, total = 0;
  for (int pianist = 1; pianist <= o.pianists; ++pianist) {
    for (int task = 1; task <= o.tasks; ++task) {
      const Performance perf = generate_performance(o, Pianist::sample(pianist, o.seed), {1, 1, 1, 1, 1, 1}, task, 1);
      const auto& cam = perf.meta.at("camera_top");
      families.insert(cam.at("family").get<std::string>());
      widths.insert(cam.at("width").get<int>());
      mirrored += cam.at("mirrored").get<bool>();
      ++total;
      EXPECT_EQ(cam.at("family").get<std::string>(), camera_family_name(camera_family(o.seed, task, pianist, 1)));
    }
  }
  EXPECT_EQ(families.size(), static_cast<size_t>(kCameraFamilies));
  EXPECT_EQ(widths, (std::set<int>{640, 960, 1280, 1920}));
  EXPECT_GT(mirrored, total / 4);
  EXPECT_LT(mirrored, 3 * total / 4);
}

TEST(CameraRig, HeldOutSplitKeepsOneCameraFamilyOutOfTraining) {
  SynthOptions o = varied(2);
  o.pianists = 10;
  o.tasks = 7;
  o.takes = 3;
  const nlohmann::json split = held_out_split(o);
  ASSERT_TRUE(split.contains("test_cross_camera"));
  const int unseen = held_out_camera_family(o.seed);
  EXPECT_EQ(split.at("held_out_cameras"), nlohmann::json::array({camera_family_name(unseen)}));
  auto family_of = [&](const std::string& file) {
    int task = 0, pianist = 0, take = 0;
    EXPECT_EQ(std::sscanf(file.c_str(), "t%d_p%d_%d.pkl", &task, &pianist, &take), 3) << file;
    return camera_family(o.seed, task, pianist, take);
  };
  ASSERT_GT(split.at("test_cross_camera").size(), 5u);
  for (const auto& f : split.at("test_cross_camera")) EXPECT_EQ(family_of(f), unseen);
  for (const char* set : {"train", "val", "test_cross_user", "test_cross_task"})
    for (const auto& f : split.at(set)) EXPECT_NE(family_of(f), unseen) << set << " " << f;
  // the fixed-camera corpus's split is unchanged: no camera set
  o.cameras = "fixed";
  EXPECT_FALSE(held_out_split(o).contains("test_cross_camera"));
  o.only_set = "held_out:held_out_cameras";
  EXPECT_THROW(o.check(), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm::synth
