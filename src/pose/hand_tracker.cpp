#include "pose/hand_tracker.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace pianokpm::pose {

void HandTrackerOptions::check() const {
  if (complexity != "full" && complexity != "lite") throw std::invalid_argument("--model must be full or lite, not '" + complexity + "'");
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
  const std::vector<NormRect> carried = options_.static_images ? std::vector<NormRect>{} : followed_;
  std::vector<NormRect> candidates;
  if (static_cast<int>(carried.size()) < options_.max_hands) {
    std::vector<PalmDetection> found = palms_->detect(image_rgb);
    if (static_cast<int>(found.size()) > options_.max_hands) found.resize(static_cast<size_t>(options_.max_hands));
    for (const PalmDetection& d : found) candidates.push_back(roi_from_palm(d, options_.palm_to_roi, w, h));
  }
  candidates.insert(candidates.end(), carried.begin(), carried.end());
  // AssociationNormRectCalculator: a later rect replaces earlier ones it overlaps, so a followed
  // hand wins over a fresh detection of the same hand.
  std::vector<NormRect> rois;
  for (const NormRect& r : candidates) {
    rois.erase(std::remove_if(rois.begin(), rois.end(), [&](const NormRect& q) { return rect_iou(q, r) > options_.min_association_iou; }),
               rois.end());
    rois.push_back(r);
  }
  std::vector<TrackedHand> hands;
  followed_.clear();
  for (const NormRect& roi : rois) {
    HandLandmarks lm = landmarks_->run(image_rgb, roi);
    if (!(lm.presence > options_.min_tracking_confidence)) continue;
    hands.push_back({lm, roi});
    followed_.push_back(roi_from_landmarks(lm, options_.landmarks_to_roi, w, h));
  }
  return hands;
}

}  // namespace pianokpm::pose
