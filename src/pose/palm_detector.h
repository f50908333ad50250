#pragma once
// PalmDetector: MediaPipe's palm detection model and its post-processing (SSD anchors, box and
// keypoint decoding, sigmoid scores, weighted non-maximum suppression, letterbox removal).
#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "pose/hand_geometry.h"
#include "pose/tflite_graph.h"

namespace pianokpm::pose {

struct PalmDetectorOptions {
  float min_score = 0.5f;            // min_detection_confidence
  float min_suppression_iou = 0.3f;  // weighted NMS groups boxes overlapping more than this
};

// The 2016 anchor centres (x, y) of the 192x192 palm model, in the model's output order.
std::vector<Point2> palm_anchors();

// Decoding of raw outputs [2016, 18] and logits [2016] into detections in the 192 square, best first.
std::vector<PalmDetection> decode_palms(const torch::Tensor& boxes, const torch::Tensor& logits, const PalmDetectorOptions& o);

// Weighted non-maximum suppression (input sorted by score, best first).
std::vector<PalmDetection> weighted_nms(const std::vector<PalmDetection>& sorted, float min_suppression_iou);

class PalmDetector {
 public:
  PalmDetector(const std::string& model_path, PalmDetectorOptions options = {}, torch::Device device = torch::kCPU);
  // Palms in normalized image coordinates, best first.
  std::vector<PalmDetection> detect(const cv::Mat& image_rgb) const;

 private:
  TfliteGraph graph_;
  PalmDetectorOptions options_;
};

}  // namespace pianokpm::pose
