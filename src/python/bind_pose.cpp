// HandTracker: MediaPipe Hands on numpy frames and on videos.
#include <fmt/format.h>
#include <pybind11/stl.h>

#include <mutex>

#include "core/install_paths.h"
#include "core/device.h"
#include "core/stream_layout.h"
#include "pose/hand_choice.h"
#include "pose/hand_geometry.h"
#include "pose/hand_tracker.h"
#include "pose/video_pose.h"
#include "python/bindings.h"
#include "python/numpy_tensor.h"

namespace pianokpm::python {

namespace {

class Tracker {
 public:
  Tracker(const std::string& model, int max_hands, float min_detection, float min_tracking, const std::string& device,
          const std::string& model_dir)
      : device_(device) {
    options_.model_dir = model_dir;
    options_.complexity = model;
    options_.max_hands = max_hands;
    options_.min_detection_confidence = min_detection;
    options_.min_tracking_confidence = min_tracking;
    options_.check();
    tracker_ = std::make_unique<pose::HandTracker>(options_, parse_device(device, "device"));
  }

  py::list process(const py::array_t<uint8_t, py::array::c_style | py::array::forcecast>& frame) {
    if (frame.ndim() != 3 || frame.shape(2) != 3)
      throw py::value_error("frame: expected an RGB image [H, W, 3] uint8, got " + std::to_string(frame.ndim()) + " dimensions");
    const int h = static_cast<int>(frame.shape(0)), w = static_cast<int>(frame.shape(1));
    std::vector<pose::TrackedHand> hands;
    {
      // A copy: the caller's array may change once the GIL is released.
      const cv::Mat image = cv::Mat(h, w, CV_8UC3, const_cast<uint8_t*>(frame.data())).clone();
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);  // the tracker follows hands from frame to frame
      hands = tracker_->process(image);
    }
    py::list out;
    for (const auto& hand : hands) {
      const auto pixels = pose::hand_pixels(hand.landmarks, w, h);
      torch::Tensor k = torch::from_blob(const_cast<float*>(pixels.data()), {pose::kHandLandmarks, 3}, torch::kFloat).clone();
      py::dict d;
      d["keypoints"] = to_numpy(k);
      d["presence"] = hand.landmarks.presence;
      d["side"] = hand.landmarks.right_hand >= 0.5f ? "right" : "left";
      d["right_hand"] = hand.landmarks.right_hand;
      out.append(d);
    }
    return out;
  }

  py::dict track_video(const py::object& path, const std::string& hand, double rate_hz) {
    pose::VideoPoseOptions vo;
    vo.tracker = options_;
    vo.hand = hand;
    vo.rate_hz = rate_hz;
    vo.device = device_;
    const std::string video = path_string(path);
    pose::VideoPose p;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      p = pose::extract_pose(video, vo);
      pose::require_hand_found(video, p, hand, "hand=\"{}\"");
    }
    py::dict d;
    d["keypoints"] = to_numpy(p.keypoints);
    d["source_keypoints"] = to_numpy(p.source_keypoints);
    d["width"] = p.width;
    d["height"] = p.height;
    d["source_fps"] = p.source_fps;
    d["source_frames"] = p.source_frames;
    d["frames_with_hand"] = p.frames_with_hand;
    return d;
  }

  void reset() {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    tracker_->reset();
  }

 private:
  pose::HandTrackerOptions options_;
  std::string device_;
  std::unique_ptr<pose::HandTracker> tracker_;
  std::mutex mutex_;
};

}  // namespace

void bind_pose(py::module_& m) {
  // Docstrings with MediaPipe's landmarks and the release's pose rate (pybind11 copies them).
  const std::string process_doc = fmt::format(
      R"(Hands in one RGB frame [H, W, 3] uint8 (OpenCV reads BGR: convert first).
Returns a list of dicts: keypoints float32 [{}, 3] (x, y in pixels, the hand's presence as
confidence), presence, side ("right" or "left") and right_hand (its probability).)",
      pose::kHandLandmarks);
  const std::string track_video_doc = fmt::format(
      R"(One hand through a whole video (or image folder), as `pianokpm pose` does.
hand: "right", "left" or "any". rate_hz: output rate ({:g} for the models; 0 keeps the video's frames).
Returns a dict: keypoints float32 [T, {}, 3] (pixels, confidence; zeros where no hand) at rate_hz,
source_keypoints at the video's frames, width, height, source_fps, source_frames, frames_with_hand.)",
      kReleaseLayout.pose_rate_hz, pose::kHandLandmarks);
  py::class_<Tracker>(m, "HandTracker", R"(MediaPipe Hands (palm detector + landmark model) in libtorch.

Frames of one video go through process() in order: hands found in one frame are followed into the
next, as MediaPipe does; call reset() between unrelated images or videos.)")
      .def(py::init<const std::string&, int, float, float, const std::string&, const std::string&>(), py::arg("model") = "full",
           py::arg("max_hands") = 2, py::arg("min_detection_confidence") = 0.5f, py::arg("min_tracking_confidence") = 0.5f,
           py::arg("device") = "cpu", py::arg("model_dir") = mediapipe_models_dir(),
           R"(model: "full" or "lite". model_dir: the folder with MediaPipe's .tflite files.)")
      .def("process", &Tracker::process, py::arg("frame"), process_doc.c_str())
      .def("track_video", &Tracker::track_video, py::arg("path"), py::arg("hand") = "right",
           py::arg("rate_hz") = kReleaseLayout.pose_rate_hz, track_video_doc.c_str())
      .def("reset", &Tracker::reset, "Forget the hands being followed.");
}

}  // namespace pianokpm::python
