#pragma once
// The picture both the live view and a remote viewer see: the camera frame with the followed
// hand's muscles coloured by their newest activation (render/overlay_frame.h) and the legend,
// scaled down to at most `max_width` pixels wide, as JPEG.
#include <array>
#include <string>

#include "core/stream_layout.h"
#include "live/live_sink.h"
#include "render/overlay_frame.h"

namespace pianokpm::live {

struct OverlayJpegOptions {
  int max_width = 960;
  int quality = 80;  // JPEG quality, 1..100
  void check() const;
};

// std::exception when the frame cannot be drawn or encoded.
std::string encode_overlay_jpeg(const TrackedFrame& frame, const std::array<float, kReleaseLayout.emg_channels>& activation,
                                const render::OverlayStyle& style, const OverlayJpegOptions& options);

}  // namespace pianokpm::live
