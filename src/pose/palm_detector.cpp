#include "pose/palm_detector.h"

#include <algorithm>
#include <cmath>

#include "core/input_error.h"
#include "pose/roi_crop.h"

namespace pianokpm::pose {

namespace {

constexpr int kPalmInputSize = 192;
constexpr int kCoordsPerBox = 18;  // cx, cy, w, h, then 7 keypoints (x, y)
constexpr float kLogitClip = 100.f;

float box_iou(const PalmDetection& a, const PalmDetection& b) {
  const float iw = std::max(0.f, std::min(a.xmax, b.xmax) - std::max(a.xmin, b.xmin));
  const float ih = std::max(0.f, std::min(a.ymax, b.ymax) - std::max(a.ymin, b.ymin));
  const float inter = iw * ih;
  const float uni = (a.xmax - a.xmin) * (a.ymax - a.ymin) + (b.xmax - b.xmin) * (b.ymax - b.ymin) - inter;
  return uni > 0 ? inter / uni : 0.f;
}

}  // namespace

std::vector<Point2> palm_anchors() {
  // SSD anchors: strides 8, 16, 16, 16 on 192 px with two anchors per layer (aspect 1 plus the
  // interpolated scale); equal strides share one grid, so: 24x24 cells x 2, then 12x12 cells x 6.
  std::vector<Point2> anchors;
  const struct { int grid, per_cell; } layers[] = {{kPalmInputSize / 8, 2}, {kPalmInputSize / 16, 6}};
  for (const auto& l : layers)
    for (int y = 0; y < l.grid; ++y)
      for (int x = 0; x < l.grid; ++x)
        for (int a = 0; a < l.per_cell; ++a)
          anchors.push_back({(static_cast<float>(x) + 0.5f) / static_cast<float>(l.grid),
                             (static_cast<float>(y) + 0.5f) / static_cast<float>(l.grid)});
  return anchors;
}

std::vector<PalmDetection> decode_palms(const torch::Tensor& boxes, const torch::Tensor& logits, const PalmDetectorOptions& o) {
  static const std::vector<Point2> anchors = palm_anchors();
  const torch::Tensor b = boxes.to(torch::kCPU, torch::kFloat).contiguous().view({-1, kCoordsPerBox});
  const torch::Tensor s = logits.to(torch::kCPU, torch::kFloat).contiguous().view({-1});
  if (b.size(0) != static_cast<int64_t>(anchors.size()) || s.size(0) != b.size(0))
    throw std::invalid_argument("palm detector: raw outputs do not have one row per anchor");
  const float* pb = b.data_ptr<float>();
  const float* ps = s.data_ptr<float>();
  const float scale = static_cast<float>(kPalmInputSize);
  std::vector<PalmDetection> out;
  for (size_t i = 0; i < anchors.size(); ++i) {
    const float score = 1.f / (1.f + std::exp(-std::clamp(ps[i], -kLogitClip, kLogitClip)));
    if (!(score >= o.min_score)) continue;
    const float* r = pb + i * kCoordsPerBox;
    const float cx = r[0] / scale + anchors[i].x, cy = r[1] / scale + anchors[i].y;
    const float w = r[2] / scale, h = r[3] / scale;
    if (!(w > 0) || !(h > 0)) continue;  // negative or NaN sizes
    PalmDetection d;
    d.xmin = cx - w / 2, d.xmax = cx + w / 2, d.ymin = cy - h / 2, d.ymax = cy + h / 2;
    d.score = score;
    for (int k = 0; k < kPalmKeypoints; ++k)
      d.keypoints[k] = {r[4 + 2 * k] / scale + anchors[i].x, r[5 + 2 * k] / scale + anchors[i].y};
    out.push_back(d);
  }
  std::stable_sort(out.begin(), out.end(), [](const PalmDetection& a, const PalmDetection& b) { return a.score > b.score; });
  return out;
}

std::vector<PalmDetection> weighted_nms(const std::vector<PalmDetection>& sorted, float min_suppression_iou) {
  std::vector<PalmDetection> remaining = sorted, out;
  while (!remaining.empty()) {
    const PalmDetection best = remaining.front();
    std::vector<PalmDetection> rest;
    PalmDetection mean{};
    float total = 0;
    for (const PalmDetection& d : remaining) {
      if (box_iou(best, d) > min_suppression_iou || &d == &remaining.front()) {
        total += d.score;
        mean.xmin += d.score * d.xmin, mean.ymin += d.score * d.ymin;
        mean.xmax += d.score * d.xmax, mean.ymax += d.score * d.ymax;
        for (int k = 0; k < kPalmKeypoints; ++k)
          mean.keypoints[k].x += d.score * d.keypoints[k].x, mean.keypoints[k].y += d.score * d.keypoints[k].y;
      } else {
        rest.push_back(d);
      }
    }
    mean.xmin /= total, mean.ymin /= total, mean.xmax /= total, mean.ymax /= total;
    for (auto& k : mean.keypoints) k.x /= total, k.y /= total;
    mean.score = best.score;
    out.push_back(mean);
    remaining.swap(rest);
  }
  return out;
}

PalmDetector::PalmDetector(const std::string& model_path, PalmDetectorOptions options, torch::Device device)
    : graph_(TfliteGraph::load(model_path, device)), options_(options) {
  if (graph_.input_shape(0) != std::vector<int64_t>{1, kPalmInputSize, kPalmInputSize, 3} || graph_.model().outputs.size() != 2)
    throw InputError(model_path, "not a palm detection model (expected one 1x192x192x3 input and two outputs)");
}

std::vector<PalmDetection> PalmDetector::detect(const cv::Mat& image_rgb) const {
  const CroppedTensor input = crop_to_tensor(image_rgb, whole_image_rect(), kPalmInputSize, CropBorder::kZero);
  const auto raw = graph_.run({input.pixels});
  std::vector<PalmDetection> palms = weighted_nms(decode_palms(raw[0], raw[1], options_), options_.min_suppression_iou);
  for (PalmDetection& d : palms) {
    const Point2 lo = remove_letterbox({d.xmin, d.ymin}, input.padding), hi = remove_letterbox({d.xmax, d.ymax}, input.padding);
    d.xmin = lo.x, d.ymin = lo.y, d.xmax = hi.x, d.ymax = hi.y;
    for (auto& k : d.keypoints) k = remove_letterbox(k, input.padding);
  }
  return palms;
}

}  // namespace pianokpm::pose
