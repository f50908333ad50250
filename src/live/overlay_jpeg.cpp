#include "live/overlay_jpeg.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <stdexcept>
#include <vector>

namespace pianokpm::live {

void OverlayJpegOptions::check() const {
  if (max_width < 16) throw std::invalid_argument("the overlay's width must be at least 16 pixels");
  if (quality < 1 || quality > 100) throw std::invalid_argument("the JPEG quality must be in 1..100");
}

std::string encode_overlay_jpeg(const TrackedFrame& frame, const std::array<float, kReleaseLayout.emg_channels>& activation,
                                const render::OverlayStyle& style, const OverlayJpegOptions& options) {
  cv::Mat image = frame.bgr.clone();
  if (!frame.hands.empty() && frame.hands.front().found) {
    const auto& keypoints = frame.hands.front().keypoints;
    render::HandPoints hand;
    for (int k = 0; k < pose::kHandLandmarks; ++k) hand[static_cast<size_t>(k)] = {keypoints[3 * k], keypoints[3 * k + 1]};
    render::draw_hand_muscles(image, hand, activation, style);
  }
  render::draw_legend(image, style);
  if (image.cols > options.max_width) {
    const double f = static_cast<double>(options.max_width) / image.cols;
    cv::resize(image, image, cv::Size(), f, f, cv::INTER_AREA);
  }
  std::vector<uchar> encoded;
  cv::imencode(".jpg", image, encoded, {cv::IMWRITE_JPEG_QUALITY, options.quality});
  return std::string(encoded.begin(), encoded.end());
}

}  // namespace pianokpm::live
