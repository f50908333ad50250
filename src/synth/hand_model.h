#pragma once
// The right hand's 21 MediaPipe keypoints in 3D (keyboard millimetres) following the score, and
// their images in a camera above the keyboard and one at its right side, with detector noise and
// dropped frames.
#include <torch/torch.h>

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

// [T, 21, 3] float64 keypoints (X, Y, Z mm) at `rate_hz`, T = round(seconds * rate_hz).
torch::Tensor hand_keypoints_3d(const Score& score, const Pianist& pianist, double seconds, double rate_hz);

// Projects into both cameras (1280 x 720 images), adds detector noise, drops occasional frames
// (confidence 0, coordinates held from the last detection).
CameraImages film_hand(const torch::Tensor& keypoints_3d, std::mt19937_64& rng);

}  // namespace pianokpm::synth
