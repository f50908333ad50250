#pragma once
// HandLandmarker: MediaPipe's hand landmark model on one rotated crop: 21 landmarks projected back
// into the image, hand presence and handedness.
#include <opencv2/core.hpp>

#include <string>

#include "pose/hand_geometry.h"
#include "pose/tflite_graph.h"

namespace pianokpm::pose {

// Landmarks of the 224 crop (raw model output [63], pixels of the crop) into the image.
HandLandmarks project_landmarks(const float* raw, const NormRect& roi, float presence, float right_hand);

class HandLandmarker {
 public:
  HandLandmarker(const std::string& model_path, torch::Device device = torch::kCPU);
  HandLandmarks run(const cv::Mat& image_rgb, const NormRect& roi) const;

 private:
  TfliteGraph graph_;
};

}  // namespace pianokpm::pose
