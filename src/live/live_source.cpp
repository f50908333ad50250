#include "live/live_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "core/input_error.h"

namespace pianokpm::live {

void LiveSourceOptions::check() const {
  if (source.empty())
    throw std::invalid_argument("--source is required (a camera index, /dev/videoN, a stream URL or a video file)");
  if (!(fallback_fps > 0)) throw std::invalid_argument("the fallback frame rate must be positive");
  if (camera_width < 0 || camera_height < 0) throw std::invalid_argument("the camera size must not be negative");
  if (open_timeout_ms < 1 || read_timeout_ms < 1) throw std::invalid_argument("stream timeouts must be positive");
}

SourceKind source_kind(const std::string& source) {
  if (!source.empty() && std::all_of(source.begin(), source.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return SourceKind::kCamera;
  if (source.rfind("/dev/", 0) == 0) return SourceKind::kCamera;
  if (source.find("://") != std::string::npos) return SourceKind::kStream;
  return SourceKind::kFile;
}

LiveSource::LiveSource(const LiveSourceOptions& options) : options_(options), kind_(source_kind(options.source)) {
  options.check();
  const std::string& s = options.source;
  switch (kind_) {
    case SourceKind::kCamera: {
      if (s.rfind("/dev/", 0) == 0 && !std::filesystem::exists(s)) throw InputError(s, "no such camera device");
      const bool index = s.rfind("/dev/", 0) != 0;
      if (index ? !capture_.open(std::stoi(s), cv::CAP_V4L2) : !capture_.open(s, cv::CAP_V4L2))
        throw InputError(s, "the camera cannot be opened (in use, or not a video capture device?)");
      if (options.camera_width > 0) capture_.set(cv::CAP_PROP_FRAME_WIDTH, options.camera_width);
      if (options.camera_height > 0) capture_.set(cv::CAP_PROP_FRAME_HEIGHT, options.camera_height);
      break;
    }
    case SourceKind::kStream: {
      const std::vector<int> params = {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, options.open_timeout_ms, cv::CAP_PROP_READ_TIMEOUT_MSEC,
                                       options.read_timeout_ms};
      if (!capture_.open(s, cv::CAP_FFMPEG, params))
        throw InputError(s, fmt::format("the stream cannot be opened (nothing answered within {} ms, or not a video stream)",
                                        options.open_timeout_ms));
      break;
    }
    case SourceKind::kFile:
      if (!std::filesystem::is_regular_file(s)) throw InputError(s, "no such video file");
      if (!capture_.open(s, cv::CAP_FFMPEG) && !capture_.open(s)) throw InputError(s, "cannot be opened as a video");
      break;
  }
  const double stated = capture_.get(cv::CAP_PROP_FPS);
  fps_ = stated >= 1 && stated <= 1000 ? stated : options.fallback_fps;
}

bool LiveSource::next(SourceFrame& frame) {
  if (!capture_.isOpened() || !capture_.read(frame.bgr) || frame.bgr.empty()) return false;
  frame.arrival = Clock::now();
  if (read_.load() == 0) first_arrival_ = frame.arrival;
  frame.index = read_.fetch_add(1);
  if (kind_ == SourceKind::kCamera) {
    frame.media_time_s = std::chrono::duration<double>(frame.arrival - first_arrival_).count();
    return true;
  }
  frame.media_time_s = static_cast<double>(frame.index) / fps_;
  if (kind_ == SourceKind::kFile && options_.realtime) {
    const auto due =
        first_arrival_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(frame.media_time_s));
    std::this_thread::sleep_until(due);
    frame.arrival = std::max(frame.arrival, due);
  }
  return true;
}

}  // namespace pianokpm::live
