// pianokpm predict: a whole performance (pose files, optional keystrokes) to one EMG series.
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "data/performance.h"
#include "data/windowing.h"
#include "io/array_file.h"
#include "io/atomic_file.h"
#include "io/input_error.h"
#include "model/checkpoint.h"
#include "model/device.h"
#include "predict/predictor.h"
#ifdef PIANOKPM_HAVE_OPENCV
#include "cli/render_overlay.h"
#include "pose/video_pose.h"
#endif

namespace pianokpm {

namespace {

struct PredictCommandOptions {
  std::string model_path;
  std::string config_path;  // model config for official state dicts (ours carry theirs)
  std::string pose_top, pose_right, keys, midi, out;
  std::string video_top, video_right, hand = "right", pose_model = "full", overlay_top;
  std::string device = "cpu";
  int threads = 0;
  int64_t batch_windows = 64;
};

// Tracks the hand in a video at the pose rate, in the units the model was trained on: normalized
// image coordinates divided by its pose_scale (1: the release's 0..1 coordinates; 1/1280, 1/720:
// the synthetic corpus's pixels).
// `source_keypoints` receives the tracked hand at the video's own frames (for the overlay).
torch::Tensor pose_from_video(const std::string& video, const PredictCommandOptions& o, const ModelConfig& c,
                              torch::Tensor* source_keypoints) {
#ifdef PIANOKPM_HAVE_OPENCV
  pose::VideoPoseOptions vo;
  vo.tracker.model_dir = PIANOKPM_DEFAULT_MEDIAPIPE_DIR;
  vo.tracker.complexity = o.pose_model;
  vo.hand = o.hand;
  vo.rate_hz = c.pose_frames;
  vo.device = o.device;
  const pose::VideoPose p = extract_pose_with_progress(video, vo);
  spdlog::info("{}: {} frames, the {} hand in {}", video, p.source_frames, o.hand, p.frames_with_hand);
  pose::require_hand_found(video, p, o.hand);
  if (source_keypoints) *source_keypoints = p.source_keypoints;
  torch::Tensor k = p.keypoints.clone();
  k.select(2, 0).div_(static_cast<double>(p.width) * c.pose_scale[0]);
  k.select(2, 1).div_(static_cast<double>(p.height) * c.pose_scale[1]);
  return k;
#else
  (void)o, (void)c, (void)source_keypoints;
  throw InputError(video, "this build has no OpenCV, so no video input (give keypoint files with --pose-top)");
#endif
}

// The muscle overlay of the top view: over the video when there is one, else over its keypoints.
void write_overlay(const PredictCommandOptions& o, const ModelConfig& c, const torch::Tensor& emg,
                   const torch::Tensor& video_keypoints) {
#ifdef PIANOKPM_HAVE_OPENCV
  render::OverlayVideoInput in;
  in.emg = emg;
  in.emg_rate_hz = c.window_samples;
  in.emg_name = o.out;
  if (!o.video_top.empty()) {
    in.video = o.video_top;
    in.keypoints = video_keypoints;
  } else {
    in.keypoints = read_pose_array(o.pose_top, c);
    in.keypoints_rate_hz = c.pose_frames;
    in.keypoints_name = o.pose_top;
  }
  render::OverlayVideoOptions ro;
  if (model_is_synthetic(o.model_path)) ro.style.note = synthetic_overlay_note();
  const auto r = render_overlay_with_progress(in, ro, o.overlay_top);
  spdlog::info("wrote {} ({} frames at {:.2f} fps, {})", o.overlay_top, r.frames, r.fps, r.codec);
#else
  (void)c, (void)emg, (void)video_keypoints;
  throw InputError(o.overlay_top, "this build has no OpenCV, so no overlay video");
#endif
}

// Without --model: the shipped model trained on the synthetic corpus that reads what was given.
std::string default_model(const PredictCommandOptions& o) {
  const bool right = !o.pose_right.empty() || !o.video_right.empty();
  const bool keys = !o.keys.empty() || !o.midi.empty();
  const std::string name = right && keys ? "synthetic_pianokpm.pt" : keys ? "synthetic_top_pose_keys.pt" : "synthetic_top_pose.pt";
  return std::string(PIANOKPM_DEFAULT_MODELS_DIR) + "/" + name;
}

int run_predict(PredictCommandOptions o) {
  if (o.model_path.empty()) {
    o.model_path = default_model(o);
    spdlog::info("no --model given: using {}", o.model_path);
  }
  apply_thread_count(o.threads);
  const torch::Device device = parse_device(o.device);
  require_output_extension(o.out, {".csv", ".npy"});
  if (!o.overlay_top.empty()) {
    require_output_extension(o.overlay_top, {".mp4", ".avi"});
    if (o.video_top.empty() && o.pose_top.empty()) throw InputError("--overlay", "the overlay needs --video-top or --pose-top");
  }
  LoadedModel model = load_model(o.model_path, read_model_config_option(o.config_path));
  const ModelConfig& c = model.net->config();
  spdlog::info("model {} ({}, {}), device {}, {} threads", o.model_path, model.format, to_string(c.modality),
               device.str(), torch::get_num_threads());

  PerformancePaths paths;
  torch::Tensor overlay_keypoints;  // top view at the video's frames
  if (uses_pose(c.modality)) {
    const std::string top = o.video_top.empty() ? o.pose_top : o.video_top;
    const std::string right = o.video_right.empty() ? o.pose_right : o.video_right;
    if (top.empty()) throw InputError("--pose-top", "this model needs the top view (--pose-top or --video-top)");
    paths.pose_views.push_back(top);
    if (c.num_views >= 2) {
      if (right.empty())
        throw InputError("--pose-right", "this model reads two views: give --pose-right or --video-right, or use a one-view model");
      paths.pose_views.push_back(right);
    }
    for (size_t v = 0; v < paths.pose_views.size(); ++v) {
      const bool video = v == 0 ? !o.video_top.empty() : !o.video_right.empty();
      paths.pose_view_arrays.push_back(
          video ? pose_from_video(paths.pose_views[v], o, c, v == 0 ? &overlay_keypoints : nullptr) : torch::Tensor());
    }
  }
  if (uses_keys(c.modality)) {
    paths.keys = o.midi.empty() ? o.keys : o.midi;
    paths.keys_from_midi = !o.midi.empty();
  }
  const PerformanceStreams streams = load_performance(paths, c);
  const PerformanceWindows windows(streams, c);

  ProgressBar bar("predict", "windows", windows.num_windows());
  PredictOptions po;
  po.device = device;
  po.batch_windows = o.batch_windows;
  po.on_progress = [&](int64_t done, int64_t) { bar.update(done); };
  torch::Tensor emg = predict_performance(model.net, windows, po);
  bar.finish();
  // The overlay first: a problem with it (durations, codec) then leaves no CSV behind either.
  if (!o.overlay_top.empty()) write_overlay(o, c, emg, overlay_keypoints);
  write_array(o.out, emg, emg_channel_names());
  spdlog::info("wrote {} ({} rows x {} muscles, {:.2f} s of playing)", o.out, emg.size(0), emg.size(1),
               static_cast<double>(emg.size(0)) / c.window_samples);
  if (model_is_synthetic(o.model_path))
    spdlog::info("these estimates come from a model trained on synthetic data (docs/synthetic-data.md)");
  return 0;
}

}  // namespace

CommandRunner add_predict_command(CLI::App& app) {
  auto o = std::make_shared<PredictCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "predict", "Estimate the EMG envelopes of one performance (one row per keystroke sample; 1024/60 rows per "
                 "pose frame when there are no keys)");
  cmd->add_option("-m,--model", o->model_path,
                  "Model file: our checkpoint (.pt, carries config and modality) or an official PyTorch state dict "
                  "(.pth, released pose+keys configuration unless --config says otherwise). Default: the shipped model "
                  "(trained on synthetic data) for the inputs given: top view only, with or without keys, or both views "
                  "with keys");
  cmd->add_option("--config", o->config_path, "Model config JSON for an official state dict (see configs/model.json)");
  cmd->add_option("--pose-top", o->pose_top, "Top-camera keypoints, .pkl or .npy, [T,21,C>=2] at 60 fps");
  cmd->add_option("--pose-right", o->pose_right, "Right-camera keypoints, .pkl or .npy, [T,21,C>=2] at 60 fps");
  cmd->add_option("--video-top", o->video_top, "Top-camera video (or image folder): hand tracked with MediaPipe Hands")
      ->excludes("--pose-top");
  cmd->add_option("--video-right", o->video_right, "Right-camera video, for two-view models")->excludes("--pose-right");
  cmd->add_option("--hand", o->hand, "Hand to track in the videos: right, left or any")->capture_default_str();
  cmd->add_option("--pose-model", o->pose_model, "MediaPipe model size for videos: full or lite")->capture_default_str();
  cmd->add_option("--overlay", o->overlay_top,
                  "Write the muscle overlay video (.mp4/.avi): the top video, or its keypoints, with each muscle coloured "
                  "by its estimated activation and the traces below (as pianokpm render)");
  auto* keys = cmd->add_option("--keys", o->keys,
                               "Key depth, .pkl or .npy, [N,88] at 1024 Hz, or a MIDI file (optional for pose-only models)");
  cmd->add_option("--midi", o->midi,
                  "Keystrokes from a standard MIDI file (format 0/1), shaped into key depth like the synthetic corpus")
      ->excludes(keys);
  cmd->add_option("-o,--out", o->out, "Output EMG, .csv (header ADM,PB,1DI,2DI,3DI,4DI) or .npy [N,6]")->required();
  cmd->add_option("--device", o->device, "cpu or cuda")->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  cmd->add_option("--batch-windows", o->batch_windows, "Windows (1 s each) per forward pass; bounds memory")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  return [o] { return run_predict(*o); };
}

}  // namespace pianokpm
