#include "cli/performance_inputs.h"

#include <spdlog/spdlog.h>

#include "cli/cli_common.h"
#include "io/input_error.h"
#include "model/pose_front_end.h"
#ifdef PIANOKPM_HAVE_OPENCV
#include "pose/video_pose.h"
#endif

namespace pianokpm {

namespace {

// Tracks the hand in a video at the pose rate, in the units the model was trained on
// (model/pose_front_end.h: pixel_to_model_units).
torch::Tensor pose_from_video(const std::string& video, const PerformanceInputs& in, const ModelConfig& c,
                              torch::Tensor* source_keypoints) {
#ifdef PIANOKPM_HAVE_OPENCV
  pose::VideoPoseOptions vo;
  vo.tracker.model_dir = PIANOKPM_DEFAULT_MEDIAPIPE_DIR;
  vo.tracker.complexity = in.pose_model;
  vo.hand = in.hand;
  vo.rate_hz = c.pose_rate_hz;
  vo.device = in.device;
  const pose::VideoPose p = in.quiet ? pose::extract_pose(video, vo) : extract_pose_with_progress(video, vo);
  if (!in.quiet) spdlog::info("{}: {} frames, the {} hand in {}", video, p.source_frames, in.hand, p.frames_with_hand);
  pose::require_hand_found(video, p, in.hand);
  if (source_keypoints) *source_keypoints = p.source_keypoints;
  torch::Tensor k = p.keypoints.clone();
  const auto units = pixel_to_model_units(c, p.width, p.height);
  k.select(2, 0).mul_(units[0]);
  k.select(2, 1).mul_(units[1]);
  return k;
#else
  (void)in, (void)c, (void)source_keypoints;
  throw InputError(video, "this build has no OpenCV, so no video input (give keypoint files)");
#endif
}

}  // namespace

std::string default_model_for(const PerformanceInputs& in) {
  const std::string name = in.has_right() && in.has_keys() ? "synthetic_pianokpm.pt"
                           : in.has_keys()                 ? "synthetic_top_pose_keys.pt"
                                                           : "synthetic_any_camera.pt";
  return std::string(PIANOKPM_DEFAULT_MODELS_DIR) + "/" + name;
}

PerformanceStreams load_performance_inputs(const PerformanceInputs& in, const ModelConfig& c,
                                           torch::Tensor* top_video_keypoints) {
  PerformancePaths paths;
  if (uses_pose(c.modality)) {
    const std::string top = in.video_top.empty() ? in.pose_top : in.video_top;
    const std::string right = in.video_right.empty() ? in.pose_right : in.video_right;
    if (top.empty()) throw InputError("--pose-top", "this model needs the top view (--pose-top or --video-top)");
    paths.pose_views.push_back(top);
    if (c.num_views >= 2) {
      if (right.empty())
        throw InputError("--pose-right",
                         "this model reads two views: give --pose-right or --video-right, or use a one-view model");
      paths.pose_views.push_back(right);
    }
    for (size_t v = 0; v < paths.pose_views.size(); ++v) {
      const bool video = v == 0 ? !in.video_top.empty() : !in.video_right.empty();
      paths.pose_view_arrays.push_back(video ? pose_from_video(paths.pose_views[v], in, c, v == 0 ? top_video_keypoints : nullptr)
                                             : torch::Tensor());
    }
  }
  if (uses_keys(c.modality)) {
    paths.keys = in.midi.empty() ? in.keys : in.midi;
    paths.keys_from_midi = !in.midi.empty();
  }
  return load_performance(paths, c);
}

}  // namespace pianokpm
