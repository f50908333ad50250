#include "report/performance_plot.h"

#include <cairo.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <vector>
#include <cstdio>
#include <filesystem>

#include "core/input_error.h"
#include "core/stream_layout.h"

namespace pianokpm {

namespace {

constexpr double kMargin = 70, kGap = 28;

const char* kFingers[5] = {"thumb", "index", "middle", "ring", "little"};
constexpr double kFingerColours[5][3] = {
    {0.85, 0.37, 0.01}, {0.46, 0.44, 0.70}, {0.11, 0.62, 0.47}, {0.91, 0.16, 0.54}, {0.40, 0.65, 0.12}};

struct Panel {
  double x, y, w, h;
};

void text(cairo_t* cr, double x, double y, const std::string& s, double size = 13, bool bold = false) {
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, s.c_str());
}

void frame(cairo_t* cr, const Panel& p, const std::string& label) {
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, p.x, p.y, p.w, p.h);
  cairo_stroke(cr);
  text(cr, p.x, p.y - 8, label, 14, true);
}

// Draws rows [first, last) of `series` (one column) scaled to lo..hi into a lane of the panel.
void polyline(cairo_t* cr, const Panel& lane, const float* series, int64_t stride, int64_t first, int64_t last, double lo,
              double hi) {
  const int64_t n = last - first;
  if (n < 2) return;
  const int64_t step = std::max<int64_t>(1, n / static_cast<int64_t>(lane.w * 2));
  for (int64_t i = 0; i < n; i += step) {
    const double v = std::clamp((series[(first + i) * stride] - lo) / (hi - lo), 0.0, 1.0);
    const double x = lane.x + lane.w * static_cast<double>(i) / static_cast<double>(n - 1);
    const double y = lane.y + lane.h * (1 - v);
    if (i == 0)
      cairo_move_to(cr, x, y);
    else
      cairo_line_to(cr, x, y);
  }
  cairo_stroke(cr);
}

// Fills the region between rows [first, last) of `upper` and `lower` (one column each), scaled as polyline does.
void band(cairo_t* cr, const Panel& lane, const float* upper, const float* lower, int64_t stride, int64_t first, int64_t last,
          double lo, double hi) {
  const int64_t n = last - first;
  if (n < 2) return;
  const int64_t step = std::max<int64_t>(1, n / static_cast<int64_t>(lane.w * 2));
  auto point = [&](const float* series, int64_t i) {
    const double v = std::clamp((series[(first + i) * stride] - lo) / (hi - lo), 0.0, 1.0);
    return std::pair<double, double>{lane.x + lane.w * static_cast<double>(i) / static_cast<double>(n - 1),
                                     lane.y + lane.h * (1 - v)};
  };
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < n; i += step) rows.push_back(i);
  for (size_t k = 0; k < rows.size(); ++k) {
    const auto [x, y] = point(upper, rows[k]);
    if (k == 0)
      cairo_move_to(cr, x, y);
    else
      cairo_line_to(cr, x, y);
  }
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    const auto [x, y] = point(lower, *it);
    cairo_line_to(cr, x, y);
  }
  cairo_close_path(cr);
  cairo_fill(cr);
}

void time_axis(cairo_t* cr, const Panel& p, double from_s, double seconds) {
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  const double step = seconds > 12 ? 2.0 : seconds > 5 ? 1.0 : 0.5;
  for (double t = std::ceil(from_s / step) * step; t <= from_s + seconds + 1e-9; t += step) {
    const double x = p.x + p.w * (t - from_s) / seconds;
    cairo_move_to(cr, x, p.y + p.h);
    cairo_line_to(cr, x, p.y + p.h + 5);
    cairo_stroke(cr);
    text(cr, x - 10, p.y + p.h + 19, fmt::format("{:g}", t), 12);
  }
  text(cr, p.x + p.w / 2 - 20, p.y + p.h + 36, "time (s)", 13);
}

}  // namespace

void PerformancePlotOptions::check() const {
  if (!(seconds > 0) || from_s < 0) throw std::invalid_argument("plot: need from >= 0 and seconds > 0");
  if (width_px < 400 || height_px < 400 || width_px > 10000 || height_px > 10000) {
    throw std::invalid_argument("plot: size must be 400..10000 pixels");
  }
}

void write_performance_plot(const PerformancePlotData& d, const PerformancePlotOptions& o, const std::string& png_path) {
  o.check();
  const torch::Tensor& reference = d.emg_true.defined() ? d.emg_true : d.emg_estimated.defined() ? d.emg_estimated : d.keys;
  if (!reference.defined()) throw std::invalid_argument("plot: nothing to draw");
  const double total_s = static_cast<double>(reference.size(0)) / d.keys_rate_hz;
  const double from = std::min(o.from_s, std::max(0.0, total_s - 1e-3));
  const double seconds = std::min(o.seconds, total_s - from);
  const auto row0 = static_cast<int64_t>(from * d.keys_rate_hz), row1 = static_cast<int64_t>((from + seconds) * d.keys_rate_hz);

  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, o.width_px, o.height_px);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  text(cr, kMargin, 32, d.title, 18, true);

  const double w = o.width_px - kMargin - 150, top = 70;
  const double usable = o.height_px - top - 60 - 2 * kGap;
  const Panel keys_panel{kMargin, top, w, usable * 0.2};
  const Panel pose_panel{kMargin, keys_panel.y + keys_panel.h + kGap, w, usable * 0.2};
  const Panel emg_panel{kMargin, pose_panel.y + pose_panel.h + kGap, w, usable * 0.6};

  // Keystrokes: one row per key in the played range, darker = deeper.
  if (d.keys.defined()) {
    frame(cr, keys_panel, "keystrokes (key depth)");
    auto k = d.keys.to(torch::kFloat).contiguous();
    auto window = k.narrow(0, row0, row1 - row0);
    auto played = torch::nonzero(window.amax(0) > 0.05).flatten();
    if (played.numel() > 0) {
      const int lo = played.min().item<int>(), hi = played.max().item<int>();
      const double row_h = keys_panel.h / (hi - lo + 1);
      const float* pk = k.data_ptr<float>();
      const int64_t step = std::max<int64_t>(1, (row1 - row0) / static_cast<int64_t>(w));
      for (int64_t i = row0; i < row1; i += step) {
        const double x = keys_panel.x + keys_panel.w * static_cast<double>(i - row0) / static_cast<double>(row1 - row0);
        for (int key = lo; key <= hi; ++key) {
          const float depth = pk[i * k.size(1) + key];
          if (depth < 0.05f) continue;
          cairo_set_source_rgb(cr, 1 - 0.9 * depth, 1 - 0.7 * depth, 1 - 0.3 * depth);
          cairo_rectangle(cr, x, keys_panel.y + keys_panel.h - (key - lo + 1) * row_h,
                          std::max(1.0, keys_panel.w * step / static_cast<double>(row1 - row0)), row_h);
          cairo_fill(cr);
        }
      }
      cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
      text(cr, keys_panel.x - 62, keys_panel.y + 12, fmt::format("key {}", hi + 1), 11);
      text(cr, keys_panel.x - 62, keys_panel.y + keys_panel.h, fmt::format("key {}", lo + 1), 11);
    }
  }

  // Fingertip heights in the side view (up = higher in the image = lifted).
  if (d.pose_side.defined()) {
    frame(cr, pose_panel, "fingertips, side camera (up = raised)");
    auto pose = d.pose_side.to(torch::kFloat).contiguous();
    const auto f0 = static_cast<int64_t>(from * d.pose_rate_hz);
    const auto f1 = std::min<int64_t>(pose.size(0), static_cast<int64_t>((from + seconds) * d.pose_rate_hz));
    if (f1 - f0 >= 2) {
      auto tips =
          pose.narrow(0, f0, f1 - f0).index({torch::indexing::Slice(), torch::tensor({4, 8, 12, 16, 20}), 1}).contiguous();
      const double lo = -tips.max().item<double>(), hi = -tips.min().item<double>() + 1e-6;
      auto negated = (-tips).contiguous();
      for (int f = 0; f < 5; ++f) {
        cairo_set_source_rgb(cr, kFingerColours[f][0], kFingerColours[f][1], kFingerColours[f][2]);
        cairo_set_line_width(cr, 1.3);
        polyline(cr, pose_panel, negated.data_ptr<float>() + f, 5, 0, f1 - f0, lo, hi);
        text(cr, pose_panel.x + pose_panel.w + 12, pose_panel.y + 14 + 16 * f, kFingers[f], 12);
      }
    }
  }

  // Six envelopes, one lane each, measured (black) and estimated (red).
  frame(cr, emg_panel, "EMG envelopes (each lane scaled to its largest value in the window)");
  // Each series once as float32 with its colour; measured and estimated share a lane's scale.
  struct Series {
    torch::Tensor values;
    std::array<double, 3> rgb;
    const char* label;
  };
  std::vector<Series> series;
  if (d.emg_true.defined()) series.push_back({d.emg_true.to(torch::kFloat).contiguous(), {0.1, 0.1, 0.1}, "measured"});
  if (d.emg_estimated.defined()) {
    series.push_back({d.emg_estimated.to(torch::kFloat).contiguous(), {0.85, 0.1, 0.1}, "estimated"});
  }
  const bool with_band = d.emg_lower.defined() && d.emg_upper.defined();
  const torch::Tensor lower = with_band ? d.emg_lower.to(torch::kFloat).contiguous() : torch::Tensor();
  const torch::Tensor upper = with_band ? d.emg_upper.to(torch::kFloat).contiguous() : torch::Tensor();
  constexpr std::array<double, 3> kBandRgb = {0.97, 0.72, 0.72};
  const int channels = kReleaseLayout.emg_channels;
  const double lane_h = emg_panel.h / channels;
  for (int m = 0; m < channels; ++m) {
    const Panel lane{emg_panel.x, emg_panel.y + m * lane_h + 4, emg_panel.w, lane_h - 8};
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text(cr, emg_panel.x - 45, lane.y + lane.h / 2 + 5, muscle_names()[static_cast<size_t>(m)].c_str(), 13, true);
    if (m > 0) {
      cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
      cairo_move_to(cr, lane.x, lane.y - 4);
      cairo_line_to(cr, lane.x + lane.w, lane.y - 4);
      cairo_stroke(cr);
    }
    double hi = 0.05;
    for (const auto& s : series) {
      const int64_t end = std::min(row1, s.values.size(0));
      if (end > row0) hi = std::max(hi, s.values.narrow(0, row0, end - row0).select(1, m).max().item<double>());
    }
    if (with_band) {
      const int64_t end = std::min(row1, upper.size(0));
      if (end > row0) hi = std::max(hi, upper.narrow(0, row0, end - row0).select(1, m).max().item<double>());
      cairo_set_source_rgb(cr, kBandRgb[0], kBandRgb[1], kBandRgb[2]);
      band(cr, lane, upper.data_ptr<float>() + m, lower.data_ptr<float>() + m, channels, row0, std::min(row1, end), 0.0,
           hi * 1.05);
    }
    for (const auto& s : series) {
      cairo_set_source_rgb(cr, s.rgb[0], s.rgb[1], s.rgb[2]);
      cairo_set_line_width(cr, 1.2);
      polyline(cr, lane, s.values.data_ptr<float>() + m, channels, row0, std::min(row1, s.values.size(0)), 0.0, hi * 1.05);
    }
  }
  // Legend.
  const double lx = emg_panel.x + emg_panel.w + 12;
  cairo_set_line_width(cr, 2);
  for (size_t i = 0; i < series.size(); ++i) {
    const double y = emg_panel.y + 12 + 20 * static_cast<double>(i);
    cairo_set_source_rgb(cr, series[i].rgb[0], series[i].rgb[1], series[i].rgb[2]);
    cairo_move_to(cr, lx, y);
    cairo_line_to(cr, lx + 20, y);
    cairo_stroke(cr);
    text(cr, lx + 25, y + 4, series[i].label, 12);
  }
  if (with_band) {
    const double y = emg_panel.y + 12 + 20 * static_cast<double>(series.size());
    cairo_set_source_rgb(cr, kBandRgb[0], kBandRgb[1], kBandRgb[2]);
    cairo_rectangle(cr, lx, y - 5, 20, 10);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text(cr, lx + 25, y + 4, d.interval_label, 12);
  }
  time_axis(cr, emg_panel, from, seconds);

  const std::string tmp = png_path + ".tmp-" + std::to_string(::getpid()) + ".png";
  const cairo_status_t status = cairo_surface_write_to_png(surface, tmp.c_str());
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    std::remove(tmp.c_str());
    throw InputError(png_path, std::string("cannot write PNG: ") + cairo_status_to_string(status));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, png_path, ec);
  if (ec) throw InputError(png_path, "cannot move finished plot into place: " + ec.message());
}

}  // namespace pianokpm
