#include "synth/camera_rig.h"

#include <cmath>
#include <stdexcept>

#include "synth/hand_model.h"

namespace pianokpm::synth {

namespace {

struct Range {
  double low, high;
};

// Where each family puts the camera: azimuth and elevation (degrees), distance (mm).
struct Family {
  const char* name;
  Range azimuth, elevation, distance;
};
constexpr Family kFamilies[kCameraFamilies] = {
    {"overhead", {0, 360}, {72, 88}, {450, 900}},         // a phone or camera on a boom above the keys
    {"player", {60, 120}, {45, 72}, {400, 800}},          // over the player's shoulder
    {"music_stand", {240, 300}, {25, 55}, {350, 700}},    // a laptop or webcam facing the player
    {"right_side", {-35, 35}, {30, 65}, {400, 900}},      // beside the keyboard's right end
    {"left_side", {145, 215}, {30, 65}, {400, 900}},      // beside its left end
    {"left_shoulder", {120, 160}, {40, 70}, {400, 800}},  // between the player and the left side
};
constexpr std::array<std::array<int, 2>, 4> kImageSizes = {{{640, 480}, {960, 720}, {1280, 720}, {1920, 1080}}};
constexpr Range kFocalPerWidth = {0.7, 1.5};  // horizontal field of view about 37-71 degrees
constexpr Range kRollDeg = {-20, 20};
constexpr Range kTargetShiftMm = {-60, 60};  // framing is not exact
constexpr double kMirroredShare = 0.5;       // left hands
constexpr double kNearestDepthMm = 50;       // closer than this the tracker sees nothing

double draw(const Range& r, std::mt19937_64& rng) { return std::uniform_real_distribution<double>(r.low, r.high)(rng); }

using Vec = std::array<double, 3>;
Vec cross(const Vec& a, const Vec& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Vec& a, const Vec& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec scaled(const Vec& a, double s) { return {a[0] * s, a[1] * s, a[2] * s}; }
Vec sum(const Vec& a, const Vec& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }

// Camera axes: right, down (image x, y) and forward, as world vectors.
struct Pose {
  Vec position, right, down, forward;
};

Pose camera_pose(const CameraSetup& c) {
  const double az = c.azimuth_deg * M_PI / 180, el = c.elevation_deg * M_PI / 180, roll = c.roll_deg * M_PI / 180;
  const Vec towards_camera = {std::cos(el) * std::cos(az), std::cos(el) * std::sin(az), std::sin(el)};
  Pose p;
  p.position = sum(c.target_mm, scaled(towards_camera, c.distance_mm));
  p.forward = scaled(towards_camera, -1);
  // Image "down" is world down as the camera sees it (-Z without its forward part); straight down,
  // the side the camera stands on, so the player is at the bottom of an overhead view from them.
  const Vec down = {std::sin(el) * std::cos(az), std::sin(el) * std::sin(az), -std::cos(el)};
  // The keyboard frame (X to the player's right, Y towards the player, Z up) is left-handed, so
  // forward x down (not down x forward) is the image's right.
  const Vec right = cross(p.forward, down);
  p.down = sum(scaled(down, std::cos(roll)), scaled(right, -std::sin(roll)));
  p.right = sum(scaled(right, std::cos(roll)), scaled(down, std::sin(roll)));
  return p;
}

}  // namespace

const char* camera_family_name(int family) {
  if (family < 0 || family >= kCameraFamilies)
    throw std::invalid_argument("camera family must be 0.." + std::to_string(kCameraFamilies - 1));
  return kFamilies[family].name;
}

nlohmann::json CameraSetup::to_json() const {
  return {{"family", camera_family_name(family)},
          {"target_mm", target_mm},
          {"azimuth_deg", azimuth_deg},
          {"elevation_deg", elevation_deg},
          {"roll_deg", roll_deg},
          {"distance_mm", distance_mm},
          {"focal_px", focal_px},
          {"width", width},
          {"height", height},
          {"mirrored", mirrored}};
}

std::array<double, 3> hand_centre(const torch::Tensor& keypoints_3d) {
  const torch::Tensor centre = keypoints_3d.to(torch::kDouble).reshape({-1, 3}).mean(0);
  return {centre[0].item<double>(), centre[1].item<double>(), centre[2].item<double>()};
}

CameraSetup draw_camera(int family, const std::array<double, 3>& hand_centre_mm, std::mt19937_64& rng) {
  const Family& f = kFamilies[family];
  (void)camera_family_name(family);  // range check
  CameraSetup c;
  c.family = family;
  c.azimuth_deg = draw(f.azimuth, rng);
  c.elevation_deg = draw(f.elevation, rng);
  c.distance_mm = draw(f.distance, rng);
  c.roll_deg = draw(kRollDeg, rng);
  const auto& size = kImageSizes[std::uniform_int_distribution<size_t>(0, kImageSizes.size() - 1)(rng)];
  c.width = size[0];
  c.height = size[1];
  c.focal_px = draw(kFocalPerWidth, rng) * c.width;
  c.target_mm = {hand_centre_mm[0] + draw(kTargetShiftMm, rng), hand_centre_mm[1] + draw(kTargetShiftMm, rng) / 2,
                 hand_centre_mm[2]};
  c.mirrored = std::uniform_real_distribution<double>(0, 1)(rng) < kMirroredShare;
  return c;
}

void TrackingNoise::check() const {
  auto require = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("tracking noise: ") + what);
  };
  require(keypoint_jitter >= 0 && hand_jitter >= 0 && outlier_shift >= 0, "jitters and outlier_shift must be >= 0");
  require(loss_start >= 0 && loss_start < 1 && outlier_rate >= 0 && outlier_rate < 1, "rates must be 0..1");
  require(max_loss_frames >= 1, "max_loss_frames must be >= 1");
}

torch::Tensor film_with_camera(const torch::Tensor& keypoints_3d, const CameraSetup& camera, const TrackingNoise& noise,
                               std::mt19937_64& rng) {
  noise.check();
  const Pose pose = camera_pose(camera);
  const int64_t frames = keypoints_3d.size(0);
  auto k3 = keypoints_3d.accessor<double, 3>();
  torch::Tensor out = torch::empty({frames, kNumKeypoints, 3});
  auto a = out.accessor<float, 3>();
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_real_distribution<double> unit_draw(0.0, 1.0);
  int lost_left = 0;
  std::array<std::array<double, 2>, kNumKeypoints> px{};
  for (int64_t i = 0; i < frames; ++i) {
    if (lost_left == 0 && unit_draw(rng) < noise.loss_start)
      lost_left = 1 + static_cast<int>(unit_draw(rng) * noise.max_loss_frames);
    bool lost = lost_left > 0;
    if (lost_left > 0) --lost_left;
    const double confidence = 0.85 + 0.15 * unit_draw(rng);
    const bool outlier = unit_draw(rng) < noise.outlier_rate;
    const double outlier_angle = 2 * M_PI * unit_draw(rng), outlier_size = noise.outlier_shift * unit_draw(rng);
    const double shared_x = gauss(rng), shared_y = gauss(rng);
    for (int k = 0; k < kNumKeypoints; ++k) {
      const Vec rel = {k3[i][k][0] - pose.position[0], k3[i][k][1] - pose.position[1], k3[i][k][2] - pose.position[2]};
      const double depth = dot(rel, pose.forward);
      if (depth < kNearestDepthMm) lost = true;
      double u = camera.width / 2.0 + camera.focal_px * dot(rel, pose.right) / depth;
      const double v = camera.height / 2.0 + camera.focal_px * dot(rel, pose.down) / depth;
      if (camera.mirrored) u = camera.width - u;
      px[k] = {u, v};
    }
    const double wrist_u = px[0][0], wrist_v = px[0][1];
    if (wrist_u < 0 || wrist_u >= camera.width || wrist_v < 0 || wrist_v >= camera.height) lost = true;
    if (lost && i > 0) {  // keep the last coordinates, confidence 0
      for (int k = 0; k < kNumKeypoints; ++k) {
        a[i][k][0] = a[i - 1][k][0];
        a[i][k][1] = a[i - 1][k][1];
        a[i][k][2] = 0.0f;
      }
      continue;
    }
    const double hand_px = std::hypot(px[9][0] - px[0][0], px[9][1] - px[0][1]);
    const double offset_x = hand_px * (noise.hand_jitter * shared_x + (outlier ? outlier_size * std::cos(outlier_angle) : 0));
    const double offset_y = hand_px * (noise.hand_jitter * shared_y + (outlier ? outlier_size * std::sin(outlier_angle) : 0));
    for (int k = 0; k < kNumKeypoints; ++k) {
      a[i][k][0] = static_cast<float>(px[k][0] + offset_x + hand_px * noise.keypoint_jitter * gauss(rng));
      a[i][k][1] = static_cast<float>(px[k][1] + offset_y + hand_px * noise.keypoint_jitter * gauss(rng));
      a[i][k][2] = static_cast<float>(lost ? 0.0 : confidence);
    }
  }
  return out;
}

}  // namespace pianokpm::synth
