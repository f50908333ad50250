// Speed of `pianokpm pose` per video frame (docs/performance.md): a 640x480 frame with one hand,
// tracked from frame to frame, MediaPipe's full and lite models. Threads: PIANOKPM_THREADS.
#include <benchmark/benchmark.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <cstdlib>
#include <thread>

#include "pose/hand_tracker.h"

namespace pianokpm {
namespace {

// The hand photo (480x640 portrait) scaled into a 640x480 landscape frame.
cv::Mat frame_640x480() {
  cv::Mat photo = cv::imread(std::string(PIANOKPM_FIXTURES) + "/hands/nocurl.jpg"), small, frame, rgb;
  cv::resize(photo, small, cv::Size(360, 480));
  cv::copyMakeBorder(small, frame, 0, 0, 140, 140, cv::BORDER_REPLICATE);
  cv::cvtColor(frame, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

// range(0): 0 lite, 1 full; range(1): hands MediaPipe looks for (2 is its default: with one hand
// in view the palm detector then runs on every frame; 1 runs it only when the hand is lost).
void BM_PoseFrame(benchmark::State& state) {
  const char* env = std::getenv("PIANOKPM_THREADS");
  torch::set_num_threads(env ? std::atoi(env) : static_cast<int>(std::thread::hardware_concurrency()));
  pose::HandTrackerOptions o;
  o.model_dir = PIANOKPM_MEDIAPIPE_MODELS;
  o.complexity = state.range(0) == 0 ? "lite" : "full";
  o.max_hands = static_cast<int>(state.range(1));
  pose::HandTracker tracker(o);
  const cv::Mat frame = frame_640x480();
  tracker.process(frame);  // the first frame detects; the timed ones track
  for (auto _ : state) benchmark::DoNotOptimize(tracker.process(frame));
  state.counters["fps"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PoseFrame)
    ->ArgsProduct({{0, 1}, {1, 2}})
    ->ArgNames({"full", "max_hands"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace pianokpm
