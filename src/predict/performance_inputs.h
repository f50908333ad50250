#pragma once
// One performance's inputs as a user gives them (keypoint files, arrays or videos per view;
// keystrokes as a key-depth file, an array or MIDI) and how they become the streams a model reads.
// The command line (predict, batch) and the Python module read their inputs through here.
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/performance.h"
#include "model/model_config.h"

namespace pianokpm {

// A view that was tracked from a video, as facts for the caller to tell (the library logs nothing).
struct TrackedVideo {
  std::string path;
  int view = 0;  // 0 top, 1 right
  int64_t source_frames = 0, frames_with_hand = 0;
  torch::Tensor source_keypoints;  // [source_frames, 21, 3] pixels and confidence, one row per video frame
};

struct PerformanceInputs {
  std::string pose_top, pose_right;  // keypoint files [T, 21, C>=2] at the model's pose rate, or .c3d markers
  std::string c3d_markers;           // mapping file for .c3d views (data/c3d_pose.h)
  // Or keypoints already in memory, [T, 21, C>=2] (Python), used in place of the files.
  torch::Tensor pose_top_array, pose_right_array;
  // Or videos (or image folders), tracked with MediaPipe Hands at the model's pose rate and put in
  // its units (pixel_to_model_units); builds without OpenCV refuse them (InputError).
  std::string video_top, video_right;
  std::string keys, midi;           // key depth [N, 88] at the EMG rate (or MIDI by extension), or a MIDI file
  torch::Tensor keys_array;         // or key depth [N, 88] already in memory (Python)
  std::string hand = "right";       // hand to track in videos: right, left or any
  std::string pose_model = "full";  // MediaPipe model size for videos: full or lite
  std::string device = "cpu";       // where tracking runs
  std::string mediapipe_dir;        // MediaPipe Hands' .tflite files (the caller's installed folder)
  // Per tracked video: (frames done, frames total or -1), and once tracked, before its hand is
  // checked (pose::require_hand_found), what was found. Empty: silent.
  std::function<void(int64_t done, int64_t total)> on_track_progress;
  std::function<void(const TrackedVideo&)> on_tracked;
  // What messages call the inputs: the command line's options, or the Python call's arguments.
  std::string pose_top_option = "--pose-top", pose_right_option = "--pose-right", keys_option = "--keys";
  std::string video_top_option = "--video-top", video_right_option = "--video-right";
  std::string hand_setting = "--hand {}";  // how to choose the side, {} the side (pose::require_hand_found)
  // false (the command line): streams the model does not read are ignored, and only the views it
  // reads are used. true (Python): giving any of them is an InputError.
  bool strict = false;

  bool has_top() const { return !pose_top.empty() || pose_top_array.defined() || !video_top.empty(); }
  bool has_right() const { return !pose_right.empty() || pose_right_array.defined() || !video_right.empty(); }
  bool has_keys() const { return !keys.empty() || !midi.empty() || keys_array.defined(); }
};

struct AssembledInputs {
  PerformanceStreams streams;        // as load_performance returns them for the model
  std::vector<TrackedVideo> videos;  // the views that were videos, top first
};

// Reads (and for videos, tracks) what config.modality needs, checked as load_performance does.
// Every problem is an InputError naming the file or the option.
AssembledInputs read_performance_inputs(const PerformanceInputs& inputs, const ModelConfig& config);

// The pose stream alone [T, views * keypoints * 2] (keystrokes left out), for familiarity scores;
// an InputError for a model that reads no pose.
torch::Tensor read_pose_stream(const PerformanceInputs& inputs, const ModelConfig& config);

// The keystrokes given, as key depth [N, num_keys] at the layout's EMG rate: the ones the model
// read (streams.keys), else those given to a model that reads none (MIDI rendered over
// `duration_s`), for analysis and events; undefined when none were given.
torch::Tensor given_keys(const PerformanceInputs& inputs, const PerformanceStreams& streams, const StreamLayout& layout,
                         double duration_s);

// The shipped model (trained on synthetic data, in `models_dir`) that reads what was given: top
// view only, with or without keys (the many-camera, hand-frame models), or both views with keys.
std::string default_model_for(const PerformanceInputs& inputs, const std::string& models_dir);
// The same by what is given (file name only): also live's default.
std::string default_model_name(bool two_views, bool keys);

}  // namespace pianokpm
