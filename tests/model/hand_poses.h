#pragma once
// Hand keypoints for the model tests: the synthetic fixture hand, and the same keypoints as another
// camera would see them (moved, scaled, turned in the image plane, mirrored, foreshortened).
#include <torch/torch.h>

#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

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

// pose [B, 42, F] (one view) as a camera in front of the hand sees it, roughly: each frame's
// keypoints squashed towards the wrist along the wrist -> middle knuckle line by `factor` (what
// tilting the palm by acos(factor) from the image does to lengths along that line), in float32.
inline torch::Tensor foreshortened_along_palm(const torch::Tensor& pose, double factor) {
  torch::Tensor out = pose.to(torch::kDouble).clone();
  auto a = out.accessor<double, 3>();
  for (int64_t b = 0; b < out.size(0); ++b)
    for (int64_t f = 0; f < out.size(2); ++f) {
      const double wx = a[b][0][f], wy = a[b][1][f], ux0 = a[b][18][f] - wx, uy0 = a[b][19][f] - wy;
      const double norm = std::hypot(ux0, uy0), ux = ux0 / norm, uy = uy0 / norm;
      for (int k = 0; k < 21; ++k) {
        const double dx = a[b][2 * k][f] - wx, dy = a[b][2 * k + 1][f] - wy, along = dx * ux + dy * uy;
        a[b][2 * k][f] = wx + dx - (1 - factor) * along * ux;
        a[b][2 * k + 1][f] = wy + dy - (1 - factor) * along * uy;
      }
    }
  return out.to(torch::kFloat);
}

// A real hand from above: frames 60-119 of the index finger's sideways swing in
// tests/fixtures/hands/finger_moves.npy (below), as pose [1, 42, 60] float32 pixels.
inline torch::Tensor real_hand_window() {
  const torch::Tensor moves = read_array(fixture("hands/finger_moves.npy")).to(torch::kFloat);  // [11, 179, 42]
  return moves[1].narrow(0, 60, 60).t().unsqueeze(0).contiguous();
}

// A real hand (tests/fixtures/hands/open_back.jpg) moving one finger at a time, as MediaPipe
// tracked the warped photographs (tools/finger_moves/, docs/anatomy.md): per move [179, 42] pixels
// at 60 Hz, still for 1 s, moving over 0.3 s, then held. For each move, whether the muscle anatomy
// names rose most (mean over 1.6-3 s less mean over 0-0.8 s) under `predict_window` (pose
// [1, 42, window] float64 -> EMG [1, 6, window samples] at emg_rate_hz), fed whole windows as
// predict cuts them (the last one padded with the last frame). Prints each move's top muscle.
struct FingerMoveHits {
  int sideways = 0, presses = 0;  // of 6 and 5
};
template <class PredictWindow>
FingerMoveHits finger_move_hits(int64_t window, int64_t emg_rate_hz, PredictWindow predict_window) {
  const torch::Tensor moves = read_array(fixture("hands/finger_moves.npy")).to(torch::kDouble);  // [11, 179, 42]
  const auto listing = nlohmann::json::parse(read_bytes(fixture("hands/finger_moves.json")));
  FingerMoveHits hits;
  for (int64_t m = 0; m < moves.size(0); ++m) {
    torch::Tensor pose = moves[m].t();  // [42, frames]
    const int64_t frames = pose.size(1), windows = (frames + window - 1) / window;
    pose = torch::cat({pose, pose.narrow(1, frames - 1, 1).expand({42, windows * window - frames})}, 1);
    std::vector<torch::Tensor> parts;
    for (int64_t w = 0; w < windows; ++w) parts.push_back(predict_window(pose.narrow(1, w * window, window).unsqueeze(0))[0]);
    const torch::Tensor emg = torch::cat(parts, 1);  // [6, samples]
    const std::string name = listing[m]["move"], muscle = listing[m]["muscle"];
    const int64_t rate = emg_rate_hz;
    const torch::Tensor rise = emg.narrow(1, rate * 16 / 10, rate * 14 / 10).mean(1) - emg.narrow(1, 0, rate * 8 / 10).mean(1);
    const int top = static_cast<int>(rise.argmax().item<int64_t>());
    const char* const names[6] = {"ADM", "PB", "1DI", "2DI", "3DI", "4DI"};
    const bool named = muscle.find(names[top]) != std::string::npos;
    std::cout << name << ": " << names[top] << " rose most (anatomy: " << muscle << ")\n";
    (name.rfind("swing", 0) == 0 ? hits.sideways : hits.presses) += named ? 1 : 0;
  }
  return hits;
}

}  // namespace pianokpm::testing
