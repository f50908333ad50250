#pragma once
// Drawing one overlay frame: the hand's skeleton with the six muscles coloured by activation
// (render/muscle_layout.h, render/colormap.h), and under the image a strip of the six traces
// scrolling past a time cursor.
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <array>
#include <string>
#include <vector>

#include "render/muscle_layout.h"

namespace pianokpm::render {

struct OverlayStyle {
  double activation_scale = 1.0;  // envelope value drawn in the map's top colour (set from the data)
  double muscle_opacity = 0.75;
  int strip_height_px = 0;      // 0: 40% of the image height, at least 150
  double strip_window_s = 5.0;  // seconds of trace in the strip, the cursor in the middle
  bool draw_skeleton = true;
  std::string note;  // one line shown on every frame (e.g. where the EMG came from)

  void check() const;  // throws std::invalid_argument naming the bad field
  int strip_height_for(int image_height) const;
};

// Draws in place on an 8-bit BGR image; `activation` in envelope units (divided by the scale).
void draw_hand_muscles(cv::Mat& bgr, const HandPoints& hand, const std::array<float, kReleaseLayout.emg_channels>& activation,
                       const OverlayStyle& style);

// The colour scale and note, top left of the image.
void draw_legend(cv::Mat& bgr, const OverlayStyle& style);

// Six lanes of EMG [N, 6] at `rate_hz`, pre-binned to the strip's pixel columns once, so that each
// frame only draws polylines. With `lower` and `upper` ([N, 6], an interval around each estimate)
// each lane also shows the interval as a shaded band behind its trace.
class TraceStrip {
 public:
  TraceStrip(const torch::Tensor& emg, double rate_hz, int width_px, const OverlayStyle& style, const torch::Tensor& lower = {},
             const torch::Tensor& upper = {});
  // Draws into `strip` (width_px wide, any height) the window centred on `time_s`.
  void draw(cv::Mat& strip, double time_s) const;

 private:
  double px_per_s_ = 0, scale_ = 1, window_s_ = 5;
  int width_ = 0;
  std::vector<std::vector<float>> lanes_;          // per muscle, one mean value per pixel column of time
  std::vector<std::vector<float>> lower_, upper_;  // the same for the interval; empty without one
};

}  // namespace pianokpm::render
