// pianokpm bench: the speed table of docs/performance.md, measured on the machine it runs on (CPU or
// CUDA), beside the released implementation's figures. Weights are random (speed does not depend
// on them), so the command needs no model file.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "data/windowing.h"
#include "core/install_paths.h"
#include "core/cpu_cores.h"
#include "core/stream_layout.h"
#include "core/device.h"
#include "model/model_registry.h"
#include "predict/performance_inputs.h"
#include "predict/predictor.h"
#include "analysis/emg_analysis.h"
#include "report/html_report.h"
#include "train/trainer.h"
#ifdef PIANOKPM_HAVE_OPENCV
#include "pose/hand_landmarker.h"
#include "pose/palm_detector.h"
#include "render/overlay_video.h"
#include <opencv2/videoio.hpp>
#include <filesystem>
#include <unistd.h>
#endif
#ifdef PIANOKPM_HAVE_LIVE
#include "live/live_pipeline.h"
#include "core/blas_threads.h"
#include "model/checkpoint.h"
#endif

namespace pianokpm {

namespace {

struct BenchCommandOptions {
  std::string device = "cpu";
  int threads = 0, repeats = 3;
  std::string models = mediapipe_models_dir();
};

// What a figure depends on besides the code: the processor, the cores this process may use, the
// memory, the day and how busy the machine was (load average) when the run began.
std::string machine_conditions() {
  std::string cpu = "unknown processor";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  double memory_gib = 0, load = -1;
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  if (meminfo >> key >> memory_gib) memory_gib /= 1024.0 * 1024.0;
  std::ifstream("/proc/loadavg") >> load;
  const std::time_t now = std::time(nullptr);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", std::gmtime(&now));
  return fmt::format("machine: {}, {} cores usable, {:.0f} GiB; {} (UTC); load average {:.2f} at the start; libtorch {}", cpu,
                     usable_cores(), memory_gib, day, load, TORCH_VERSION);
}

// Median wall time of `repeats` runs, after one warm-up run unless told otherwise, in seconds.
double time_it(int repeats, const std::function<void()>& work, const torch::Device& device, bool warm_up = true) {
  auto sync = [&] {
    if (device.is_cuda()) torch::cuda::synchronize();
  };
  if (warm_up) {
    work();
    sync();
  }
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    work();
    sync();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

PerformanceStreams random_performance(int seconds, const ModelConfig& c) {
  PerformanceStreams s;
  s.pose = torch::rand({static_cast<int64_t>(std::llround(seconds * c.pose_rate_hz)), c.pose_channels()}) * 500;
  s.keys = torch::rand({static_cast<int64_t>(std::llround(seconds * c.emg_rate_hz)), c.num_keys});
  return s;
}

int run_bench(const BenchCommandOptions& o) {
  apply_thread_count(o.threads);
  const torch::Device device = parse_device(o.device);
  torch::manual_seed(0);
  const bool cpu = device.is_cpu();
  fmt::print("pianokpm bench on {} ({} CPU threads), fp32, median of {} runs after a warm-up\n{}\n\n", device.str(),
             torch::get_num_threads(), o.repeats, machine_conditions());

  EmgModel net = make_model(ModelConfig{});
  net->to(device);
  const ModelConfig& c = net->config();
  PredictOptions po;
  po.device = device;
  // The same-run baseline: every row is also given in units of one window's latency, which
  // compares across machines and days better than seconds do.
  const PerformanceWindows one(random_performance(1, c), c);
  const double t1 = time_it(
      o.repeats, [&] { predict_performance(net, one, po); }, device);
  const auto row = [&](const std::string& work, const std::string& value, double seconds, const std::string& released,
                       const std::string& goal) {
    const double ratio = seconds / t1;
    fmt::print("| {} | {} | {} | {} | {} |\n", work, value,
               ratio >= 10 ? fmt::format("{:.0f}", ratio) : fmt::format("{:.2f}", ratio), released, goal);
  };
  fmt::print(
      "| work | pianokpm | in one-window latencies (same run) | released (same kind of machine) | goal |\n"
      "|---|---|---|---|---|\n");
  row("predict, one 1-s window (latency; the baseline)", fmt::format("{:.0f} ms", 1000 * t1), t1,
      cpu ? "151 ms (2 cores)" : "198 ms (H100)", cpu ? "<= 60 ms (2 cores)" : "<= 10 ms (H100)");
  {
    // Streaming: what one hop costs when it computes only its new rows (the encoder on them plus
    // its receptive field, the decoder continued from the last row), against the window above.
    torch::NoGradGuard no_grad;
    const torch::Tensor pose = (torch::rand({1, c.pose_channels(), c.pose_frames()}) * 500).to(device);
    const torch::Tensor keys = torch::rand({1, c.num_keys, c.window_samples()}).to(device);
    const torch::Tensor previous = torch::zeros({1, c.emg_channels}, pose.options());
    for (double hop_s : {0.1, 1.0 / 30}) {
      const int64_t rows = static_cast<int64_t>(std::ceil(hop_s * c.emg_rate_hz));
      const double t = time_it(
          o.repeats, [&] { net->stream_tail(pose, keys, rows, previous).to(torch::kCPU); }, device);
      row(fmt::format("live model, one {:.0f}-ms hop computed incrementally ({} rows)", 1000 * hop_s, rows),
          fmt::format("{:.1f} ms", 1000 * t), t, "-", "<= 0.25 one-window latencies");
    }
  }
  {
    const PerformanceWindows minute(random_performance(60, c), c);
    const double t = time_it(
        o.repeats, [&] { predict_performance(net, minute, po); }, device);
    row("predict, 60 s of playing", fmt::format("{:.2f} s, {:.1f}x real time", t, 60 / t), t, cpu ? "7.8 s, 7.7x (2 cores)" : "-",
        cpu ? ">= 20x (2 cores)" : "-");
    if (!cpu) {
      const PerformanceWindows many(random_performance(300, c), c);
      const double t300 = time_it(
          o.repeats, [&] { predict_performance(net, many, po); }, device);
      row("predict, 300 windows", fmt::format("{:.0f} ms", 1000 * t300), t300, "346 ms (H100)", "<= 60 ms (H100)");
    }
  }
  {
    const int64_t batch = cpu ? 8 : 64;
    if (cpu) use_training_cpu_settings();
    net->train();
    torch::optim::AdamW optimizer(net->parameters(), torch::optim::AdamWOptions(1e-4));
    const auto pose = torch::rand({batch, c.pose_channels(), c.pose_frames()}, device);
    const auto keys = torch::rand({batch, c.num_keys, c.window_samples()}, device);
    const auto emg = torch::rand({batch, c.emg_channels, c.window_samples()}, device);
    const double t = time_it(
        o.repeats,
        [&] {
          optimizer.zero_grad();
          auto loss = emg_training_loss(net->forward(pose, keys), emg, 1.0);
          loss.backward();
          torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
          optimizer.step();
        },
        device);
    row(fmt::format("training step, batch {}, MSE + Sinkhorn, AdamW", batch), fmt::format("{:.2f} s", t), t,
        cpu ? "6.5 s (2 cores)" : "1.65 s (H100)", cpu ? "<= 2 s (2 cores)" : "<= 0.2 s (H100)");
  }
#ifdef PIANOKPM_HAVE_OPENCV
  try {
    // Both MediaPipe models on one 640x480 frame: the cost of a frame on which the palm detector
    // runs (MediaPipe's default while fewer than two hands are followed).
    const cv::Mat frame(480, 640, CV_8UC3, cv::Scalar(128, 120, 110));
    for (const std::string size : {"lite", "full"}) {
      const pose::PalmDetector palms(o.models + "/palm_detection_" + size + ".tflite", {}, device);
      const pose::HandLandmarker landmarks(o.models + "/hand_landmark_" + size + ".tflite", device);
      const pose::NormRect roi{0.5f, 0.5f, 0.4f, 0.4f * 640 / 480, 0.3f};
      const double t = time_it(
          std::max(o.repeats, 10),
          [&] {
            palms.detect(frame);
            landmarks.run(frame, roi);
          },
          device);
      const double tl = time_it(
          std::max(o.repeats, 10), [&] { landmarks.run(frame, roi); }, device);
      row(fmt::format("pose, 640x480 frame, {} models: palm + landmarks / landmarks only (tracking)", size),
          fmt::format("{:.1f} ms ({:.0f} fps) / {:.1f} ms ({:.0f} fps)", 1000 * t, 1 / t, 1000 * tl, 1 / tl), t, "-",
          ">= 30 fps lite (2 cores)");
    }
  } catch (const std::exception& e) {
    fmt::print("| pose | not measured: {} | - | - | - |\n", e.what());
  }
#endif
  {
    // The report of one minute: analysis of six envelopes with keys, and the page (no video).
    const auto n = static_cast<int64_t>(std::llround(60 * kReleaseLayout.emg_rate_hz));
    const torch::Tensor emg = torch::rand({n, kReleaseLayout.emg_channels}) * 0.3;
    const torch::Tensor keys = (torch::rand({n, kReleaseLayout.num_keys}) > 0.999).to(torch::kFloat);
    AnalysisOptions ao;
    const double ta = time_it(
        o.repeats, [&] { analyze_emg(emg, keys, ao); }, torch::kCPU);
    row("analyze, 60 s of EMG with keys", fmt::format("{:.0f} ms", 1000 * ta), ta, "-", "-");
    if (html_report_available()) {
      ReportContent rc;
      rc.title = "bench";
      ReportPerformance minute;
      minute.name = "minute";
      minute.estimated = emg;
      minute.keys = keys;
      minute.analysis = analysis_to_json(analyze_emg(emg, keys, ao), ao);
      rc.performances.push_back(minute);
      const double tr = time_it(
          o.repeats, [&] { html_report(rc, ReportOptions{}); }, torch::kCPU);
      row("report page, 60 s of EMG with keys (no video)", fmt::format("{:.0f} ms", 1000 * tr), tr, "-", "-");
    }
  }
#ifdef PIANOKPM_HAVE_OPENCV
  try {
    // render: one minute of 640x480 video at 30 fps with a tracked hand, H.264 out.
    const auto dir = std::filesystem::temp_directory_path() / ("pianokpm_bench_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string source = (dir / "source.avi").string(), out = (dir / "overlay.mp4").string();
    {
      cv::VideoWriter w(source, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30, cv::Size(640, 480));
      cv::Mat frame(480, 640, CV_8UC3);
      for (int i = 0; i < 1800; ++i) {
        frame.setTo(cv::Scalar(90 + i % 60, 100, 110));
        w.write(frame);
      }
    }
    render::OverlayVideoInput in;
    in.video = source;
    in.keypoints = torch::rand({1800, kReleaseLayout.num_keypoints, 3}) * 200 + 200;
    in.emg = torch::rand({static_cast<int64_t>(std::llround(60 * in.emg_rate_hz)), kReleaseLayout.emg_channels});
    std::string codec;
    const double t = time_it(
        o.repeats, [&] { codec = render::render_overlay_video(in, {}, out).codec; }, torch::kCPU,
        /*warm_up=*/false);  // a minute of video is its own warm-up
    row(fmt::format("render, 60 s of 640x480 video at 30 fps ({})", codec), fmt::format("{:.1f} s, {:.1f}x real time", t, 60 / t),
        t, "-", "faster than real time (2 cores)");
    std::filesystem::remove_all(dir);
  } catch (const std::exception& e) {
    fmt::print("| render | not measured: {} | - | - | - |\n", e.what());
  }
#endif
#ifdef PIANOKPM_HAVE_LIVE
  try {
    // live: the demo video (640x480, 30 fps, 12 s) played in real time through tracking and the
    // shipped one-camera model live uses by default; the latency of every row from its frame's arrival.
    live::LiveOptions lo;
    lo.source.source = demo_assets_dir() + "/hand_moving.mp4";
    lo.source.realtime = true;
    lo.tracker.model_dir = o.models;
    lo.tracker.max_hands = 1;
    lo.hand = "any";
    lo.stream.device = device;
    std::atomic<bool> stop{false};
    const LoadedModel model = load_model(shipped_models_dir() + "/" + default_model_name(false, false));
    model.net->to(device);
    const ScopedOpenMpThreads per_stage(1);
    const live::LiveSummary s = live::run_live(lo, model.net, nullptr, {}, stop);
    std::vector<float> l = s.latency_ms;
    std::sort(l.begin(), l.end());
    const auto at = [&](double q) { return l.empty() ? 0.f : l[std::min(l.size() - 1, static_cast<size_t>(q * l.size()))]; };
    std::vector<float> m = s.model_ms;
    std::sort(m.begin(), m.end());
    row(fmt::format("live, 640x480 at 30 fps in real time (12 s), full pose model, hop {:.0f} ms: frame-to-EMG latency "
                    "median / 99th pct, frames dropped; the model per hop ({}) against one whole window, in the same run",
                    1000 * lo.stream.hop_s, s.incremental ? "incremental" : "whole windows"),
        fmt::format("{:.0f} ms / {:.0f} ms, {} of {} dropped; {:.1f} ms per hop, window {:.1f} ms", at(0.5), at(0.99),
                    s.stats.frames_dropped, s.stats.frames_read, m.empty() ? 0.f : m[m.size() / 2], s.window_ms),
        at(0.5) / 1000.0, "-", "<= 100 / 180 ms, none dropped (2 cores)");
  } catch (const std::exception& e) {
    fmt::print("| live | not measured: {} | - | - | - |\n", e.what());
  }
#endif
  fmt::print("\nReleased figures: measurements of the PyTorch release (H100; 2-core CPU with OpenBLAS).\n");
  return 0;
}

}  // namespace

CommandRunner add_bench_command(CLI::App& app) {
  auto o = std::make_shared<BenchCommandOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure the speed table (predict, training step, pose) on this machine");
  cmd->add_option("--device", o->device, "cpu or cuda")->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  cmd->add_option("--repeats", o->repeats, "Timed runs per row (the median is shown)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option("--models", o->models, "Folder with MediaPipe's .tflite files (pose rows)")->capture_default_str();
  return [o] { return run_bench(*o); };
}

}  // namespace pianokpm
