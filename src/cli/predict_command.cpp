// pianokpm predict: a whole performance (pose files, optional keystrokes) to one EMG series.
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/performance_inputs.h"
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
#endif

namespace pianokpm {

namespace {

struct PredictCommandOptions {
  std::string model_path;
  std::string config_path;  // model config for official state dicts (ours carry theirs)
  PerformanceInputs inputs;
  std::string out, overlay_top;
  int threads = 0;
  int64_t batch_windows = 64;
};

// The muscle overlay of the top view: over the video when there is one, else over its keypoints.
void write_overlay(const PredictCommandOptions& o, const ModelConfig& c, const torch::Tensor& emg,
                   const torch::Tensor& video_keypoints) {
#ifdef PIANOKPM_HAVE_OPENCV
  render::OverlayVideoInput in;
  in.emg = emg;
  in.emg_rate_hz = c.window_samples;
  in.emg_name = o.out;
  if (!o.inputs.video_top.empty()) {
    in.video = o.inputs.video_top;
    in.keypoints = video_keypoints;
  } else {
    in.keypoints = read_pose_array(o.inputs.pose_top, c);
    in.keypoints_rate_hz = c.pose_frames;
    in.keypoints_name = o.inputs.pose_top;
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

int run_predict(PredictCommandOptions o) {
  if (o.model_path.empty()) {
    o.model_path = default_model_for(o.inputs);
    spdlog::info("no --model given: using {}", o.model_path);
  }
  apply_thread_count(o.threads);
  const torch::Device device = parse_device(o.inputs.device);
  require_output_extension(o.out, {".csv", ".npy"});
  if (!o.overlay_top.empty()) {
    require_output_extension(o.overlay_top, {".mp4", ".avi"});
    if (o.inputs.video_top.empty() && o.inputs.pose_top.empty()) throw InputError("--overlay", "the overlay needs --video-top or --pose-top");
  }
  LoadedModel model = load_model(o.model_path, read_model_config_option(o.config_path));
  const ModelConfig& c = model.net->config();
  spdlog::info("model {} ({}, {}), device {}, {} threads", o.model_path, model.format, to_string(c.modality),
               device.str(), torch::get_num_threads());

  torch::Tensor overlay_keypoints;  // top view at the video's frames
  const PerformanceStreams streams = load_performance_inputs(o.inputs, c, &overlay_keypoints);
  const PerformanceWindows windows(streams, c);

  ProgressBar bar("predict", "windows", windows.num_windows());
  PredictOptions po;
  po.device = device;
  po.batch_windows = o.batch_windows;
  po.on_progress = [&](int64_t done, int64_t) { bar.update(done); };
  const auto start = std::chrono::steady_clock::now();
  torch::Tensor emg = predict_performance(model.net, windows, po);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  bar.finish();
  spdlog::info("predicted {} windows in {:.3f} s", windows.num_windows(), seconds);
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
  cmd->add_option("--pose-top", o->inputs.pose_top, "Top-camera keypoints, .pkl or .npy, [T,21,C>=2] at 60 fps");
  cmd->add_option("--pose-right", o->inputs.pose_right, "Right-camera keypoints, .pkl or .npy, [T,21,C>=2] at 60 fps");
  cmd->add_option("--video-top", o->inputs.video_top, "Top-camera video (or image folder): hand tracked with MediaPipe Hands")
      ->excludes("--pose-top");
  cmd->add_option("--video-right", o->inputs.video_right, "Right-camera video, for two-view models")->excludes("--pose-right");
  cmd->add_option("--hand", o->inputs.hand, "Hand to track in the videos: right, left or any")->capture_default_str();
  cmd->add_option("--pose-model", o->inputs.pose_model, "MediaPipe model size for videos: full or lite")->capture_default_str();
  cmd->add_option("--overlay", o->overlay_top,
                  "Write the muscle overlay video (.mp4/.avi): the top video, or its keypoints, with each muscle coloured "
                  "by its estimated activation and the traces below (as pianokpm render)");
  auto* keys = cmd->add_option("--keys", o->inputs.keys,
                               "Key depth, .pkl or .npy, [N,88] at 1024 Hz, or a MIDI file (optional for pose-only models)");
  cmd->add_option("--midi", o->inputs.midi,
                  "Keystrokes from a standard MIDI file (format 0/1), shaped into key depth like the synthetic corpus")
      ->excludes(keys);
  cmd->add_option("-o,--out", o->out, "Output EMG, .csv (header ADM,PB,1DI,2DI,3DI,4DI) or .npy [N,6]")->required();
  cmd->add_option("--device", o->inputs.device, "cpu or cuda")->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  cmd->add_option("--batch-windows", o->batch_windows, "Windows (1 s each) per forward pass; bounds memory")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  return [o] { return run_predict(*o); };
}

}  // namespace pianokpm
