// The synthetic hand's curved fingers (simulator 3): a finger of the right lengths that reaches
// its tip, bends in one plane with the tendons' coupling, and flexes its knuckle to press.
#include "synth/hand_model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "anatomy/hand_angles.h"

namespace pianokpm::synth {
namespace {

using Joints = std::array<std::array<double, 3>, 4>;

double distance(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

// The bend at joint k (1..2: PIP, DIP) of a chain: the angle between its two segments.
double bend(const Joints& j, int k) {
  double dot = 0, a = 0, b = 0;
  for (int d = 0; d < 3; ++d) {
    const double u = j[k][d] - j[k - 1][d], v = j[k + 1][d] - j[k][d];
    dot += u * v;
    a += u * u;
    b += v * v;
  }
  return std::acos(std::clamp(dot / std::sqrt(a * b), -1.0, 1.0));
}

// The proximal phalanx's angle below the level (knuckle flexion for a level palm), radians.
double knuckle_flexion(const Joints& j) {
  return std::atan2(j[0][2] - j[1][2], std::hypot(j[1][0] - j[0][0], j[1][1] - j[0][1]));
}

TEST(CurvedFinger, HasItsLengthsReachesItsTipAndCouplesDipToPip) {
  const std::array<double, 3> base = {10, 5, 80};
  for (const std::array<double, 3>& tip :
       {std::array<double, 3>{20, -40, 14}, std::array<double, 3>{-5, -30, 0}, std::array<double, 3>{12, -50, 0}}) {
    const Joints j = curved_finger(base, tip, 105);
    EXPECT_NEAR(distance(j[0], base), 0.0, 1e-12);
    EXPECT_NEAR(distance(j[3], tip), 0.0, 1e-6);
    EXPECT_NEAR(distance(j[0], j[1]), 0.42 * 105, 1e-9);
    EXPECT_NEAR(distance(j[1], j[2]), 0.30 * 105, 1e-9);
    EXPECT_NEAR(distance(j[2], j[3]), 0.28 * 105, 1e-9);
    EXPECT_NEAR(bend(j, 2), 2.0 / 3.0 * bend(j, 1), 1e-6);
    // One vertical plane: every joint on the line from base to tip, seen from above.
    const double ux = tip[0] - base[0], uy = tip[1] - base[1];
    for (int k = 1; k < 3; ++k) EXPECT_NEAR(ux * (j[k][1] - base[1]) - uy * (j[k][0] - base[0]), 0.0, 1e-6);
    // Curled towards the palm, the back of the finger convex: PIP and DIP above the straight
    // base -> tip line, seen from the side.
    const double along = std::hypot(ux, uy), rise = tip[2] - base[2];
    for (int k = 1; k < 3; ++k) {
      const double ahead = std::hypot(j[k][0] - base[0], j[k][1] - base[1]), up = j[k][2] - base[2];
      EXPECT_GT(along * up - rise * ahead, 0.0) << k;
    }
  }
  // Beyond reach: straight, pointing at the tip.
  const Joints straight = curved_finger(base, {10, -200, 80}, 105);
  EXPECT_NEAR(bend(straight, 1), 0.0, 1e-6);
  EXPECT_NEAR(straight[3][1], 5 - 105, 1e-6);
}

TEST(CurvedFinger, FlexesItsKnuckleFurtherAsTheTipGoesDown) {
  // By hand: a level proximal phalanx with the PIP at 45 degrees and the DIP at 30 has its tip at
  // (44.1 + 22.3 + 7.6, -(0 + 22.3 + 28.4)) = (73.9, -50.7) for a 105 mm finger; turned 25 degrees
  // down it is 45.6 mm ahead and 77.1 mm below: the knuckle there flexes 25 degrees.
  const double c45 = std::cos(M_PI / 4), c75 = std::cos(75 * M_PI / 180), s75 = std::sin(75 * M_PI / 180);
  const double ahead0 = 44.1 + 31.5 * c45 + 29.4 * c75, below0 = 31.5 * c45 + 29.4 * s75;
  const double turn = 25 * M_PI / 180;
  const double ahead = ahead0 * std::cos(turn) - below0 * std::sin(turn);  // (ahead0, -below0) turned down
  const double below = ahead0 * std::sin(turn) + below0 * std::cos(turn);
  const Joints j = curved_finger({0, 0, 0}, {0, -ahead, -below}, 105);
  EXPECT_NEAR(knuckle_flexion(j), turn, 2e-3);
  EXPECT_NEAR(bend(j, 1), M_PI / 4, 2e-3);
  double last = -1;
  for (double z : {14.0, 7.0, 0.0, -10.0}) {  // resting above the key, touching it, at the bed
    const double flexion = knuckle_flexion(curved_finger({0, 5, 80}, {0, -40, z}, 105));
    EXPECT_GT(flexion, last) << z;
    last = flexion;
  }
}

TEST(CurvedHand, RestsWithFlexedKnucklesAndPressesByFlexingOne) {
  const Pianist p = Pianist::sample(1, 42);
  Score score;
  Note n;
  n.finger = 3;  // middle
  n.key = 39;
  n.t_bed_s = 0.6;
  n.t_release_s = 0.9;
  score.notes.push_back(n);
  const double rate = 100;
  const torch::Tensor k3 = hand_keypoints_3d(score, p, 1.2, rate, FingerShape::kCurved);
  auto angles_at = [&](double t) {
    anatomy::HandPoints h;
    const auto f = static_cast<int64_t>(std::llround(t * rate));
    for (int k = 0; k < 21; ++k) h[k] = {k3[f][k][0].item<double>(), k3[f][k][1].item<double>(), k3[f][k][2].item<double>()};
    anatomy::RestPosture zero;
    zero.mcp_abduction = {};
    zero.thumb_flexion = zero.thumb_abduction = 0;
    return anatomy::hand_angles(h, zero);
  };
  const anatomy::HandAngles rest = angles_at(0.1), pressed = angles_at(0.75);
  for (int c = anatomy::kIndex; c <= anatomy::kLittle; ++c) {
    EXPECT_GT(rest[c][anatomy::kFingerMcpFlexion], 0.15) << "finger " << c << " rests curved, not arched";
    EXPECT_LT(rest[c][anatomy::kFingerMcpFlexion], 0.9) << "finger " << c;
  }
  EXPECT_GT(pressed[anatomy::kMiddle][anatomy::kFingerMcpFlexion], rest[anatomy::kMiddle][anatomy::kFingerMcpFlexion] + 0.05);
  EXPECT_NEAR(pressed[anatomy::kRing][anatomy::kFingerMcpFlexion], rest[anatomy::kRing][anatomy::kFingerMcpFlexion], 0.02);
}

}  // namespace
}  // namespace pianokpm::synth
