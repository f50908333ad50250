#pragma once
// The right hand's 21 MediaPipe keypoints in 3D (keyboard millimetres) following the score, and
// their images in a camera above the keyboard and one at its right side, with detector noise and
// dropped frames.
#include <torch/torch.h>

#include <array>
#include <random>

#include "core/stream_layout.h"
#include "synth/pianist.h"
#include "synth/score.h"

namespace pianokpm::synth {

constexpr int kNumKeypoints = kReleaseLayout.num_keypoints;  // MediaPipe hand keypoints

struct CameraImages {
  torch::Tensor top;    // [T, 21, 3] float32: x, y pixels and confidence
  torch::Tensor right;  // [T, 21, 3]
};

// How each finger's joints lie between its base (the thumb's CMC joint, the others' knuckle) and
// its tip, and where the hand sits.
enum class FingerShape {
  // Simulators 1 and 2: the palm 40 mm above the keys, joints on the base -> tip line bowed upwards
  // by the slack of the finger's length (the knuckle extended, the finger arched).
  kBowed,
  // Simulator 3: a pianist's curved finger, the palm level and 80 mm above the keys (scaled with the
  // hand). Each finger bends in the vertical plane through its base and tip: PIP flexion p,
  // DIP flexion 2/3 p (the tendons couple them), and the MCP flexion that puts the tip where it
  // must be; p is the one that makes the base -> tip distance right. Flexion is towards the palm,
  // so a fingertip pressed further down flexes its knuckle further, as a real finger does.
  kCurved,
};

// The shape simulator `simulator` (1..3) gives its hands.
inline FingerShape finger_shape(int simulator) { return simulator >= 3 ? FingerShape::kCurved : FingerShape::kBowed; }

// [T, 21, 3] float64 keypoints (X, Y, Z mm) at `rate_hz`, T = round(seconds * rate_hz).
torch::Tensor hand_keypoints_3d(const Score& score, const Pianist& pianist, double seconds, double rate_hz,
                                FingerShape shape = FingerShape::kBowed);

// The joints of one curved finger (FingerShape::kCurved), base first, tip last, each in mm:
// segment lengths are `length` times 0.42, 0.30 and 0.28 (kJointFraction's steps). A tip beyond
// reach straightens the finger towards it; one too close curls it fully (PIP 1.9 rad).
std::array<std::array<double, 3>, 4> curved_finger(const std::array<double, 3>& base, const std::array<double, 3>& tip,
                                                   double length);

// Projects into both cameras (1280 x 720 images), adds detector noise, drops occasional frames
// (confidence 0, coordinates held from the last detection).
CameraImages film_hand(const torch::Tensor& keypoints_3d, std::mt19937_64& rng);

}  // namespace pianokpm::synth
