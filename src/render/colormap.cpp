#include "render/colormap.h"

#include <algorithm>
#include <cmath>

namespace pianokpm::render {

namespace {

// Control points of the map at levels 0, 0.25, 0.5, 0.75, 1.
constexpr std::array<std::array<double, 3>, 5> kStops = {
    {{20, 11, 52}, {120, 28, 109}, {203, 71, 70}, {248, 149, 64}, {252, 255, 164}}};

}  // namespace

Rgb activation_colour(double level) {
  if (!(level > 0)) level = 0;
  level = std::min(level, 1.0);
  const double x = level * (kStops.size() - 1);
  const size_t i = std::min(static_cast<size_t>(x), kStops.size() - 2);
  const double t = x - static_cast<double>(i);
  auto mix = [&](int c) { return static_cast<uint8_t>(std::lround(kStops[i][c] + (kStops[i + 1][c] - kStops[i][c]) * t)); };
  return {mix(0), mix(1), mix(2)};
}

const std::array<Rgb, kReleaseLayout.emg_channels>& muscle_colours() {
  // Okabe-Ito's colour-blind-safe palette.
  static const std::array<Rgb, kReleaseLayout.emg_channels> colours = {
      {{230, 159, 0}, {86, 180, 233}, {0, 158, 115}, {240, 228, 66}, {0, 114, 178}, {204, 121, 167}}};
  return colours;
}

}  // namespace pianokpm::render
