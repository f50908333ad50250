#pragma once
// Draws a tracked hand's skeleton (21 points, 20 bones) onto a frame, for users to check the tracking.
#include <opencv2/core.hpp>

#include "pose/hand_geometry.h"

namespace pianokpm::pose {

// `landmarks` normalized as the tracker gives them; drawn in place on an 8-bit BGR frame.
void draw_skeleton(cv::Mat& bgr, const HandLandmarks& landmarks, bool selected);

}  // namespace pianokpm::pose
