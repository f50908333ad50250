#pragma once
// Geometry shared by MediaPipe Hands' stages: rotated rectangles in normalized image coordinates,
// palm detections and the ROI rules that turn a palm or the last landmarks into the next crop
// (modules/hand_landmark/*_to_roi.pbtxt and their calculators, whose numbers are used here).
#include <array>
#include <vector>

#include "core/stream_layout.h"

namespace pianokpm::pose {

constexpr int kHandLandmarks = kReleaseLayout.num_keypoints;  // MediaPipe Hands' landmarks, the release's keypoints
constexpr int kPalmKeypoints = 7;

struct Point2 {
  float x = 0, y = 0;
};

// A rectangle rotated by `rotation` radians about its centre; all four numbers normalized by the
// image's width (x, width) or height (y, height).
struct NormRect {
  float x_center = 0, y_center = 0, width = 0, height = 0, rotation = 0;
};

struct PalmDetection {
  float xmin = 0, ymin = 0, xmax = 0, ymax = 0, score = 0;  // normalized image coordinates
  std::array<Point2, kPalmKeypoints> keypoints{};
};

struct HandLandmarks {
  std::array<std::array<float, 3>, kHandLandmarks> points{};  // x, y normalized; z relative depth
  float presence = 0;
  float right_hand = 0;  // probability that this is a right hand in the unmirrored image
};

// MediaPipe's RectTransformationCalculator: shift (in units of the rect), square on the long side
// (in pixels), then scale.
struct RectTransform {
  float scale = 1, shift_x = 0, shift_y = 0;
  bool square_long = true;
};
NormRect transform_rect(NormRect r, const RectTransform& t, int image_width, int image_height);

// Angle that turns the from -> to direction (pixels) to point straight up; wrapped to [-pi, pi).
float rotation_to_vertical(Point2 from, Point2 to, int image_width, int image_height);

// The crop for the landmark model from a palm detection (box, keypoints 0 -> 2 for the angle).
NormRect roi_from_palm(const PalmDetection& d, const RectTransform& t, int image_width, int image_height);

// The next frame's crop from this frame's landmarks (12 palm and knuckle points).
NormRect roi_from_landmarks(const HandLandmarks& h, const RectTransform& t, int image_width, int image_height);

// Intersection over union of the axis-aligned boxes of two rects (rotation ignored, as MediaPipe's
// AssociationNormRectCalculator does).
float rect_iou(const NormRect& a, const NormRect& b);

}  // namespace pianokpm::pose
