#pragma once
// One performance's input streams, loaded from array files and checked: pose views at the pose
// rate ([T, 21, C>=2] per view, x and y used) and key depth at the keystroke rate ([N, 88]).
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/stream_layout.h"

namespace pianokpm {

struct PerformancePaths {
  std::vector<std::string> pose_views;  // top first; empty for keys-only models
  std::string keys;                     // empty when there is no keystroke record
  bool keys_from_midi = false;          // read `keys` as MIDI whatever its name (.mid/.midi always are)
  // Views already in memory ([T, keypoints, C>=2], e.g. tracked from video), used in place of the
  // files; `pose_views` then only names them in messages.
  std::vector<torch::Tensor> pose_view_arrays;
  // Key depth already in memory ([N, num_keys]), used in place of the file; `keys` then only names
  // it in messages.
  torch::Tensor keys_array;
  // What messages call the inputs when they are missing: the command line's options, or the
  // arguments of the Python call.
  std::string pose_views_option = "--pose-top/--pose-right";
  std::string keys_option = "--keys";
};

struct PerformanceStreams {
  torch::Tensor pose;  // [T, views * keypoints * 2] float32, keypoint-major (k0.x, k0.y, ...); or undefined
  torch::Tensor keys;  // [N, num_keys] float32; or undefined
};

// Reads one camera view as stored (.pkl, .npy, .csv, .json): [T, keypoints, C>=2] float32, checked.
torch::Tensor read_pose_array(const std::string& path, const StreamLayout& layout);
// Reads one camera view: [T, keypoints, C>=2] -> [T, keypoints * 2] float32 (x, y).
torch::Tensor load_pose_view(const std::string& path, const StreamLayout& layout);
// Reads key depth: [N, num_keys] float32, from an array file or a MIDI file (.mid/.midi, rendered
// at the keystroke rate over `duration_s`, or up to its last event when 0). A MIDI file whose notes
// end more than one window after `duration_s` is an InputError; one that ends earlier is padded.
torch::Tensor load_keys(const std::string& path, const StreamLayout& layout, double duration_s = 0.0, bool from_midi = false);

// Loads what `config.modality` needs and checks shapes, finiteness and that the streams agree in
// duration within one window. Every problem is an InputError naming the file.
PerformanceStreams load_performance(const PerformancePaths& paths, const StreamLayout& layout);

}  // namespace pianokpm
