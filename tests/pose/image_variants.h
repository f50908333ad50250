#pragma once
// Lossless variants of a test photo (mirror, rotations, a wide black border), so one hand photo
// exercises rotated crops and both letterbox directions. Shared by the tests and by
// tools/mediapipe_reference/make_variants.cpp, which wrote the images MediaPipe's reference ran on.
#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace pianokpm::testing {

inline const std::vector<std::string>& image_variant_names() {
  static const std::vector<std::string> names = {"original", "mirrored", "rotated90", "rotated180", "bordered"};
  return names;
}

inline cv::Mat image_variant(const cv::Mat& image, const std::string& name) {
  cv::Mat out;
  if (name == "original") {
    out = image.clone();
  } else if (name == "mirrored") {
    cv::flip(image, out, 1);
  } else if (name == "rotated90") {
    cv::rotate(image, out, cv::ROTATE_90_CLOCKWISE);
  } else if (name == "rotated180") {
    cv::rotate(image, out, cv::ROTATE_180);
  } else if (name == "bordered") {  // the hand small in a wide frame
    cv::copyMakeBorder(image, out, 0, 0, image.cols, image.cols / 2, cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
  }
  return out;
}

}  // namespace pianokpm::testing
