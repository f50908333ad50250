#include "pose/hand_landmarker.h"

#include <cmath>

#include "core/input_error.h"
#include "pose/roi_crop.h"

namespace pianokpm::pose {

namespace {
constexpr int kLandmarkInputSize = 224;
constexpr float kNormalizeZ = 0.4f;  // MediaPipe's normalize_z for the landmark model
}  // namespace

HandLandmarks project_landmarks(const float* raw, const NormRect& roi, float presence, float right_hand) {
  HandLandmarks h;
  h.presence = presence;
  h.right_hand = right_hand;
  const float c = std::cos(roi.rotation), s = std::sin(roi.rotation);
  const float size = static_cast<float>(kLandmarkInputSize);
  for (int i = 0; i < kHandLandmarks; ++i) {
    const float u = raw[3 * i] / size - 0.5f, v = raw[3 * i + 1] / size - 0.5f;
    h.points[i][0] = (u * c - v * s) * roi.width + roi.x_center;
    h.points[i][1] = (u * s + v * c) * roi.height + roi.y_center;
    h.points[i][2] = raw[3 * i + 2] / size / kNormalizeZ * roi.width;
  }
  return h;
}

HandLandmarker::HandLandmarker(const std::string& model_path, torch::Device device)
    : graph_(TfliteGraph::load(model_path, device)) {
  if (graph_.input_shape(0) != std::vector<int64_t>{1, kLandmarkInputSize, kLandmarkInputSize, 3} ||
      graph_.model().outputs.size() != 4)
    throw InputError(model_path, "not a hand landmark model (expected one 1x224x224x3 input and four outputs)");
}

HandLandmarks HandLandmarker::run(const cv::Mat& image_rgb, const NormRect& roi) const {
  // The ROI is square in pixels, so the crop has no letterbox to remove.
  const CroppedTensor input = crop_to_tensor(image_rgb, roi, kLandmarkInputSize, CropBorder::kReplicate);
  const auto out = graph_.run({input.pixels});
  const torch::Tensor raw = out[0].to(torch::kCPU).contiguous();
  return project_landmarks(raw.data_ptr<float>(), roi, out[1].item<float>(), out[2].item<float>());
}

}  // namespace pianokpm::pose
