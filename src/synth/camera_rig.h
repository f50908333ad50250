#pragma once
// The cameras people film their hand with: a phone overhead, a webcam on the music stand, a
// laptop beside the keyboard. `synth --cameras varied` films each performance's top view with
// one drawn here instead of the fixed top camera, with tracking noise like MediaPipe Hands'.
//
// World frame (keyboard millimetres, synth/keyboard.h): X along the keyboard to the right, Y
// towards the player, Z up. A camera looks at a target near the hand from `distance_mm` at
// `elevation_deg` above the keyboard plane (90: straight down) and from `azimuth_deg` around it
// (0: from the right end of the keyboard, 90: from the player, 270: from the music stand), turned
// by `roll_deg` about its axis. A mirrored camera flips its image left to right: how a left hand
// looks to a model that reads one hand at a time.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>

namespace pianokpm::synth {

// Families of placements; test_cross_camera holds one out of training (synth/corpus.h).
inline constexpr int kCameraFamilies = 6;
const char* camera_family_name(int family);  // "overhead", "player", "music_stand", ...

struct CameraSetup {
  int family = 0;
  std::array<double, 3> target_mm{};  // the point the camera looks at
  double azimuth_deg = 90, elevation_deg = 90, roll_deg = 0, distance_mm = 700;
  double focal_px = 1100;
  int width = 1280, height = 720;
  bool mirrored = false;

  nlohmann::json to_json() const;
};

// Where people aim their camera: the hand's mean position over keypoints_3d [T, 21, 3] (mm).
std::array<double, 3> hand_centre(const torch::Tensor& keypoints_3d);

// Ranges of each family's placements and the image sizes, focal lengths and mirroring shared by
// all of them (camera_rig.cpp); deterministic in `rng`. `hand_centre_mm` is the hand's mean position
// over the performance: people frame their camera on where they play.
CameraSetup draw_camera(int family, const std::array<double, 3>& hand_centre_mm, std::mt19937_64& rng);

// Tracking noise like MediaPipe Hands' on a real camera, in units of the hand's size in the image
// (wrist to middle-finger MCP, pixels), so a small hand in a wide shot is as noisy as in life.
struct TrackingNoise {
  double keypoint_jitter = 0.02;  // independent per keypoint and frame, sd
  double hand_jitter = 0.01;      // shared by the whole hand in a frame, sd
  double loss_start = 0.004;      // per frame: the tracker loses the hand for 1..max_loss_frames
  int max_loss_frames = 8;
  double outlier_rate = 0.002;  // per frame: the whole hand lands up to outlier_shift hand sizes off
  double outlier_shift = 0.6;

  void check() const;  // throws std::invalid_argument naming the bad field
};

// [T, 21, 3] float64 keypoints (mm) -> [T, 21, 3] float32 pixels and confidence in `camera`.
// Frames the tracker lost, and frames whose wrist is outside the image or behind the camera,
// keep the last coordinates with confidence 0 (as the fixed cameras' dropouts do).
torch::Tensor film_with_camera(const torch::Tensor& keypoints_3d, const CameraSetup& camera, const TrackingNoise& noise,
                               std::mt19937_64& rng);

}  // namespace pianokpm::synth
