// pianokpm predict: a whole performance (pose files, optional keystrokes) to one EMG series.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <memory>

#include "cli/bids_output.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "data/performance.h"
#include "io/file_names.h"
#include "io/array_file.h"
#include "io/atomic_file.h"
#include "core/install_paths.h"
#include "core/input_error.h"
#include "core/device.h"
#include "core/stream_layout.h"
#include "predict/estimator.h"
#include "predict/performance_inputs.h"
#include "predict/window_familiarity.h"
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
  std::string familiarity_out;  // default: beside --out, NAME_familiarity.csv
  BidsOutputFlags bids;
  int threads = 0;
  int64_t batch_windows = 64;
  double interval = 0;  // > 0: write bounds at this coverage level (needs an ensemble)
};

// Column names of the output: the estimates, then with an interval their lower and upper bounds.
std::vector<std::string> output_columns(bool with_interval) {
  std::vector<std::string> names = muscle_names();
  if (!with_interval) return names;
  for (const char* bound : {"_lower", "_upper"})
    for (const auto& m : muscle_names()) names.push_back(m + bound);
  return names;
}

// The muscle overlay of the top view: over the video when there is one, else over its keypoints.
void write_overlay(const PredictCommandOptions& o, const ModelConfig& c, const torch::Tensor& emg,
                   const torch::Tensor& video_keypoints, const Interval& interval, bool unfamiliar, bool synthetic) {
#ifdef PIANOKPM_HAVE_OPENCV
  render::OverlayVideoInput in;
  in.emg = emg;
  in.emg_lower = interval.lower;
  in.emg_upper = interval.upper;
  in.emg_rate_hz = c.emg_rate_hz;
  in.emg_name = o.out;
  if (!o.inputs.video_top.empty()) {
    in.video = o.inputs.video_top;
    in.keypoints = video_keypoints;
  } else {
    in.keypoints = read_pose_array(o.inputs.pose_top, c);
    in.keypoints_rate_hz = c.pose_rate_hz;
    in.keypoints_name = o.inputs.pose_top;
  }
  render::OverlayVideoOptions ro;
  if (synthetic) ro.style.note = synthetic_overlay_note();
  // First, so that a narrow frame still shows it.
  if (unfamiliar) ro.style.note = "UNFAMILIAR INPUT" + std::string(ro.style.note.empty() ? "" : "; ") + ro.style.note;
  const auto r = render_overlay_with_progress(in, ro, o.overlay_top);
  spdlog::info("wrote {} ({} frames at {:.2f} fps, {})", o.overlay_top, r.frames, r.fps, r.codec);
#else
  (void)c, (void)emg, (void)video_keypoints, (void)interval, (void)unfamiliar, (void)synthetic;
  throw InputError(o.overlay_top, "this build has no OpenCV, so no overlay video");
#endif
}

int run_predict(PredictCommandOptions o) {
  if (o.model_path.empty()) {
    o.model_path = default_model_for(o.inputs, shipped_models_dir());
    spdlog::info("no --model given: using {}", o.model_path);
  }
  apply_thread_count(o.threads);
  const torch::Device device = parse_device(o.inputs.device);
  if (o.out.empty() && !o.bids.wanted()) throw InputError("--out", "give --out, --bids or both");
  if (!o.out.empty()) require_output_extension(o.out, {".csv", ".npy"});
  check_bids_flags(o.bids);
  if (!o.familiarity_out.empty()) require_output_extension(o.familiarity_out, {".csv"});
  if (!o.overlay_top.empty()) {
    require_output_extension(o.overlay_top, {".mp4", ".avi"});
    if (o.inputs.video_top.empty() && o.inputs.pose_top.empty())
      throw InputError("--overlay", "the overlay needs --video-top or --pose-top");
  }
  // One model, or an ensemble file (pianokpm ensemble): the members' mean, and bounds with --interval.
  const Estimator est = load_estimator(o.model_path, o.config_path, device);
  if (o.interval > 0) est.require_interval(o.interval, "--interval");
  const ModelConfig& c = est.config();
  spdlog::info("model {} ({}, {}), device {}, {} threads", o.model_path,
               est.is_ensemble() ? fmt::format("ensemble of {}", est.members()) : est.format(), to_string(c.modality),
               device.str(), torch::get_num_threads());

  o.inputs.mediapipe_dir = mediapipe_models_dir();
  report_video_tracking(o.inputs);
  if (lowercase_extension(o.inputs.pose_top) == ".c3d" && c.pose.frame == PoseFrame::kImage) {
    spdlog::warn(
        "{} reads keypoints as its camera's pixels: markers in millimetres from above are not what it learned, "
        "so its estimates depend on their units and orientation (the hand-frame models, synthetic_any_camera.pt and "
        "synthetic_any_camera_keys.pt, read them in any units; they are the defaults for one view)",
        o.model_path);
  }
  const AssembledInputs inputs = read_performance_inputs(o.inputs, c);
  torch::Tensor overlay_keypoints;  // top view at the video's frames
  for (const TrackedVideo& v : inputs.videos)
    if (v.view == 0) overlay_keypoints = v.source_keypoints;

  std::unique_ptr<ProgressBar> bar;  // made at the first batch, once the windows are counted
  EstimateOptions eo;
  eo.batch_windows = o.batch_windows;
  eo.interval = o.interval;
  eo.on_progress = [&bar](int64_t done, int64_t total) {
    if (!bar) bar = std::make_unique<ProgressBar>("predict", "windows", total);
    bar->update(done);
  };
  const auto start = std::chrono::steady_clock::now();
  const Estimate estimate = est.predict(inputs.streams, eo);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (bar) bar->finish();
  const torch::Tensor& emg = estimate.emg;
  const Interval& interval = estimate.interval;
  spdlog::info("predicted {} windows in {:.3f} s", estimate.windows * est.members(), seconds);
  // How familiar the pose is to the model: per window, beside the estimates, and said aloud when not.
  const std::optional<WindowFamiliarity> familiarity = est.familiarity(inputs.streams.pose);
  // The overlay first: a problem with it (durations, codec) then leaves no CSV behind either.
  if (!o.overlay_top.empty())
    write_overlay(o, c, emg, overlay_keypoints, interval, familiarity && familiarity->warn, est.synthetic());
  if (familiarity) {
    const std::string path = o.familiarity_out.empty() && !o.out.empty() ? familiarity_path_for(o.out) : o.familiarity_out;
    if (!path.empty()) {
      write_familiarity_csv(path, *familiarity);
      spdlog::info("wrote {} ({})", path, familiarity->summary());
    }
    if (familiarity->warn) spdlog::warn("{}; {}", familiarity->summary(), familiarity_explanation(est.unfamiliar_fallback()));
  } else if (uses_pose(c.modality)) {
    spdlog::info("no familiarity scores: this model was trained before models carried a reference of their training inputs");
  }
  if (!o.out.empty()) {
    const torch::Tensor out = interval.lower.defined() ? torch::cat({emg, interval.lower, interval.upper}, 1) : emg;
    write_array(o.out, out, output_columns(interval.lower.defined()));
    spdlog::info("wrote {} ({} rows x {} muscles, {:.2f} s of playing)", o.out, emg.size(0), emg.size(1),
                 static_cast<double>(emg.size(0)) / c.emg_rate_hz);
  }
  if (o.bids.wanted()) {
    BidsContent content;
    content.emg = emg;
    content.rate_hz = c.emg_rate_hz;
    content.keys = given_keys(o.inputs, inputs.streams, c, static_cast<double>(emg.size(0)) / c.emg_rate_hz);
    content.provenance = bids_estimate_provenance(o.model_path, c, est.synthetic());
    if (familiarity) content.provenance["Familiarity"] = familiarity->summary();
    write_bids_output(o.bids, content);
  }
  if (est.synthetic()) spdlog::info("these estimates come from a model trained on synthetic data (docs/synthetic-data.md)");
  return 0;
}

}  // namespace

CommandRunner add_predict_command(CLI::App& app) {
  auto o = std::make_shared<PredictCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("predict", fmt::format("Estimate the EMG envelopes of one performance (one row per keystroke sample; "
                                                "{:g}/{:g} rows per pose frame when there are no keys)",
                                                kReleaseLayout.emg_rate_hz, kReleaseLayout.pose_rate_hz));
  cmd->add_option("-m,--model", o->model_path,
                  "Model file: our checkpoint (.pt, carries config and modality), an official PyTorch state dict "
                  "(.pth, released pose+keys configuration unless --config says otherwise) or an ensemble (.json, from "
                  "pianokpm ensemble). Default: the shipped model "
                  "(trained on synthetic data) for the inputs given: top view only (synthetic_any_camera.pt, any camera "
                  "placement; with keys synthetic_any_camera_keys.pt), or both views with keys");
  cmd->add_option("--config", o->config_path, "Model config JSON for an official state dict (see configs/model.json)");
  const std::string keypoints = fmt::format(".pkl, .npy, .csv or .json, [T,{},C>=2] at {:g} fps, or .c3d markers",
                                            kReleaseLayout.num_keypoints, kReleaseLayout.pose_rate_hz);
  cmd->add_option("--pose-top", o->inputs.pose_top, "Top-camera keypoints, " + keypoints);
  cmd->add_option("--pose-right", o->inputs.pose_right, "Right-camera keypoints, " + keypoints);
  cmd->add_option("--c3d-markers", o->inputs.c3d_markers,
                  "For a .c3d --pose-top/--pose-right: JSON naming the marker of each of the 21 keypoints (as convert)");
  cmd->add_option("--video-top", o->inputs.video_top, "Top-camera video (or image folder): hand tracked with MediaPipe Hands")
      ->excludes("--pose-top");
  cmd->add_option("--video-right", o->inputs.video_right, "Right-camera video, for two-view models")->excludes("--pose-right");
  cmd->add_option("--hand", o->inputs.hand, "Hand to track in the videos: right, left or any")->capture_default_str();
  cmd->add_option("--pose-model", o->inputs.pose_model, "MediaPipe model size for videos: full or lite")->capture_default_str();
  cmd->add_option("--overlay", o->overlay_top,
                  "Write the muscle overlay video (.mp4/.avi): the top video, or its keypoints, with each muscle coloured "
                  "by its estimated activation and the traces below (as pianokpm render)");
  auto* keys =
      cmd->add_option("--keys", o->inputs.keys,
                      fmt::format("Key depth, .pkl or .npy, [N,{}] at {:g} Hz, or a MIDI file (optional for pose-only models)",
                                  kReleaseLayout.num_keys, kReleaseLayout.emg_rate_hz));
  cmd->add_option("--midi", o->inputs.midi,
                  "Keystrokes from a standard MIDI file (format 0/1), shaped into key depth like the synthetic corpus")
      ->excludes(keys);
  cmd->add_option(
      "-o,--out", o->out,
      fmt::format("Output EMG, .csv (header {}) or .npy [N,{}]", fmt::join(muscle_names(), ","), kReleaseLayout.emg_channels));
  add_bids_options(cmd, o->bids);
  cmd->add_option("--interval", o->interval,
                  fmt::format("With an ensemble as --model: also write lower and upper bounds at this coverage level (e.g. 0.9; "
                              "columns {0}_lower..{1}_lower, {0}_upper..{1}_upper after the estimates)",
                              muscle_names().front(), muscle_names().back()))
      ->check(CLI::Range(0.5, 0.99));
  cmd->add_option("--familiarity", o->familiarity_out,
                  fmt::format("Where to write each {:g}-s window's familiarity to the model (CSV "
                              "start_s,end_s,familiarity,unfamiliar); default: beside --out as NAME_familiarity.csv. Near 0: "
                              "the keypoints look like nothing the model was trained on",
                              kReleaseLayout.window_seconds));
  cmd->add_option("--device", o->inputs.device, "cpu or cuda")->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  cmd->add_option("--batch-windows", o->batch_windows,
                  fmt::format("Windows ({:g} s each) per forward pass; bounds memory", kReleaseLayout.window_seconds))
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  return [o] { return run_predict(*o); };
}

}  // namespace pianokpm
