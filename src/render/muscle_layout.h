#pragma once
// Where each of the six muscles lies on a hand seen from above, from MediaPipe's 21 landmarks
// (0 wrist; 1-4 thumb CMC, MCP, IP, tip; 5-8 index MCP..tip; 9-12 middle; 13-16 ring;
// 17-20 little finger). Each muscle is an ellipse in the image's coordinates:
//   ADM  along the little-finger edge of the palm (wrist to little-finger MCP, outside that line);
//   PB   on the thenar eminence (between wrist, thumb CMC and thumb MCP);
//   1DI  in the web between the thumb and index metacarpals;
//   2DI  on the index side of the middle metacarpal; 3DI on its ring side;
//   4DI  between the ring and little-finger metacarpals (it abducts the ring finger).
// Pure geometry: shapes turn, scale and move with the hand.
#include <array>

#include "core/stream_layout.h"

namespace pianokpm::render {

struct Point {
  double x = 0, y = 0;
};

struct MuscleShape {
  Point center;
  double semi_major = 0, semi_minor = 0;  // same units as the landmarks
  double angle_rad = 0;                   // of the major axis, from +x towards +y
};

using HandPoints = std::array<Point, kReleaseLayout.num_keypoints>;

// Shapes in channel order ADM, PB, 1DI, 2DI, 3DI, 4DI.
std::array<MuscleShape, kReleaseLayout.emg_channels> muscle_shapes(const HandPoints& hand);

}  // namespace pianokpm::render
