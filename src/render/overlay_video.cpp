#include "render/overlay_video.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <optional>

#include "core/input_error.h"
#include "core/stream_layout.h"
#include "pose/frame_source.h"

namespace pianokpm::render {

namespace {

// One frame's hand in output pixels, or nothing where the tracker found none.
class KeypointTrack {
 public:
  KeypointTrack(const torch::Tensor& keypoints, double rate_hz) : rate_hz_(rate_hz) {
    if (!keypoints.defined()) return;
    kp_ = keypoints.to(torch::kDouble).contiguous();
    normalized_ = kp_.narrow(2, 0, 2).abs().max().item<double>() <= 1.5;
  }
  bool empty() const { return !kp_.defined() || kp_.size(0) == 0; }
  bool normalized() const { return normalized_; }
  int64_t rows() const { return empty() ? 0 : kp_.size(0); }

  // Maps keypoint units to output pixels: p * scale + offset.
  void set_transform(double sx, double sy, double ox, double oy) { sx_ = sx, sy_ = sy, ox_ = ox, oy_ = oy; }

  std::optional<HandPoints> at(int64_t frame, double time_s) const {
    if (empty()) return std::nullopt;
    const int64_t row = rate_hz_ > 0 ? static_cast<int64_t>(std::lround(time_s * rate_hz_)) : frame;
    if (row < 0 || row >= kp_.size(0)) return std::nullopt;
    const int64_t c = kp_.size(2);
    const double* a = kp_.data_ptr<double>() + row * kReleaseLayout.num_keypoints * c;
    bool any = false;
    HandPoints h;
    for (int k = 0; k < kReleaseLayout.num_keypoints; ++k) {
      const double* p = a + k * c;
      if (c >= 3 && p[2] <= 0) return std::nullopt;
      any = any || p[0] != 0 || p[1] != 0;
      h[k] = Point{p[0] * sx_ + ox_, p[1] * sy_ + oy_};
    }
    if (!any) return std::nullopt;
    return h;
  }

  // Bounding box of every tracked point: min x, min y, max x, max y.
  std::array<double, 4> bounds() const {
    std::array<double, 4> b = {1e300, 1e300, -1e300, -1e300};
    const int64_t c = kp_.size(2);
    for (int64_t t = 0; t < rows(); ++t) {
      const double* a = kp_.data_ptr<double>() + t * kReleaseLayout.num_keypoints * c;
      if (c >= 3 && a[2] <= 0) continue;
      for (int k = 0; k < kReleaseLayout.num_keypoints; ++k) {
        const double* p = a + k * c;
        if (p[0] == 0 && p[1] == 0) continue;
        b[0] = std::min(b[0], p[0]), b[1] = std::min(b[1], p[1]);
        b[2] = std::max(b[2], p[0]), b[3] = std::max(b[3], p[1]);
      }
    }
    return b;
  }

 private:
  torch::Tensor kp_;
  double rate_hz_ = 0;
  bool normalized_ = false;
  double sx_ = 1, sy_ = 1, ox_ = 0, oy_ = 0;
};

class AtomicVideoWriter {
 public:
  explicit AtomicVideoWriter(const std::string& path) : path_(path) {
    const std::filesystem::path p(path);
    temp_ = (p.parent_path() / ("." + p.stem().string() + ".partial-" + std::to_string(::getpid()) + p.extension().string()))
                .string();
  }
  ~AtomicVideoWriter() {
    std::error_code ignored;
    if (!done_) std::filesystem::remove(temp_, ignored);
  }
  std::string open(double fps, cv::Size size) {
    // H.264 first (plays in browsers); OpenCV prints a warning when its FFmpeg lacks the encoder.
    const bool mp4 = std::filesystem::path(path_).extension() == ".mp4";
    if (mp4 && writer_.open(temp_, cv::VideoWriter::fourcc('a', 'v', 'c', '1'), fps, size)) return "H.264";
    if (writer_.open(temp_, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), fps, size)) return "MPEG-4";
    throw InputError(path_, "cannot write the video here (use .mp4 or .avi in a writable folder)");
  }
  void write(const cv::Mat& frame) { writer_.write(frame); }
  void finish() {
    writer_.release();
    std::error_code error;
    std::filesystem::rename(temp_, path_, error);
    if (error) throw InputError(path_, "cannot write the video: " + error.message());
    done_ = true;
  }

 private:
  std::string path_, temp_;
  cv::VideoWriter writer_;
  bool done_ = false;
};

}  // namespace

void OverlayVideoOptions::check() const {
  style.check();
  if (canvas_width < 160 || canvas_height < 120) throw std::invalid_argument("canvas must be at least 160x120");
  if (!(max_duration_gap_s >= 0)) throw std::invalid_argument("max_duration_gap_s must be >= 0");
}

double default_activation_scale(const torch::Tensor& emg) {
  torch::Tensor v = emg.to(torch::kFloat).flatten();
  // torch::quantile refuses more than 2^24 values (45 min of EMG): every k-th value estimates it.
  const int64_t limit = int64_t{1} << 22;
  if (v.numel() > limit) v = v.slice(0, 0, v.numel(), (v.numel() + limit - 1) / limit);
  const double q = torch::quantile(v, 0.99).item<double>();
  return q > 0 ? q : 1.0;
}

OverlayVideoResult render_overlay_video(const OverlayVideoInput& in, const OverlayVideoOptions& options,
                                        const std::string& out_path, const RenderProgress& progress) {
  options.check();
  if (!in.emg.defined() || in.emg.dim() != 2 || in.emg.size(1) != kReleaseLayout.emg_channels || in.emg.size(0) == 0)
    throw InputError(in.emg_name,
                     fmt::format("EMG must be [N, {}] ({})", kReleaseLayout.emg_channels, fmt::join(muscle_names(), ", ")));
  if (in.keypoints.defined() &&
      (in.keypoints.dim() != 3 || in.keypoints.size(1) != kReleaseLayout.num_keypoints || in.keypoints.size(2) < 2))
    throw InputError(in.keypoints_name, fmt::format("keypoints must be [T, {}, C>=2], not [{}]", kReleaseLayout.num_keypoints,
                                                    fmt::join(in.keypoints.sizes(), ", ")));
  if (!(in.emg_rate_hz > 0) || !std::isfinite(in.emg_rate_hz)) throw InputError("--rate", "the EMG rate must be positive");
  if (!(in.keypoints_rate_hz >= 0) || !std::isfinite(in.keypoints_rate_hz))
    throw InputError("--pose-rate", "the keypoints' rate must be positive");
  if (in.video.empty() && !in.keypoints.defined())
    throw InputError("--video", "nothing to draw the hand from: give a video or keypoints");
  OverlayStyle style = options.style;
  OverlayVideoResult result;
  if (options.auto_scale) style.activation_scale = default_activation_scale(in.emg);
  result.activation_scale = style.activation_scale;

  std::optional<pose::FrameSource> source;
  int width = options.canvas_width, height = options.canvas_height;
  double fps = in.keypoints_rate_hz;
  int64_t total = in.keypoints.defined() ? in.keypoints.size(0) : 0;
  KeypointTrack track(in.keypoints, in.keypoints_rate_hz);
  cv::Mat frame;
  double t = 0;
  if (!in.video.empty()) {
    source.emplace(in.video, 0.0);
    if (!source->is_video()) throw InputError(in.video, "not a video file OpenCV can read");
    if (!source->next(frame, t)) throw InputError(in.video, "no frame could be decoded (empty, corrupt or truncated video)");
    width = frame.cols, height = frame.rows, fps = source->fps(), total = source->frame_count_hint();
    if (track.normalized()) track.set_transform(width, height, 0, 0);
  } else {
    if (!(fps > 0)) throw InputError(in.keypoints_name, "the keypoints' rate is needed to draw them without a video");
    const auto b = track.bounds();
    if (b[0] > b[2]) throw InputError(in.keypoints_name, "no frame holds a hand to draw");
    const double margin = 0.1;
    const double s =
        std::min(width * (1 - 2 * margin) / std::max(1e-9, b[2] - b[0]), height * (1 - 2 * margin) / std::max(1e-9, b[3] - b[1]));
    track.set_transform(s, s, width / 2.0 - s * (b[0] + b[2]) / 2.0, height / 2.0 - s * (b[1] + b[3]) / 2.0);
  }
  if (total > 0) {
    const double video_s = static_cast<double>(total) / fps;
    const double emg_s = static_cast<double>(in.emg.size(0)) / in.emg_rate_hz;
    if (std::abs(video_s - emg_s) > options.max_duration_gap_s)
      throw InputError(in.emg_name,
                       fmt::format("EMG lasts {:.2f} s but the {} lasts {:.2f} s (more than {} s apart)", emg_s,
                                   in.video.empty() ? "keypoints' record" : "video", video_s, options.max_duration_gap_s));
  }
  if (in.video.empty() == false && track.rows() > 0 && in.keypoints_rate_hz == 0 && total > 0 &&
      std::llabs(track.rows() - total) > static_cast<int64_t>(std::ceil(fps)))
    throw InputError(in.keypoints_name, fmt::format("{} keypoint rows for {} video frames", track.rows(), total));

  const int strip_h = style.strip_height_for(height);
  cv::Mat canvas(height + strip_h, width, CV_8UC3);
  cv::Mat image = canvas(cv::Rect(0, 0, width, height));
  cv::Mat strip = canvas(cv::Rect(0, height, width, strip_h));
  const TraceStrip traces(in.emg, in.emg_rate_hz, width, style, in.emg_lower, in.emg_upper);
  const torch::Tensor emg = in.emg.to(torch::kFloat).contiguous();
  const float* e = emg.data_ptr<float>();
  const int64_t n = emg.size(0);

  AtomicVideoWriter writer(out_path);
  result.codec = writer.open(fps, canvas.size());
  for (int64_t i = 0;; ++i) {
    if (source) {
      if (i > 0 && !source->next(frame, t)) break;
      frame.copyTo(image);
    } else {
      if (i >= total) break;
      t = static_cast<double>(i) / fps;
      image.setTo(cv::Scalar(46, 40, 40));
    }
    const int64_t s = std::clamp<int64_t>(static_cast<int64_t>(std::lround(t * in.emg_rate_hz)), 0, n - 1);
    std::array<float, kReleaseLayout.emg_channels> activation{};
    for (int m = 0; m < kReleaseLayout.emg_channels; ++m) activation[m] = e[s * kReleaseLayout.emg_channels + m];
    if (const auto hand = track.at(i, t)) draw_hand_muscles(image, *hand, activation, style);
    draw_legend(image, style);
    traces.draw(strip, t);
    writer.write(canvas);
    ++result.frames;
    if (progress) progress(result.frames, total);
  }
  writer.finish();
  result.fps = fps, result.width = canvas.cols, result.height = canvas.rows;
  return result;
}

}  // namespace pianokpm::render
