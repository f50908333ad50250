#include "render/muscle_layout.h"

#include <algorithm>
#include <cmath>

namespace pianokpm::render {

namespace {

Point lerp(Point a, Point b, double t) { return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t}; }
double distance(Point a, Point b) { return std::hypot(b.x - a.x, b.y - a.y); }
double angle(Point a, Point b) { return std::atan2(b.y - a.y, b.x - a.x); }

// An ellipse whose major axis runs from `a` to `b`, `width` across.
MuscleShape along(Point a, Point b, double length_fraction, double width) {
  return {lerp(a, b, 0.5), 0.5 * length_fraction * distance(a, b), 0.5 * width, angle(a, b)};
}

}  // namespace

std::array<MuscleShape, kReleaseLayout.emg_channels> muscle_shapes(const HandPoints& p) {
  const Point wrist = p[0];
  const double palm_width = distance(p[5], p[17]);
  // Points part way up each metacarpal, where the interossei bellies are.
  const Point index_mc = lerp(wrist, p[5], 0.6), middle_mc = lerp(wrist, p[9], 0.6);
  const Point ring_mc = lerp(wrist, p[13], 0.6), little_mc = lerp(wrist, p[17], 0.6);

  std::array<MuscleShape, kReleaseLayout.emg_channels> s;
  // ADM: beside the wrist-to-little-MCP line, pushed away from the palm's middle.
  const Point edge_mid = lerp(wrist, p[17], 0.55);
  const Point palm_mid = lerp(wrist, p[9], 0.5);
  const double out = 0.12 * palm_width / std::max(1e-9, distance(edge_mid, palm_mid));
  const Point shift{(edge_mid.x - palm_mid.x) * out, (edge_mid.y - palm_mid.y) * out};
  s[0] = along({wrist.x + shift.x, wrist.y + shift.y}, {p[17].x + shift.x, p[17].y + shift.y}, 0.75, 0.22 * palm_width);
  // PB: the thenar eminence, from near the wrist to the thumb's MCP, centred on the CMC.
  const Point thenar_a = lerp(wrist, p[1], 0.5);
  s[1] = along(thenar_a, p[2], 0.9, 0.3 * palm_width);
  s[1].center = lerp(lerp(thenar_a, p[2], 0.5), p[1], 0.35);
  // 1DI: the web between the thumb's and the index finger's metacarpals.
  const Point web_a = lerp(p[1], p[2], 0.5);
  const Point web_b = index_mc;
  s[2] = along(web_a, web_b, 0.9, 0.22 * palm_width);
  s[2].center = {(p[1].x + p[2].x + p[5].x + index_mc.x) / 4.0, (p[1].y + p[2].y + p[5].y + index_mc.y) / 4.0};
  // 2DI, 3DI: either side of the middle metacarpal; 4DI: between ring and little metacarpals.
  auto interosseus = [&](Point side_a, Point side_b, Point mc_tip) {
    MuscleShape m = along(lerp(wrist, mc_tip, 0.25), mc_tip, 0.7, 0.14 * palm_width);
    m.center = lerp(side_a, side_b, 0.3);
    return m;
  };
  s[3] = interosseus(middle_mc, index_mc, p[9]);
  s[4] = interosseus(middle_mc, ring_mc, p[9]);
  s[5] = interosseus(lerp(ring_mc, little_mc, 0.5), ring_mc, p[13]);
  s[5].center = lerp(ring_mc, little_mc, 0.5);
  return s;
}

}  // namespace pianokpm::render
