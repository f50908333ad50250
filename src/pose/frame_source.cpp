#include "pose/frame_source.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "io/file_names.h"
#include "core/input_error.h"

namespace pianokpm::pose {

bool is_image_path(const std::string& path) {
  static const std::vector<std::string> kImageExtensions = {".png",  ".jpg",  ".jpeg", ".bmp", ".tif",
                                                            ".tiff", ".webp", ".ppm",  ".pgm"};
  const std::string ext = lowercase_extension(path);
  return std::find(kImageExtensions.begin(), kImageExtensions.end(), ext) != kImageExtensions.end();
}

FrameSource::FrameSource(const std::string& path, double images_fps, double fallback_fps) : path_(path) {
  namespace fs = std::filesystem;
  if (!fs::exists(path)) throw InputError(path, "no such file or folder");
  if (fs::is_directory(path)) {
    for (const auto& entry : fs::directory_iterator(path))
      if (entry.is_regular_file() && is_image_path(entry.path().string())) images_.push_back(entry.path().string());
    std::sort(images_.begin(), images_.end());
    if (images_.empty()) throw InputError(path, "the folder holds no image files");
    if (!(images_fps > 0)) throw InputError(path, "an image folder needs a frame rate (--fps)");
    fps_ = images_fps;
    count_hint_ = static_cast<int64_t>(images_.size());
    return;
  }
  if (is_image_path(path)) {
    images_.push_back(path);
    fps_ = images_fps > 0 ? images_fps : 1;
    count_hint_ = 1;
    return;
  }
  // FFmpeg only: it reads nearly every format, and letting OpenCV fall through to GStreamer on a
  // broken file prints pages of GStreamer warnings. FFmpeg's own messages are silenced too (the
  // error we raise names the file), unless the user sets OPENCV_FFMPEG_LOGLEVEL.
  ::setenv("OPENCV_FFMPEG_LOGLEVEL", "-8", 0);
  video_.open(path, cv::CAP_FFMPEG);
  if (!video_.isOpened()) throw InputError(path, "cannot open the video (corrupt, truncated or a format OpenCV cannot decode)");
  fps_ = video_.get(cv::CAP_PROP_FPS);
  if (!(fps_ > 0 && fps_ < 10000)) {
    if (!(fallback_fps > 0)) throw InputError(path, "the video does not state its frame rate (give --fps)");
    fps_ = fallback_fps;
  }
  const double n = video_.get(cv::CAP_PROP_FRAME_COUNT);
  count_hint_ = n > 0 && std::isfinite(n) ? static_cast<int64_t>(n) : -1;
}

bool FrameSource::next(cv::Mat& bgr, double& time_s) {
  if (video_.isOpened()) {
    if (!video_.read(bgr) || bgr.empty()) return false;
  } else {
    if (read_ >= static_cast<int64_t>(images_.size())) return false;
    const std::string& file = images_[static_cast<size_t>(read_)];
    bgr = cv::imread(file, cv::IMREAD_COLOR);
    if (bgr.empty()) throw InputError(file, "cannot decode the image (corrupt, truncated or an unknown format)");
  }
  time_s = static_cast<double>(read_) / fps_;
  ++read_;
  return true;
}

}  // namespace pianokpm::pose
