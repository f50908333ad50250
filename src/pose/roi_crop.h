#pragma once
// RoiCrop: cuts a rotated rectangle out of an image into a square float tensor, as MediaPipe's
// ImageToTensorCalculator does on the CPU (OpenCV perspective warp of the rect's corners onto the
// tensor's, bilinear), with the padding that keeps the aspect ratio reported as a letterbox.
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "pose/hand_geometry.h"

namespace pianokpm::pose {

struct Letterbox {
  float left = 0, top = 0, right = 0, bottom = 0;  // fractions of the tensor
};

struct CroppedTensor {
  torch::Tensor pixels;  // [1, size, size, 3] float32 RGB in [0, 1]
  Letterbox padding;
};

enum class CropBorder { kZero, kReplicate };

// `image_rgb` is 8-bit RGB. The rect is widened (about its centre) to a square first, as
// keep_aspect_ratio does.
CroppedTensor crop_to_tensor(const cv::Mat& image_rgb, NormRect roi, int size, CropBorder border);

// The whole image as the palm detector sees it: widened to a square about its centre.
NormRect whole_image_rect();

// Undo a letterbox on a normalized point of the tensor.
Point2 remove_letterbox(Point2 p, const Letterbox& l);

}  // namespace pianokpm::pose
