#pragma once
// extract_pose: video (or images) -> one hand's 21 keypoints per frame in image pixels with a
// confidence, resampled to the EMG model's pose rate; optionally an overlay video or image with
// the tracked skeletons drawn on the frames.
#include <torch/torch.h>

#include <functional>
#include <string>

#include "core/stream_layout.h"
#include "pose/hand_tracker.h"

namespace pianokpm::pose {

struct VideoPoseOptions {
  HandTrackerOptions tracker;
  std::string hand = "right";                    // right, left or any (the most confident hand)
  double rate_hz = kReleaseLayout.pose_rate_hz;  // output rate; 0 keeps the source frames
  double images_fps = 0;                         // rate of an image folder
  double fallback_fps = 0;                       // for videos that do not state their rate
  std::string overlay_path;                      // empty: none
  std::string device = "cpu";                    // where the two networks run: cpu or cuda
  void check() const;
};

struct VideoPose {
  torch::Tensor keypoints;         // [T, 21, 3]: x, y in pixels of the source frames, confidence
  torch::Tensor source_keypoints;  // [source_frames, 21, 3]: the same, one row per source frame
  int width = 0, height = 0;
  int64_t source_frames = 0, frames_with_hand = 0;
  int64_t frames_with_other_hand = 0;  // frames with a hand, but not of the side asked for
  int64_t stated_frames = -1;          // what the video's header promised (-1: unknown)
  double source_fps = 0;
};

using FrameProgress = std::function<void(int64_t done, int64_t total)>;  // total -1 when unknown

VideoPose extract_pose(const std::string& input, const VideoPoseOptions& options, const FrameProgress& progress = {});

// InputError naming `video` when the `hand` side ("right", "left", "any") was found in no frame,
// naming the fix: the other side when only that was seen, or the choice of side otherwise, as
// `hand_setting` with the side in place of {} (the Python module: its argument).
void require_hand_found(const std::string& video, const VideoPose& pose, const std::string& hand,
                        const std::string& hand_setting = "--hand {}");

}  // namespace pianokpm::pose
