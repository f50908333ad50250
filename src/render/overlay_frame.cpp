#include "render/overlay_frame.h"

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "analysis/muscles.h"
#include "render/colormap.h"

namespace pianokpm::render {

namespace {

cv::Scalar bgr(Rgb c) { return cv::Scalar(c.b, c.g, c.r); }

// MediaPipe's 21-landmark hand: the bones between landmarks.
constexpr std::array<std::array<int, 2>, 21> kBones = {{{0, 1},   {1, 2},   {2, 3},   {3, 4},   {0, 5},   {5, 6},   {6, 7},
                                                        {7, 8},   {5, 9},   {9, 10},  {10, 11}, {11, 12}, {9, 13},  {13, 14},
                                                        {14, 15}, {15, 16}, {13, 17}, {17, 18}, {18, 19}, {19, 20}, {0, 17}}};

cv::Point to_px(Point p) { return cv::Point(static_cast<int>(std::lround(p.x)), static_cast<int>(std::lround(p.y))); }

}  // namespace

void OverlayStyle::check() const {
  if (!(activation_scale > 0) || !std::isfinite(activation_scale))
    throw std::invalid_argument("activation scale must be positive");
  if (!(muscle_opacity >= 0 && muscle_opacity <= 1)) throw std::invalid_argument("muscle opacity must be in [0, 1]");
  if (strip_height_px < 0) throw std::invalid_argument("strip height must be >= 0");
  if (!(strip_window_s > 0)) throw std::invalid_argument("strip window must be positive");
}

int OverlayStyle::strip_height_for(int image_height) const {
  return strip_height_px > 0 ? strip_height_px : std::max(150, image_height * 2 / 5);
}

void draw_hand_muscles(cv::Mat& image, const HandPoints& hand, const std::array<float, kReleaseLayout.emg_channels>& activation,
                       const OverlayStyle& style) {
  const auto shapes = muscle_shapes(hand);
  const double palm = std::hypot(hand[5].x - hand[17].x, hand[5].y - hand[17].y);
  const int line = std::max(1, static_cast<int>(std::lround(palm / 60)));
  if (style.draw_skeleton) {
    for (const auto& b : kBones)
      cv::line(image, to_px(hand[b[0]]), to_px(hand[b[1]]), cv::Scalar(235, 235, 235), line, cv::LINE_AA);
    for (const Point& p : hand) cv::circle(image, to_px(p), line + 1, cv::Scalar(60, 60, 60), cv::FILLED, cv::LINE_AA);
  }
  cv::Mat layer = image.clone();
  for (size_t m = 0; m < shapes.size(); ++m) {
    const MuscleShape& s = shapes[m];
    const cv::Size axes(std::max(1, static_cast<int>(std::lround(s.semi_major))),
                        std::max(1, static_cast<int>(std::lround(s.semi_minor))));
    cv::ellipse(layer, to_px(s.center), axes, s.angle_rad * 180.0 / M_PI, 0, 360,
                bgr(activation_colour(activation[m] / style.activation_scale)), cv::FILLED, cv::LINE_AA);
  }
  cv::addWeighted(layer, style.muscle_opacity, image, 1.0 - style.muscle_opacity, 0, image);
  // Labels sit beside their ellipse, away from the middle finger's metacarpal, so that
  // neighbours (2DI and 3DI) do not cover one another.
  const double font = std::clamp(palm / 250.0, 0.35, 1.2);
  const Point axis_a = hand[0], axis_b = hand[9];
  for (size_t m = 0; m < shapes.size(); ++m) {
    const MuscleShape& sh = shapes[m];
    const std::string& code = muscle_infos()[m].code;
    int base = 0;
    const cv::Size size = cv::getTextSize(code, cv::FONT_HERSHEY_SIMPLEX, font, 1, &base);
    Point normal{-std::sin(sh.angle_rad), std::cos(sh.angle_rad)};
    const double side = (axis_b.x - axis_a.x) * (sh.center.y - axis_a.y) - (axis_b.y - axis_a.y) * (sh.center.x - axis_a.x);
    const double towards = (axis_b.x - axis_a.x) * normal.y - (axis_b.y - axis_a.y) * normal.x;
    if ((side >= 0) != (towards >= 0)) normal = {-normal.x, -normal.y};
    const double reach = m == 1 || m == 2 ? 0.0 : sh.semi_minor + 0.6 * size.width;  // PB, 1DI: room inside
    const Point c{sh.center.x + normal.x * reach, sh.center.y + normal.y * reach};
    const cv::Point at = to_px(c) - cv::Point(size.width / 2, -size.height / 2);
    cv::putText(image, code, at, cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar(0, 0, 0), 3, cv::LINE_AA);
    cv::putText(image, code, at, cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
  }
}

void draw_legend(cv::Mat& image, const OverlayStyle& style) {
  const int w = std::min(160, image.cols / 4), h = 10, x0 = 10, y0 = 10;
  for (int x = 0; x < w; ++x)
    cv::line(image, {x0 + x, y0}, {x0 + x, y0 + h}, bgr(activation_colour(static_cast<double>(x) / (w - 1))));
  cv::rectangle(image, {x0 - 1, y0 - 1}, {x0 + w, y0 + h + 1}, cv::Scalar(255, 255, 255));
  const std::string label = fmt::format("activation 0 .. {:.2g}", style.activation_scale);
  auto text = [&](const std::string& s, cv::Point at) {
    cv::putText(image, s, at, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(0, 0, 0), 3, cv::LINE_AA);
    cv::putText(image, s, at, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
  };
  text(label, {x0 + w + 6, y0 + h});
  if (!style.note.empty()) text(style.note, {x0, y0 + h + 16});
}

namespace {

// [N, channels] -> per channel, the mean of each pixel column's samples.
std::vector<std::vector<float>> bin_columns(const torch::Tensor& values, double rate_hz, double px_per_s) {
  const torch::Tensor e = values.to(torch::kFloat).contiguous();
  const int64_t n = e.size(0), channels = e.size(1);
  const auto columns = static_cast<int64_t>(std::ceil(static_cast<double>(n) / rate_hz * px_per_s));
  std::vector<std::vector<float>> lanes(channels, std::vector<float>(std::max<int64_t>(columns, 1), 0.0f));
  const float* p = e.data_ptr<float>();
  for (int64_t col = 0; col < columns; ++col) {
    const auto from = std::min<int64_t>(n - 1, static_cast<int64_t>(std::floor(col / px_per_s * rate_hz)));
    const auto to = std::clamp<int64_t>(static_cast<int64_t>(std::floor((col + 1) / px_per_s * rate_hz)), from + 1, n);
    for (int64_t c = 0; c < channels; ++c) {
      double sum = 0;
      for (int64_t i = from; i < to; ++i) sum += p[i * channels + c];
      lanes[c][col] = static_cast<float>(sum / static_cast<double>(to - from));
    }
  }
  return lanes;
}

}  // namespace

TraceStrip::TraceStrip(const torch::Tensor& emg, double rate_hz, int width_px, const OverlayStyle& style,
                       const torch::Tensor& lower, const torch::Tensor& upper)
    : px_per_s_(width_px / style.strip_window_s),
      scale_(style.activation_scale),
      window_s_(style.strip_window_s),
      width_(width_px) {
  lanes_ = bin_columns(emg, rate_hz, px_per_s_);
  if (lower.defined() && upper.defined()) {
    if (lower.sizes() != emg.sizes() || upper.sizes() != emg.sizes())
      throw std::invalid_argument("the interval's bounds must have the estimate's shape");
    lower_ = bin_columns(lower, rate_hz, px_per_s_);
    upper_ = bin_columns(upper, rate_hz, px_per_s_);
  }
}

void TraceStrip::draw(cv::Mat& strip, double time_s) const {
  strip.setTo(cv::Scalar(28, 24, 24));
  const int lanes = static_cast<int>(lanes_.size());
  const int lane_h = strip.rows / std::max(1, lanes);
  const int label_w = 44;
  const auto center_col = static_cast<int64_t>(std::lround(time_s * px_per_s_));
  const int half = width_ / 2;
  for (int m = 0; m < lanes; ++m) {
    const int top = m * lane_h, bottom = top + lane_h - 3;
    cv::line(strip, {label_w, bottom}, {width_ - 1, bottom}, cv::Scalar(70, 70, 70));
    auto y_of = [&](float value) {
      return bottom - static_cast<int>(std::lround(std::clamp(value / scale_, 0.0, 1.0) * (lane_h - 6)));
    };
    if (!lower_.empty()) {
      // The interval: a band in the muscle's colour at a third of its brightness.
      std::vector<cv::Point> band, back;
      for (int x = label_w; x < width_; ++x) {
        const int64_t col = center_col + (x - half);
        if (col < 0 || col >= static_cast<int64_t>(lower_[m].size())) continue;
        band.emplace_back(x, y_of(upper_[m][col]));
        back.emplace_back(x, y_of(lower_[m][col]));
      }
      band.insert(band.end(), back.rbegin(), back.rend());
      if (band.size() > 2)
        cv::fillPoly(strip, std::vector<std::vector<cv::Point>>{band}, bgr(muscle_colours()[m]) / 3, cv::LINE_AA);
    }
    std::vector<cv::Point> pts;
    for (int x = label_w; x < width_; ++x) {
      const int64_t col = center_col + (x - half);
      if (col < 0 || col >= static_cast<int64_t>(lanes_[m].size())) continue;
      pts.emplace_back(x, y_of(lanes_[m][col]));
    }
    if (pts.size() > 1) cv::polylines(strip, pts, false, bgr(muscle_colours()[m]), 1, cv::LINE_AA);
    const int64_t now = std::clamp<int64_t>(center_col, 0, static_cast<int64_t>(lanes_[m].size()) - 1);
    cv::rectangle(strip, {2, top + 3}, {12, bottom - 1}, bgr(activation_colour(lanes_[m][now] / scale_)), cv::FILLED);
    cv::putText(strip, muscle_infos()[m].code, {15, top + lane_h / 2 + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.4,
                bgr(muscle_colours()[m]), 1, cv::LINE_AA);
  }
  cv::line(strip, {half, 0}, {half, strip.rows - 1}, cv::Scalar(255, 255, 255), 1);
  cv::putText(strip, fmt::format("{:.2f} s", time_s), {half + 4, 12}, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(255, 255, 255), 1,
              cv::LINE_AA);
}

}  // namespace pianokpm::render
