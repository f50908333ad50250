#include "pose/hand_geometry.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pianokpm::pose {

namespace {
constexpr float kPi = 3.14159265358979323846f;
constexpr float kTargetAngle = kPi / 2;  // hands point up in the crops

float wrap_angle(float a) { return a - 2 * kPi * std::floor((a + kPi) / (2 * kPi)); }
}  // namespace

NormRect transform_rect(NormRect r, const RectTransform& t, int image_width, int image_height) {
  const float w = static_cast<float>(image_width), h = static_cast<float>(image_height);
  if (r.rotation == 0.f) {
    r.x_center += r.width * t.shift_x;
    r.y_center += r.height * t.shift_y;
  } else {
    const float c = std::cos(r.rotation), s = std::sin(r.rotation);
    const float dx = (w * r.width * t.shift_x * c - h * r.height * t.shift_y * s) / w;
    const float dy = (w * r.width * t.shift_x * s + h * r.height * t.shift_y * c) / h;
    r.x_center += dx;
    r.y_center += dy;
  }
  if (t.square_long) {
    const float side = std::max(r.width * w, r.height * h);
    r.width = side / w;
    r.height = side / h;
  }
  r.width *= t.scale;
  r.height *= t.scale;
  return r;
}

float rotation_to_vertical(Point2 from, Point2 to, int image_width, int image_height) {
  const float dx = (to.x - from.x) * static_cast<float>(image_width);
  const float dy = (to.y - from.y) * static_cast<float>(image_height);
  return wrap_angle(kTargetAngle - std::atan2(-dy, dx));
}

NormRect roi_from_palm(const PalmDetection& d, const RectTransform& t, int image_width, int image_height) {
  NormRect r;
  r.x_center = (d.xmin + d.xmax) / 2;
  r.y_center = (d.ymin + d.ymax) / 2;
  r.width = d.xmax - d.xmin;
  r.height = d.ymax - d.ymin;
  // keypoint 0: centre of the wrist; 2: middle finger's knuckle
  r.rotation = rotation_to_vertical(d.keypoints[0], d.keypoints[2], image_width, image_height);
  return transform_rect(r, t, image_width, image_height);
}

NormRect roi_from_landmarks(const HandLandmarks& hand, const RectTransform& t, int image_width, int image_height) {
  constexpr int kPoints[] = {0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18};  // wrist, thumb base, MCPs and PIPs
  constexpr int kWrist = 0, kIndexPip = 6, kMiddlePip = 10, kRingPip = 14;
  const float w = static_cast<float>(image_width), h = static_cast<float>(image_height);
  auto at = [&](int i) { return Point2{hand.points[i][0], hand.points[i][1]}; };
  const Point2 towards{(at(kMiddlePip).x + (at(kIndexPip).x + at(kRingPip).x) / 2) / 2,
                       (at(kMiddlePip).y + (at(kIndexPip).y + at(kRingPip).y) / 2) / 2};
  const float rotation = rotation_to_vertical(at(kWrist), towards, image_width, image_height);

  float min_x = std::numeric_limits<float>::max(), min_y = min_x;
  float max_x = -min_x, max_y = -min_x;
  for (int i : kPoints) {
    min_x = std::min(min_x, at(i).x), max_x = std::max(max_x, at(i).x);
    min_y = std::min(min_y, at(i).y), max_y = std::max(max_y, at(i).y);
  }
  const float cx = (min_x + max_x) / 2, cy = (min_y + max_y) / 2;
  // The box in the hand's own frame; MediaPipe starts its maxima at the smallest positive float.
  const float back = wrap_angle(-rotation);
  float pmin_x = std::numeric_limits<float>::max(), pmin_y = pmin_x;
  float pmax_x = std::numeric_limits<float>::min(), pmax_y = pmax_x;
  for (int i : kPoints) {
    const float ox = (at(i).x - cx) * w, oy = (at(i).y - cy) * h;
    const float px = ox * std::cos(back) - oy * std::sin(back), py = ox * std::sin(back) + oy * std::cos(back);
    pmin_x = std::min(pmin_x, px), pmax_x = std::max(pmax_x, px);
    pmin_y = std::min(pmin_y, py), pmax_y = std::max(pmax_y, py);
  }
  const float pcx = (pmin_x + pmax_x) / 2, pcy = (pmin_y + pmax_y) / 2;
  NormRect r;
  r.x_center = (pcx * std::cos(rotation) - pcy * std::sin(rotation)) / w + cx;
  r.y_center = (pcx * std::sin(rotation) + pcy * std::cos(rotation)) / h + cy;
  r.width = (pmax_x - pmin_x) / w;
  r.height = (pmax_y - pmin_y) / h;
  r.rotation = rotation;
  return transform_rect(r, t, image_width, image_height);
}

float rect_iou(const NormRect& a, const NormRect& b) {
  const float ax0 = a.x_center - a.width / 2, ax1 = a.x_center + a.width / 2;
  const float ay0 = a.y_center - a.height / 2, ay1 = a.y_center + a.height / 2;
  const float bx0 = b.x_center - b.width / 2, bx1 = b.x_center + b.width / 2;
  const float by0 = b.y_center - b.height / 2, by1 = b.y_center + b.height / 2;
  const float iw = std::max(0.f, std::min(ax1, bx1) - std::max(ax0, bx0));
  const float ih = std::max(0.f, std::min(ay1, by1) - std::max(ay0, by0));
  const float inter = iw * ih, uni = a.width * a.height + b.width * b.height - inter;
  return uni > 0 ? inter / uni : 0.f;
}

}  // namespace pianokpm::pose
