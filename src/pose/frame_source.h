#pragma once
// FrameSource: frames with their times from a video file (anything OpenCV decodes), one image, or a
// folder of images (sorted by name, at a given rate). Unreadable input is an InputError naming the
// path; a video that breaks off part way ends early (frames_read() says how far it got).
#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <string>
#include <vector>

namespace pianokpm::pose {

bool is_image_path(const std::string& path);

class FrameSource {
 public:
  // `images_fps`: the rate of an image folder (a single image is one frame at time 0);
  // `fallback_fps`: used only for a video that does not state its rate (0: such a video is an error).
  FrameSource(const std::string& path, double images_fps, double fallback_fps = 0);
  // The next frame, 8-bit BGR as OpenCV reads it; false at the end.
  bool next(cv::Mat& bgr, double& time_s);
  double fps() const { return fps_; }
  int64_t frame_count_hint() const { return count_hint_; }  // -1 when unknown
  int64_t frames_read() const { return read_; }
  bool is_video() const { return video_.isOpened(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  cv::VideoCapture video_;
  std::vector<std::string> images_;
  double fps_ = 0;
  int64_t count_hint_ = -1, read_ = 0;
};

}  // namespace pianokpm::pose
