// Where the muscles are drawn: anatomical relations on a test hand, and the shapes follow the hand.
#include "render/muscle_layout.h"

#include <gtest/gtest.h>

#include <cmath>

#include "render/test_hand.h"

namespace pianokpm::render {
namespace {

// > 0 when p is left of the line a -> b (image coordinates), < 0 when right.
double side(Point a, Point b, Point p) { return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x); }

bool same_side(Point a, Point b, Point p, Point q) { return side(a, b, p) * side(a, b, q) > 0; }

bool inside_triangle(Point a, Point b, Point c, Point p) {
  return same_side(a, b, c, p) && same_side(b, c, a, p) && same_side(c, a, b, p);
}

TEST(MuscleLayout, AnatomicalPlaces) {
  const HandPoints h = testing::test_hand();
  const auto s = muscle_shapes(h);
  // ADM: outside the wrist-to-little-MCP edge, away from the middle finger.
  EXPECT_FALSE(same_side(h[0], h[17], h[9], s[0].center));
  // PB: on the thenar eminence, inside wrist / thumb CMC / thumb MCP.
  EXPECT_TRUE(inside_triangle(h[0], h[1], h[2], s[1].center));
  // 1DI: between the thumb's and the index finger's metacarpals.
  EXPECT_TRUE(same_side(h[0], h[5], h[2], s[2].center));
  EXPECT_TRUE(same_side(h[1], h[2], h[5], s[2].center));
  // 2DI on the index side of the middle metacarpal, 3DI on its ring side.
  EXPECT_TRUE(same_side(h[0], h[9], h[5], s[3].center));
  EXPECT_TRUE(same_side(h[0], h[9], h[13], s[4].center));
  EXPECT_TRUE(same_side(h[0], h[5], h[9], s[3].center));   // and not past the index metacarpal
  EXPECT_TRUE(same_side(h[0], h[13], h[9], s[4].center));  // nor past the ring metacarpal
  // 4DI between the ring and little metacarpals.
  EXPECT_TRUE(same_side(h[0], h[13], h[17], s[5].center));
  EXPECT_TRUE(same_side(h[0], h[17], h[13], s[5].center));
  for (const auto& m : s) {
    EXPECT_GT(m.semi_major, 3.0);
    EXPECT_GT(m.semi_minor, 1.0);
  }
}

TEST(MuscleLayout, FollowsTheHand) {
  const HandPoints h = testing::test_hand();
  const double angle = 0.7, scale = 1.8, dx = 40, dy = -25;
  auto move = [&](Point p) {
    return Point{scale * (std::cos(angle) * p.x - std::sin(angle) * p.y) + dx,
                 scale * (std::sin(angle) * p.x + std::cos(angle) * p.y) + dy};
  };
  HandPoints moved;
  for (size_t k = 0; k < h.size(); ++k) moved[k] = move(h[k]);
  const auto a = muscle_shapes(h), b = muscle_shapes(moved);
  for (size_t m = 0; m < a.size(); ++m) {
    const Point expected = move(a[m].center);
    EXPECT_NEAR(b[m].center.x, expected.x, 1e-9) << m;
    EXPECT_NEAR(b[m].center.y, expected.y, 1e-9) << m;
    EXPECT_NEAR(b[m].semi_major, scale * a[m].semi_major, 1e-9) << m;
    EXPECT_NEAR(b[m].semi_minor, scale * a[m].semi_minor, 1e-9) << m;
    EXPECT_NEAR(std::remainder(b[m].angle_rad - a[m].angle_rad - angle, 2 * M_PI), 0.0, 1e-9) << m;
  }
}

}  // namespace
}  // namespace pianokpm::render
