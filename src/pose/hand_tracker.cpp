#include "pose/hand_tracker.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace pianokpm::pose {

void HandTrackerOptions::check() const {
  if (complexity != "full" && complexity != "lite")
    throw std::invalid_argument("the MediaPipe model must be full or lite, not '" + complexity + "'");
  if (max_hands < 1) throw std::invalid_argument("max_hands must be at least 1");
  for (float v : {min_detection_confidence, min_tracking_confidence, min_association_iou})
    if (!(v >= 0.f && v <= 1.f)) throw std::invalid_argument("confidence and overlap thresholds must lie in [0, 1]");
}

HandTracker::HandTracker(const HandTrackerOptions& options, torch::Device device) : options_(options) {
  options_.check();
  const std::filesystem::path dir(options_.model_dir);
  PalmDetectorOptions palm;
  palm.min_score = options_.min_detection_confidence;
  palms_ = std::make_unique<PalmDetector>((dir / ("palm_detection_" + options_.complexity + ".tflite")).string(), palm, device);
  landmarks_ = std::make_unique<HandLandmarker>((dir / ("hand_landmark_" + options_.complexity + ".tflite")).string(), device);
}

std::vector<TrackedHand> HandTracker::process(const cv::Mat& image_rgb) {
  const int w = image_rgb.cols, h = image_rgb.rows;
  struct Candidate {
    NormRect roi;
    std::pair<int64_t, int64_t> votes;  // frames followed, of them judged right ({0, 0}: a fresh detection)
  };
  const size_t carried = options_.static_images ? 0 : followed_.size();
  std::vector<Candidate> candidates;
  if (static_cast<int>(carried) < options_.max_hands) {
    std::vector<PalmDetection> found = palms_->detect(image_rgb);
    if (static_cast<int>(found.size()) > options_.max_hands) found.resize(static_cast<size_t>(options_.max_hands));
    for (const PalmDetection& d : found) candidates.push_back({roi_from_palm(d, options_.palm_to_roi, w, h), {0, 0}});
  }
  for (size_t i = 0; i < carried; ++i) candidates.push_back({followed_[i], followed_votes_[i]});
  // AssociationNormRectCalculator: a later rect replaces earlier ones it overlaps, so a followed
  // hand wins over a fresh detection of the same hand (and keeps its votes).
  std::vector<Candidate> rois;
  for (const Candidate& c : candidates) {
    rois.erase(std::remove_if(rois.begin(), rois.end(),
                              [&](const Candidate& q) { return rect_iou(q.roi, c.roi) > options_.min_association_iou; }),
               rois.end());
    rois.push_back(c);
  }
  std::vector<TrackedHand> hands;
  followed_.clear();
  followed_votes_.clear();
  for (const Candidate& c : rois) {
    HandLandmarks lm = landmarks_->run(image_rgb, c.roi);
    if (!(lm.presence > options_.min_tracking_confidence)) continue;
    const std::pair<int64_t, int64_t> votes = {c.votes.first + 1, c.votes.second + (lm.right_hand > 0.5f ? 1 : 0)};
    hands.push_back({lm, c.roi, votes.first, votes.second});
    followed_.push_back(roi_from_landmarks(lm, options_.landmarks_to_roi, w, h));
    followed_votes_.push_back(votes);
  }
  return hands;
}

}  // namespace pianokpm::pose
