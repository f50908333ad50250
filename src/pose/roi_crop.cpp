#include "pose/roi_crop.h"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace pianokpm::pose {

NormRect whole_image_rect() { return NormRect{0.5f, 0.5f, 1.f, 1.f, 0.f}; }

Point2 remove_letterbox(Point2 p, const Letterbox& l) {
  return {(p.x - l.left) / (1 - l.left - l.right), (p.y - l.top) / (1 - l.top - l.bottom)};
}

CroppedTensor crop_to_tensor(const cv::Mat& image_rgb, NormRect roi, int size, CropBorder border) {
  const float w = static_cast<float>(image_rgb.cols), h = static_cast<float>(image_rgb.rows);
  // keep_aspect_ratio: grow the short side of the rect (in pixels) to the tensor's square shape.
  float rw = roi.width * w, rh = roi.height * h;
  Letterbox pad;
  if (rw > rh) {
    pad.top = pad.bottom = (1 - rh / rw) / 2;
    rh = rw;
  } else if (rh > rw) {
    pad.left = pad.right = (1 - rw / rh) / 2;
    rw = rh;
  }
  const cv::RotatedRect rect(cv::Point2f(roi.x_center * w, roi.y_center * h), cv::Size2f(rw, rh),
                             roi.rotation * 180.f / static_cast<float>(M_PI));
  cv::Point2f corners[4];  // bottom-left, top-left, top-right, bottom-right
  rect.points(corners);
  const float s = static_cast<float>(size);
  const cv::Point2f targets[4] = {{0, s}, {0, 0}, {s, 0}, {s, s}};
  const cv::Mat transform = cv::getPerspectiveTransform(corners, targets);
  cv::Mat crop;
  cv::warpPerspective(image_rgb, crop, transform, cv::Size(size, size), cv::INTER_LINEAR,
                      border == CropBorder::kZero ? cv::BORDER_CONSTANT : cv::BORDER_REPLICATE, cv::Scalar(0, 0, 0));
  cv::Mat as_float;
  crop.convertTo(as_float, CV_32FC3, 1.0 / 255.0);
  torch::Tensor t = torch::from_blob(as_float.data, {1, size, size, 3}, torch::kFloat).clone();
  return {t, pad};
}

}  // namespace pianokpm::pose
