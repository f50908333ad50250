#pragma once
// Hand keypoints for the model tests: the synthetic fixture hand, and the same keypoints as another
// camera would see them (moved, scaled, turned in the image plane, mirrored).
#include <torch/torch.h>

#include <cmath>

#include "io/array_file.h"
#include "test_support.h"

namespace pianokpm::testing {

// A synthetic right hand filmed from above (tests/fixtures/hands/README.md), frames
// [first, first + frames) as pose [1, 42, frames] float32 pixels, x, y keypoint-major.
inline torch::Tensor synthetic_top_view_hand(int64_t first_frame, int64_t frames) {
  const torch::Tensor pose = read_array(fixture("hands/synthetic_top_view.npy"));  // [180, 42]
  return pose.to(torch::kFloat).narrow(0, first_frame, frames).t().unsqueeze(0).contiguous();
}

// pose [B, 42k, F] with every view's (x, y) mapped by x' = s R (x or mirrored x) + t, in float64
// (mirrored about the middle of a 1280-pixel-wide image).
inline torch::Tensor moved(const torch::Tensor& pose, double scale, double degrees, double tx, double ty, bool mirror) {
  const torch::Tensor p = pose.to(torch::kDouble);
  torch::Tensor out = p.clone();
  const double a = degrees * M_PI / 180;
  for (int64_t c = 0; c < p.size(1); c += 2) {
    torch::Tensor px = p.select(1, c), py = p.select(1, c + 1);
    if (mirror) px = 1280.0 - px;
    out.select(1, c).copy_(scale * (std::cos(a) * px - std::sin(a) * py) + tx);
    out.select(1, c + 1).copy_(scale * (std::sin(a) * px + std::cos(a) * py) + ty);
  }
  return out;
}

}  // namespace pianokpm::testing
