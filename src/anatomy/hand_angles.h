#pragma once
// Joint angles of a right hand from its 21 MediaPipe keypoints in 3D (inverse kinematics on the
// chains of anatomy/hand_muscles.h).
//
// The palm frame comes from the keypoints alone: radial v along the knuckles (from the ring and
// little MCPs' mean to the index and middle MCPs'), distal u (wrist -> middle MCP, made orthogonal
// to v) and palmar n = u x v. The knuckle line is what trackers find best; the wrist point wanders
// from one tracker or photo to another. A finger's MCP flexion is how far its
// proximal phalanx (MCP -> PIP) leaves the palm plane towards n, its abduction the phalanx's angle
// from u within the palm plane (radial positive), less the resting spread. The thumb's CMC flexion
// is its metacarpal's (CMC -> MCP) turn within the palm plane towards the little finger, its palmar
// abduction the metacarpal's rise out of the palm plane, both from a relaxed thumb's direction; MP
// flexion the angle between metacarpal and proximal phalanx. A left hand is mirrored first.
#include <array>

#include "anatomy/hand_muscles.h"
#include "anatomy/point3.h"

namespace pianokpm::anatomy {

using HandPoints = std::array<Point3, 21>;  // MediaPipe order, any unit, any frame

// The relaxed hand's angles, subtracted so that 0 is rest (radians).
struct RestPosture {
  std::array<double, kNumChains> mcp_abduction = {0.0, 0.04, 0.0, -0.04, -0.08};  // index..little; radial +
  double thumb_flexion = -0.70;   // a relaxed thumb points ~40 degrees radially from the distal axis
  double thumb_abduction = 0.35;  // and ~20 degrees out of the palm plane
  void check() const;
};

struct PalmFrame {
  Point3 u, v, n;  // unit vectors: distal, radial, palmar
};
PalmFrame palm_frame(const HandPoints& p);

// Throws std::invalid_argument when the keypoints are degenerate (e.g. all equal) or not finite.
HandAngles hand_angles(const HandPoints& p, const RestPosture& rest = {});

}  // namespace pianokpm::anatomy
