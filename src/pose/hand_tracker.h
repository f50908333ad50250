#pragma once
// HandTracker: MediaPipe Hands' per-frame loop. Hands found in the last frame are followed from
// their landmarks; the palm detector runs only while fewer than `max_hands` are followed, and a
// detection overlapping a followed hand is dropped in favour of it. A hand whose presence falls
// to the threshold or below is lost and must be detected again.
#include <opencv2/core.hpp>

#include <memory>
#include <string>
#include <vector>

#include "pose/hand_landmarker.h"
#include "pose/palm_detector.h"

namespace pianokpm::pose {

struct HandTrackerOptions {
  std::string model_dir;            // the folder with MediaPipe's four .tflite files
  std::string complexity = "full";  // "full" or "lite"
  int max_hands = 2;
  float min_detection_confidence = 0.5f;
  float min_tracking_confidence = 0.5f;  // presence must be above this
  float min_association_iou = 0.5f;      // a detection this close to a followed hand is the same hand
  bool static_images = false;            // detect on every frame (for unrelated images)
  RectTransform palm_to_roi{2.6f, 0.f, -0.5f, true};
  RectTransform landmarks_to_roi{2.0f, 0.f, -0.1f, true};
  void check() const;
};

struct TrackedHand {
  HandLandmarks landmarks;
  NormRect roi;  // the crop the landmarks came from
  // Frames this hand has been followed for (this one included), and how many of them the landmark
  // model judged a right hand: its handedness flips with the hand's pose (a fist, a curled hand),
  // so the side of a followed hand is that of most of its frames (hand_choice.h).
  int64_t track_frames = 1, track_right_frames = 0;
};

class HandTracker {
 public:
  explicit HandTracker(const HandTrackerOptions& options, torch::Device device = torch::kCPU);
  // Hands in this frame (8-bit RGB), in the order they were followed or found.
  std::vector<TrackedHand> process(const cv::Mat& image_rgb);
  void reset() { followed_.clear(), followed_votes_.clear(); }

 private:
  HandTrackerOptions options_;
  std::unique_ptr<PalmDetector> palms_;
  std::unique_ptr<HandLandmarker> landmarks_;
  std::vector<NormRect> followed_;                           // next-frame crops
  std::vector<std::pair<int64_t, int64_t>> followed_votes_;  // their hands' track_frames, track_right_frames
};

}  // namespace pianokpm::pose
