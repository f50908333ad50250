#pragma once
// PoseTrack: one hand's keypoints over time (image pixels and a confidence per frame; confidence 0
// where no hand was found), and its resampling to the fixed rate the EMG model reads.
#include <torch/torch.h>

#include <vector>

#include "pose/hand_geometry.h"

namespace pianokpm::pose {

struct PoseTrack {
  std::vector<double> times_s;
  std::vector<std::array<float, kHandLandmarks * 3>> frames;  // x0, y0, c0, x1, y1, c1, ... (pixels)
  void add(double time_s, const std::array<float, kHandLandmarks * 3>& frame);
  // [T, 21, 3] float32.
  torch::Tensor to_tensor() const;
};

// Samples at k / rate_hz for every k with k / rate_hz within the track's time span. Between two
// frames with a hand the keypoints are interpolated linearly (confidence: the smaller one); next to
// a frame without one, the nearer frame is taken as it is. A single frame stays a single frame.
PoseTrack resample(const PoseTrack& track, double rate_hz);

}  // namespace pianokpm::pose
