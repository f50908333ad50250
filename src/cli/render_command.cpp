// pianokpm render: the muscle overlay video of an EMG recording (estimated or measured).
#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "cli/render_overlay.h"
#include "data/performance.h"
#include "io/file_names.h"
#include "io/emg_table.h"
#include "core/install_paths.h"
#include "core/input_error.h"
#include "core/stream_layout.h"

namespace pianokpm {

namespace {

struct RenderCommandOptions {
  std::string emg, video, pose, hand = "right", pose_model = "full", model, out;
  double pose_rate_hz = kReleaseLayout.pose_rate_hz, rate_hz = kReleaseLayout.emg_rate_hz;
  bool synthetic = false;
  render::OverlayVideoOptions render;
};

int run_render(const RenderCommandOptions& o) {
  require_output_extension(o.out, {".mp4", ".avi"});
  if (o.video.empty() && o.pose.empty()) throw InputError("--video", "give the video (--video), the keypoints (--pose), or both");
  render::OverlayVideoInput in;
  const EmgWithInterval table = read_emg_with_interval(o.emg);  // bounds (predict --interval) draw a band
  in.emg = table.emg;
  in.emg_lower = table.lower;
  in.emg_upper = table.upper;
  in.emg_rate_hz = o.rate_hz;
  in.emg_name = o.emg;
  in.video = o.video;
  if (!o.pose.empty()) {
    in.keypoints = read_pose_array(o.pose, kReleaseLayout);
    in.keypoints_rate_hz = o.pose_rate_hz;
    in.keypoints_name = o.pose;
  } else {
    pose::VideoPoseOptions vo;
    vo.tracker.model_dir = mediapipe_models_dir();
    vo.tracker.complexity = o.pose_model;
    vo.hand = o.hand;
    vo.rate_hz = 0;
    const pose::VideoPose p = extract_pose_with_progress(o.video, vo);
    pose::require_hand_found(o.video, p, o.hand);
    in.keypoints = p.source_keypoints;
  }
  render::OverlayVideoOptions ro = o.render;
  if (o.synthetic || (!o.model.empty() && load_estimator(o.model).synthetic())) ro.style.note = synthetic_overlay_note();
  const auto r = render_overlay_with_progress(in, ro, o.out);
  spdlog::info("wrote {} ({} frames at {:.2f} fps, {}x{}, {}; top colour = activation {:.3g})", o.out, r.frames, r.fps, r.width,
               r.height, r.codec, r.activation_scale);
  return 0;
}

}  // namespace

CommandRunner add_render_command(CLI::App& app) {
  auto o = std::make_shared<RenderCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("render",
                         "Draw the six muscles on the hand, coloured by their activation, over the video (or the keypoints on "
                         "a plain background), with the traces scrolling below; one frame per input frame");
  cmd->add_option("--emg", o->emg, emg_file_help())->required();
  cmd->add_option("--video", o->video, "Source video; the hand is tracked in it unless --pose is given");
  cmd->add_option(
      "--pose", o->pose,
      fmt::format("Keypoints [T,{},C>=2] (.pkl/.npy/.csv/.json) in the video's pixels or 0..1", kReleaseLayout.num_keypoints));
  cmd->add_option("--pose-rate", o->pose_rate_hz, "Keypoint frames per second")->capture_default_str();
  cmd->add_option("--hand", o->hand, "Hand to track in the video: right, left or any")->capture_default_str();
  cmd->add_option("--pose-model", o->pose_model, "MediaPipe model size: full or lite")->capture_default_str();
  cmd->add_option("--rate", o->rate_hz, "EMG samples per second")->capture_default_str();
  cmd->add_option("--model", o->model, "The model that estimated the EMG (its provenance is noted on the frames)");
  cmd->add_flag("--synthetic-model", o->synthetic, "Note on the frames that the model was trained on synthetic data");
  cmd->add_option("--strip-seconds", o->render.style.strip_window_s, "Seconds of trace in the strip")->capture_default_str();
  cmd->add_option("--width", o->render.canvas_width, "Frame width without a video")->capture_default_str();
  cmd->add_option("--height", o->render.canvas_height, "Frame height without a video")->capture_default_str();
  cmd->add_option("-o,--out", o->out, "Output video, .mp4 (H.264 where available) or .avi")->required();
  return [o] { return run_render(*o); };
}

}  // namespace pianokpm
