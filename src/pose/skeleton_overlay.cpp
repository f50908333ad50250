#include "pose/skeleton_overlay.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace pianokpm::pose {

namespace {
// MediaPipe's hand connections: thumb, four fingers, and the palm outline.
constexpr int kBones[21][2] = {{0, 1},   {1, 2},   {2, 3},   {3, 4},   {5, 6},   {6, 7},   {7, 8},
                               {9, 10},  {10, 11}, {11, 12}, {13, 14}, {14, 15}, {15, 16}, {17, 18},
                               {18, 19}, {19, 20}, {0, 5},   {5, 9},   {9, 13},  {13, 17}, {0, 17}};
}  // namespace

void draw_skeleton(cv::Mat& bgr, const HandLandmarks& h, bool selected) {
  const int thickness = std::max(1, std::min(bgr.cols, bgr.rows) / 240);
  const cv::Scalar bone = selected ? cv::Scalar(80, 220, 80) : cv::Scalar(160, 160, 160);
  const cv::Scalar joint = selected ? cv::Scalar(40, 40, 230) : cv::Scalar(120, 120, 120);
  auto at = [&](int i) {
    return cv::Point(static_cast<int>(h.points[i][0] * static_cast<float>(bgr.cols)),
                     static_cast<int>(h.points[i][1] * static_cast<float>(bgr.rows)));
  };
  for (const auto& b : kBones) cv::line(bgr, at(b[0]), at(b[1]), bone, thickness, cv::LINE_AA);
  for (int i = 0; i < kHandLandmarks; ++i) cv::circle(bgr, at(i), 2 * thickness, joint, cv::FILLED, cv::LINE_AA);
}

}  // namespace pianokpm::pose
