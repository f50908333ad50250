#pragma once
// Activation to colour: a sequential map from dark blue-violet (rest) through red to pale yellow
// (full activation), readable on video and for most colour-blind viewers (in the spirit of
// matplotlib's "inferno"). Also the six muscles' own trace colours.
#include <array>
#include <cstdint>

#include "core/stream_layout.h"

namespace pianokpm::render {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

// `level` in 0..1 (clamped; NaN counts as 0).
Rgb activation_colour(double level);

// One distinct colour per muscle, channel order ADM, PB, 1DI, 2DI, 3DI, 4DI.
const std::array<Rgb, kReleaseLayout.emg_channels>& muscle_colours();

}  // namespace pianokpm::render
