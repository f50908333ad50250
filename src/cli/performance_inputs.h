#pragma once
// What one performance's inputs are on the command line or in a batch manifest (keypoint files or
// videos per view, keystrokes as an array or MIDI), and how they become the model's streams.
#include <torch/torch.h>

#include <string>

#include "data/performance.h"
#include "model/model_config.h"

namespace pianokpm {

struct PerformanceInputs {
  std::string pose_top, pose_right;    // keypoint files, [T, 21, C>=2] at 60 fps
  std::string video_top, video_right;  // or videos, tracked with MediaPipe Hands
  std::string keys, midi;              // key depth [N, 88] at 1024 Hz (or MIDI), or a MIDI file
  std::string hand = "right";          // hand to track in videos: right, left or any
  std::string pose_model = "full";     // MediaPipe model size for videos
  std::string device = "cpu";          // where tracking runs
  bool quiet = false;                  // no progress bar or per-video log line (batch)

  bool has_right() const { return !pose_right.empty() || !video_right.empty(); }
  bool has_keys() const { return !keys.empty() || !midi.empty(); }
};

// The shipped model (trained on synthetic data) that reads what was given: top view only without
// keys (the many-camera, hand-frame model), top view with keys, or both views with keys.
std::string default_model_for(const PerformanceInputs& in);

// Reads (and for videos, tracks) what `config.modality` needs, checked as load_performance does.
// `top_video_keypoints`, when given, receives the top video's tracked hand at the video's own
// frames (for the overlay); it stays undefined for keypoint files.
PerformanceStreams load_performance_inputs(const PerformanceInputs& in, const ModelConfig& config,
                                           torch::Tensor* top_video_keypoints = nullptr);

}  // namespace pianokpm
