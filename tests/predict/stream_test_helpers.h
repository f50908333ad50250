#pragma once
// What the stream predictor's tests share (tests/predict/stream_predictor_test.cpp and
// tests/live/live_keys_test.cpp): a small one-view model, a hand moving smoothly, the rows a
// stream gives for it, and offline predict on the same keypoints.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

#include "data/performance.h"
#include "data/windowing.h"
#include "pose/pose_track.h"
#include "predict/predictor.h"
#include "predict/stream_predictor.h"

namespace pianokpm::stream_testing {

inline constexpr int kWidth = 1280, kHeight = 720;

inline ModelConfig small_config(Modality modality) {
  ModelConfig c;
  c.modality = modality;
  c.num_views = 1;
  c.pose.scale = {1.0 / kWidth, 1.0 / kHeight};
  c.options = {{"hidden_channels", 16}, {"tds_channels", 4}, {"tds_width", 4}, {"decoder_hidden", 16}};
  return c;
}

// A hand moving smoothly: [frames, 21, 3] in pixels with confidence 1, frame k at k / fps.
inline torch::Tensor moving_hand(int64_t frames, double fps) {
  torch::Tensor kp = torch::empty({frames, 21, 3});
  auto a = kp.accessor<float, 3>();
  for (int64_t f = 0; f < frames; ++f) {
    const double t = static_cast<double>(f) / fps;
    for (int k = 0; k < 21; ++k) {
      a[f][k][0] = static_cast<float>(400 + 15 * k + 120 * std::sin(2.1 * t + 0.3 * k));
      a[f][k][1] = static_cast<float>(300 + 8 * k + 60 * std::cos(3.3 * t + 0.2 * k));
      a[f][k][2] = 1.0f;
    }
  }
  return kp;
}

inline std::array<float, 63> frame_of(const torch::Tensor& kp, int64_t f) {
  std::array<float, 63> out{};
  std::memcpy(out.data(), kp[f].contiguous().data_ptr<float>(), sizeof(out));
  return out;
}

// All rows a stream gives for `kp` at `fps`, stepping after every frame and flushing at the end.
inline torch::Tensor stream_all(StreamPredictor& sp, const torch::Tensor& kp, double fps,
                                std::vector<EmgChunk>* chunks = nullptr) {
  std::vector<torch::Tensor> parts;
  int64_t next = 0;
  auto take = [&](std::optional<EmgChunk> c) {
    if (!c) return;
    EXPECT_EQ(c->first_sample, next) << "rows must follow on without gaps or repeats";
    for (size_t r = 0; r < c->times_s.size(); ++r)
      EXPECT_DOUBLE_EQ(c->times_s[r], static_cast<double>(c->first_sample + static_cast<int64_t>(r)) / 1024);
    next = c->first_sample + c->emg.size(0);
    parts.push_back(c->emg);
    if (chunks) chunks->push_back(*c);
  };
  for (int64_t f = 0; f < kp.size(0); ++f) {
    sp.add_frame(static_cast<double>(f) / fps, frame_of(kp, f), kWidth, kHeight);
    take(sp.step());
  }
  take(sp.step(true));
  return torch::cat(parts, 0);
}

// Offline predict on the same keypoints (and keys), resampled to 60 Hz as `pose` does.
inline torch::Tensor offline(EmgModel& net, const torch::Tensor& kp, double fps, const torch::Tensor& keys = {}) {
  pose::PoseTrack track;
  for (int64_t f = 0; f < kp.size(0); ++f) track.add(static_cast<double>(f) / fps, frame_of(kp, f));
  PerformanceStreams s;
  s.pose = pose::resample(track, 60).to_tensor().narrow(2, 0, 2).reshape({-1, 42}).contiguous();
  s.keys = keys;
  return predict_performance(net, PerformanceWindows(s, net->config()), {});
}

}  // namespace pianokpm::stream_testing
