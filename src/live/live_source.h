#pragma once
// LiveSource: frames as they arrive, from a camera (V4L2 index "0" or device path "/dev/video0"), a
// network stream (rtsp://, http://, udp://, ... through OpenCV's FFmpeg backend) or a video file,
// each with its media time and the wall-clock time it arrived.
// Media time: a file's and a stream's frames are numbered at their stated rate (so a stream of a
// file keeps the file's timeline); a camera's is the time since its first frame arrived.
// A file is read as fast as it decodes, or at its own frame rate with `realtime`.
#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <atomic>
#include <chrono>
#include <string>

namespace pianokpm::live {

using Clock = std::chrono::steady_clock;

// Media time "now", for events that arrive on their own (MIDI): seconds since the first frame
// arrived (how a camera's media time is counted; a realtime file's runs the same way). Set once.
class MediaClock {
 public:
  void start_at(Clock::time_point first_arrival) {
    int64_t expected = 0;
    ns_.compare_exchange_strong(expected, first_arrival.time_since_epoch().count());
  }
  // 0 until the first frame.
  double now_s() const {
    const int64_t start = ns_.load();
    return start == 0 ? 0.0 : std::chrono::duration<double>(Clock::now().time_since_epoch() - Clock::duration(start)).count();
  }

 private:
  std::atomic<int64_t> ns_{0};
};

enum class SourceKind { kCamera, kStream, kFile };

struct LiveSourceOptions {
  std::string source;                       // "0", "/dev/video0", "udp://127.0.0.1:5000", "clip.mp4", ...
  bool realtime = false;                    // a file: deliver frames at its own rate, as a camera would
  double fallback_fps = 30;                 // a file or stream that states no usable rate
  int camera_width = 0, camera_height = 0;  // capture size asked of a camera (0: its default)
  int open_timeout_ms = 10000;              // a stream that does not answer
  int read_timeout_ms = 5000;               // a stream that stops sending: the source ends
  void check() const;                       // throws std::invalid_argument naming the bad field
};

SourceKind source_kind(const std::string& source);

struct SourceFrame {
  int64_t index = 0;  // 0, 1, ... in arrival order
  double media_time_s = 0;
  Clock::time_point arrival;
  cv::Mat bgr;  // 8-bit BGR
};

class LiveSource {
 public:
  // Throws InputError naming the source when it does not exist or cannot be opened.
  explicit LiveSource(const LiveSourceOptions& options);
  // The next frame; false when the source ended (end of file, stream closed or silent, camera gone).
  bool next(SourceFrame& frame);
  SourceKind kind() const { return kind_; }
  double fps() const { return fps_; }  // stated (or fallback) frame rate
  int64_t frames_read() const { return read_; }
  const std::string& name() const { return options_.source; }

 private:
  LiveSourceOptions options_;
  SourceKind kind_;
  cv::VideoCapture capture_;
  double fps_ = 0;
  std::atomic<int64_t> read_{0};  // read by the model thread for its counters
  Clock::time_point first_arrival_;
};

}  // namespace pianokpm::live
