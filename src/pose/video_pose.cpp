#include "pose/video_pose.h"

#include <fmt/format.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <filesystem>
#include <optional>
#include <unistd.h>

#include "core/blas_threads.h"
#include "io/file_names.h"
#include "core/input_error.h"
#include "pose/frame_source.h"
#include "pose/hand_choice.h"
#include "pose/pose_track.h"
#include "pose/skeleton_overlay.h"

namespace pianokpm::pose {

namespace {

// Written under a temporary name in the same folder and renamed when complete.
class OverlayWriter {
 public:
  OverlayWriter(const std::string& path, bool single_image, double fps) : path_(path), single_image_(single_image), fps_(fps) {
    const std::filesystem::path p(path);
    temp_ = (p.parent_path() / ("." + p.stem().string() + ".partial-" + std::to_string(::getpid()) + p.extension().string()))
                .string();
  }
  ~OverlayWriter() {
    std::error_code ignored;
    if (!done_) std::filesystem::remove(temp_, ignored);
  }
  void write(const cv::Mat& frame) {
    if (single_image_) {
      if (!cv::imwrite(temp_, frame)) throw InputError(path_, "cannot write the overlay image");
      return;
    }
    if (!video_.isOpened()) {
      video_.open(temp_, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), fps_, frame.size());
      if (!video_.isOpened()) throw InputError(path_, "cannot write the overlay video (use .mp4 or .avi)");
    }
    video_.write(frame);
  }
  void finish() {
    if (video_.isOpened()) video_.release();
    std::filesystem::rename(temp_, path_);
    done_ = true;
  }

 private:
  std::string path_, temp_;
  bool single_image_;
  double fps_;
  cv::VideoWriter video_;
  bool done_ = false;
};

}  // namespace

void VideoPoseOptions::check() const {
  tracker.check();
  if (hand != "right" && hand != "left" && hand != "any")
    throw std::invalid_argument("the hand must be right, left or any, not '" + hand + "'");
  if (!(rate_hz >= 0)) throw std::invalid_argument("the pose rate must not be negative");
  if (device != "cpu" && device.rfind("cuda", 0) != 0)
    throw std::invalid_argument("the device must be cpu or cuda, not '" + device + "'");
  if (device != "cpu" && !torch::cuda::is_available())
    throw std::invalid_argument("device " + device + ": this libtorch has no CUDA device");
}

VideoPose extract_pose(const std::string& input, const VideoPoseOptions& options, const FrameProgress& progress) {
  options.check();
  FrameSource frames(input, options.images_fps, options.fallback_fps);
  HandTrackerOptions tracker_options = options.tracker;
  // Unrelated still images are detected afresh; frames of one video or folder are tracked.
  if (!frames.is_video() && frames.frame_count_hint() == 1) tracker_options.static_images = true;
  HandTracker tracker(tracker_options, torch::Device(options.device));
  // The tracker's operations are small: a second thread gains nothing on an idle machine (10.0 s
  // against 10.1 s for the 12-s demo video) and stalls each one while the other core is busy.
  const ScopedOpenMpThreads one_thread(1);

  std::optional<OverlayWriter> overlay;
  if (!options.overlay_path.empty()) {
    const bool single = frames.frame_count_hint() == 1 && !frames.is_video();
    if (single != is_image_path(options.overlay_path))
      throw InputError(options.overlay_path, single ? "the overlay of one image must be an image file (.png, .jpg)"
                                                    : "the overlay of a video or image folder must be a video file (.mp4, .avi)");
    overlay.emplace(options.overlay_path, single, frames.fps());
  }

  VideoPose result;
  PoseTrack track;
  cv::Mat bgr, rgb;
  double t = 0;
  while (frames.next(bgr, t)) {
    if (result.source_frames == 0) {
      result.width = bgr.cols, result.height = bgr.rows;
    } else if (bgr.cols != result.width || bgr.rows != result.height) {
      throw InputError(input, "frames change size part way (" + std::to_string(result.width) + "x" +
                                  std::to_string(result.height) + " then " + std::to_string(bgr.cols) + "x" +
                                  std::to_string(bgr.rows) + ")");
    }
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    const std::vector<TrackedHand> hands = tracker.process(rgb);
    const std::optional<size_t> chosen = pick_hand(hands, options.hand);
    std::array<float, kHandLandmarks * 3> frame{};
    if (chosen) {
      frame = hand_pixels(hands[*chosen].landmarks, bgr.cols, bgr.rows);
      ++result.frames_with_hand;
    } else if (!hands.empty()) {
      ++result.frames_with_other_hand;
    }
    track.add(t, frame);
    if (overlay) {
      for (size_t i = 0; i < hands.size(); ++i) draw_skeleton(bgr, hands[i].landmarks, chosen && *chosen == i);
      overlay->write(bgr);
    }
    ++result.source_frames;
    if (progress) progress(result.source_frames, frames.frame_count_hint());
  }
  if (result.source_frames == 0) throw InputError(input, "no frame could be decoded (empty, corrupt or truncated video)");
  result.source_fps = frames.fps();
  result.stated_frames = frames.frame_count_hint();
  result.source_keypoints = track.to_tensor();
  result.keypoints = options.rate_hz > 0 ? resample(track, options.rate_hz).to_tensor() : result.source_keypoints;
  if (overlay) overlay->finish();
  return result;
}

void require_hand_found(const std::string& video, const pose::VideoPose& p, const std::string& hand,
                        const std::string& hand_setting) {
  if (p.frames_with_hand > 0) return;
  auto setting = [&](const std::string& side) { return fmt::format(fmt::runtime(hand_setting), side); };
  if (p.frames_with_other_hand > 0) {
    const std::string other = hand == "right" ? "left" : "right";
    throw InputError(video, fmt::format("no {} hand was found in any of its {} frames, but a {} hand in {}: use {} (or {})", hand,
                                        p.source_frames, other, p.frames_with_other_hand, setting(other), setting("any")));
  }
  if (hand == "any")
    throw InputError(video, fmt::format("no hand was found in any of its {} frames (is it in view and lit?)", p.source_frames));
  throw InputError(video, fmt::format("no {} hand was found in any of its {} frames, nor any other hand (is the hand in "
                                      "view and lit? {} chooses the side)",
                                      hand, p.source_frames, setting("left|right|any")));
}

}  // namespace pianokpm::pose
