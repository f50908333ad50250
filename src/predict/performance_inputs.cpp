#include "predict/performance_inputs.h"

#include "data/c3d_pose.h"
#include "io/file_names.h"

#include <utility>

#include "core/input_error.h"
#include "model/pose_front_end.h"
#ifdef PIANOKPM_HAVE_OPENCV
#include "pose/video_pose.h"
#endif

namespace pianokpm {

namespace {

// One camera view as given: a video, an array or a file; `option` names it in messages.
struct ViewInput {
  std::string file;
  torch::Tensor array;
  std::string video, option;
  bool given() const { return !file.empty() || array.defined() || !video.empty(); }
};

ViewInput view_input(const PerformanceInputs& in, int view) {
  return view == 0 ? ViewInput{in.pose_top, in.pose_top_array, in.video_top, in.pose_top_option}
                   : ViewInput{in.pose_right, in.pose_right_array, in.video_right, in.pose_right_option};
}

// Tracks the hand in a video at the pose rate, in the units the model was trained on
// (model/pose_front_end.h: pixel_to_model_units): [T, 21, 3].
torch::Tensor pose_from_video(const std::string& video, int view, const PerformanceInputs& in, const ModelConfig& c,
                              std::vector<TrackedVideo>& tracked) {
#ifdef PIANOKPM_HAVE_OPENCV
  pose::VideoPoseOptions vo;
  vo.tracker.model_dir = in.mediapipe_dir;
  vo.tracker.complexity = in.pose_model;
  vo.hand = in.hand;
  vo.rate_hz = c.pose_rate_hz;
  vo.device = in.device;
  const pose::VideoPose p = pose::extract_pose(video, vo, in.on_track_progress);
  TrackedVideo t;
  t.path = video;
  t.view = view;
  t.source_frames = p.source_frames;
  t.frames_with_hand = p.frames_with_hand;
  t.source_keypoints = p.source_keypoints;
  if (in.on_tracked) in.on_tracked(t);  // before the check, so that a video without the hand is told too
  pose::require_hand_found(video, p, in.hand, in.hand_setting);
  tracked.push_back(std::move(t));
  torch::Tensor k = p.keypoints.clone();
  const auto units = pixel_to_model_units(c, p.width, p.height);
  k.select(2, 0).mul_(units[0]);
  k.select(2, 1).mul_(units[1]);
  return k;
#else
  (void)view, (void)in, (void)c, (void)tracked;
  throw InputError(video, "this build has no OpenCV, so no video input (give keypoint files)");
#endif
}

// The views to read, top first, checked against what the model reads (`modality`, c.num_views).
std::vector<int> views_to_read(const PerformanceInputs& in, const ModelConfig& c, Modality modality) {
  std::vector<int> views;
  if (in.strict) {
    // Every view given is read; load_performance then refuses a count the model does not read.
    for (int v : {0, 1}) {
      const ViewInput view = view_input(in, v);
      if (!view.given()) continue;
      if (!uses_pose(modality)) throw InputError(view.option, "this keys-only model reads no pose");
      views.push_back(v);
    }
    if (uses_pose(modality) && !in.has_top()) throw InputError(in.pose_top_option, "this model needs the top view");
    if (in.has_keys() && !uses_keys(modality)) throw InputError(in.keys_option, "this pose model reads no keystrokes");
    return views;
  }
  if (!uses_pose(modality)) return views;
  if (!in.has_top())
    throw InputError(in.pose_top_option,
                     "this model needs the top view (" + in.pose_top_option + " or " + in.video_top_option + ")");
  views.push_back(0);
  if (c.num_views >= 2) {
    if (!in.has_right())
      throw InputError(in.pose_right_option, "this model reads two views: give " + in.pose_right_option + " or " +
                                                 in.video_right_option + ", or use a one-view model");
    views.push_back(1);
  }
  return views;
}

AssembledInputs assemble(const PerformanceInputs& in, const ModelConfig& c, Modality modality) {
  StreamLayout layout = c.layout();
  layout.modality = modality;
  const std::vector<int> views = views_to_read(in, c, modality);
  AssembledInputs out;
  PerformancePaths paths;
  paths.pose_views_option = in.pose_top_option + "/" + in.pose_right_option;
  paths.keys_option = in.keys_option;
  for (int v : views) {
    const ViewInput view = view_input(in, v);
    if (!view.video.empty()) {
      paths.pose_views.push_back(view.video);
      paths.pose_view_arrays.push_back(pose_from_video(view.video, v, in, c, out.videos));
    } else if (view.array.defined()) {
      paths.pose_views.push_back(view.option);
      paths.pose_view_arrays.push_back(view.array);
    } else if (lowercase_extension(view.file) == ".c3d") {
      paths.pose_views.push_back(view.file);
      paths.pose_view_arrays.push_back(read_c3d_pose(view.file, v, in.c3d_markers, c));
    } else {
      paths.pose_views.push_back(view.file);
      paths.pose_view_arrays.emplace_back();
    }
  }
  if (uses_keys(modality)) {
    if (in.keys_array.defined()) {
      paths.keys = in.keys_option;
      paths.keys_array = in.keys_array;
    } else {
      paths.keys = in.midi.empty() ? in.keys : in.midi;
      paths.keys_from_midi = !in.midi.empty();
    }
  }
  out.streams = load_performance(paths, layout);
  return out;
}

}  // namespace

AssembledInputs read_performance_inputs(const PerformanceInputs& inputs, const ModelConfig& config) {
  return assemble(inputs, config, config.modality);
}

torch::Tensor read_pose_stream(const PerformanceInputs& inputs, const ModelConfig& config) {
  if (!uses_pose(config.modality))
    throw InputError(!inputs.has_top() && inputs.has_right() ? inputs.pose_right_option : inputs.pose_top_option,
                     "this keys-only model reads no pose");
  PerformanceInputs pose_only = inputs;  // the keys play no part in familiarity
  pose_only.keys.clear();
  pose_only.midi.clear();
  pose_only.keys_array = torch::Tensor();
  return assemble(pose_only, config, Modality::kPoseOnly).streams.pose;
}

torch::Tensor given_keys(const PerformanceInputs& in, const PerformanceStreams& streams, const StreamLayout& layout,
                         double duration_s) {
  if (streams.keys.defined()) return streams.keys;
  if (in.keys_array.defined()) return in.keys_array;
  if (in.keys.empty() && in.midi.empty()) return {};
  return load_keys(in.midi.empty() ? in.keys : in.midi, layout, duration_s, !in.midi.empty());
}

std::string default_model_name(bool two_views, bool keys) {
  return two_views && keys ? "synthetic_pianokpm.pt" : keys ? "synthetic_any_camera_keys.pt" : "synthetic_any_camera.pt";
}

std::string default_model_for(const PerformanceInputs& inputs, const std::string& models_dir) {
  return models_dir + "/" + default_model_name(inputs.has_right(), inputs.has_keys());
}

}  // namespace pianokpm
