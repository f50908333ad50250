// pianokpm pose: video or images -> one hand's 21 MediaPipe keypoints per frame (image pixels and a
// confidence), at the EMG model's pose rate, with MediaPipe Hands' own models run in libtorch.
#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include "core/install_paths.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "io/array_file.h"
#include "io/file_names.h"
#include "pose/video_pose.h"

namespace pianokpm {

namespace {

struct PoseCommandOptions {
  std::string video, out;
  pose::VideoPoseOptions pose;
  int threads = 0;
};

int run_pose(PoseCommandOptions o) {
  apply_thread_count(o.threads);
  require_output_extension(o.out, {".npy", ".pkl", ".csv"});
  const pose::VideoPose result = extract_pose_with_progress(o.video, o.pose);
  if (result.stated_frames > result.source_frames + 1)
    spdlog::warn("{}: the video ended after {} of the {} frames its header states (truncated?)", o.video, result.source_frames,
                 result.stated_frames);
  torch::Tensor k = result.keypoints;
  if (lowercase_extension(o.out) == ".csv") {
    std::vector<std::string> header;
    for (int i = 0; i < pose::kHandLandmarks; ++i)
      for (const char* c : {"x", "y", "confidence"}) header.push_back(fmt::format("k{}_{}", i, c));
    write_array(o.out, k.reshape({k.size(0), -1}), header);
  } else {
    write_array(o.out, k);
  }
  const std::string which = o.pose.hand == "any" ? "a hand" : "the " + o.pose.hand + " hand";
  spdlog::info("{}: {} frames of {}x{} at {:.3g} fps, {} in {} of them", o.video, result.source_frames, result.width,
               result.height, result.source_fps, which, result.frames_with_hand);
  spdlog::info("wrote {} ([{}, {}, 3]: x, y in pixels, confidence; {})", o.out, k.size(0), k.size(1),
               o.pose.rate_hz > 0 ? fmt::format("{} Hz", o.pose.rate_hz) : std::string("source frames"));
  if (!o.pose.overlay_path.empty()) spdlog::info("wrote {} (tracked skeletons)", o.pose.overlay_path);
  return 0;
}

}  // namespace

CommandRunner add_pose_command(CLI::App& app) {
  auto o = std::make_shared<PoseCommandOptions>();
  o->pose.tracker.model_dir = mediapipe_models_dir();
  CLI::App* cmd = app.add_subcommand("pose", "Video or images to hand keypoints (MediaPipe Hands in libtorch)");
  cmd->footer(
      fmt::format("Palm detection, rotated hand crops and landmark regression as MediaPipe Hands does them, with frame-to-frame "
                  "tracking and re-detection when the hand is lost. Frames without the hand get confidence 0. The keypoints "
                  "are resampled (linearly) to --rate, {:g} Hz by default as the EMG model reads them.",
                  o->pose.rate_hz));
  cmd->add_option("-v,--video", o->video, "Video file (any OpenCV reads), an image, or a folder of images")->required();
  cmd->add_option("-o,--out", o->out,
                  fmt::format("Keypoints, .npy or .pkl [T, {}, 3] or .csv (one row per frame)", pose::kHandLandmarks))
      ->required();
  cmd->add_option("--hand", o->pose.hand, "Which hand to follow: right, left or any")->capture_default_str();
  cmd->add_option("--model", o->pose.tracker.complexity, "MediaPipe model size: full or lite")->capture_default_str();
  cmd->add_option("--overlay", o->pose.overlay_path,
                  "Write the frames with the tracked skeletons (.mp4/.avi; .png/.jpg for one image)");
  cmd->add_option("--rate", o->pose.rate_hz, "Output rate in Hz (0: one row per source frame)")->capture_default_str();
  cmd->add_option("--fps", o->pose.images_fps, "Frame rate of an image folder, or of a video that does not state one");
  cmd->add_option("--models", o->pose.tracker.model_dir, "Folder with MediaPipe's .tflite files")->capture_default_str();
  cmd->add_option("--max-hands", o->pose.tracker.max_hands,
                  "Hands MediaPipe follows (2, its default, runs the palm detector every frame while only one is in "
                  "view; 1 runs it only when the hand is lost)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4));
  cmd->add_option("--min-detection-confidence", o->pose.tracker.min_detection_confidence, "Palm score threshold")
      ->capture_default_str();
  cmd->add_option("--min-tracking-confidence", o->pose.tracker.min_tracking_confidence, "Hand presence threshold")
      ->capture_default_str();
  cmd->add_option("--device", o->pose.device, "Run the networks on cpu or cuda")->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  return [o] {
    o->pose.fallback_fps = o->pose.images_fps;
    return run_pose(*o);
  };
}

}  // namespace pianokpm
