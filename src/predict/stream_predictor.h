#pragma once
// StreamPredictor: EMG produced continuously from a growing pose stream (and keystrokes). Every
// `hop_s` of new frames it runs the model on the one window that ends at the newest pose-rate
// frame (window_s = pose_frames / pose rate, 1 s for the released model) and returns only the
// samples not returned before, i.e. the newest hop_s of the window.
//
// Timelines: pose-rate frame k is at k / pose_rate_hz (60 Hz: MediaPipe keypoints of the source
// frames resampled onto that grid by pose/pose_track.h, as offline); EMG sample i is at
// i / emg_rate_hz (1024 Hz). Windows end on the hop grid (pose-rate frames hop-1, 2 hop-1, ...).
// A window that starts at a frame that is not a multiple of 15 starts between two EMG samples: row
// i takes the window's output at or before its time (under 1 ms earlier). With hop_s = window_s
// the windows are exactly offline predict's windows.
//
// Incremental (the default, for models that stream, EmgModelImpl::streams(), and hops shorter than
// the window): a hop computes only
// what it adds. The encoder runs on the newest rows plus its receptive field, giving exactly the
// whole window's features there, and the autoregressive decoder continues from the last row it
// emitted instead of running the window from zero. The first hop, and the first after rows were
// left out, runs the whole window (a cold start). Whole (incremental false): every hop runs the
// whole window and keeps its newest rows, as offline predict would.
#include <torch/torch.h>

#include <array>
#include <cmath>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "model/emg_model.h"
#include "pose/hand_geometry.h"
#include "pose/pose_track.h"

namespace pianokpm {

// Key depth [samples, num_keys] float32 for media times first_s + i / rate_hz, as known at now_s:
// keystrokes as they arrive (live/live_keys.h: key_source), or a slice of a recorded array.
using StreamKeys = std::function<torch::Tensor(double first_s, int64_t samples, double rate_hz, double now_s)>;
// A recorded key-depth array [N, num_keys] (sample i at i / rate_hz) as StreamKeys: every sample is
// known at any time; samples outside the array are keys at rest (0).
StreamKeys recorded_keys(torch::Tensor keys);

struct StreamOptions {
  // Model run every hop; the newest hop_s of each window is emitted. Default: two 60-Hz pose
  // frames, once per frame of a 30-fps camera (docs/performance.md, "Live": the lowest latency).
  double hop_s = 1.0 / 30;
  double keep_frames_s = 3.0;  // source frames kept (must exceed the window)
  // Behind by more than a hop (a slow model): true runs every missed hop in order, so no row is
  // left out (a file read as fast as possible); false jumps to the newest hop and counts the rows
  // left out (live sources: latency must not grow).
  bool catch_up = false;
  bool incremental = true;  // false (or a model that does not stream): the whole window every hop
  torch::Device device = torch::kCPU;
  void check(const ModelConfig& config) const;  // throws std::invalid_argument naming the bad field
  // Whether hops on `net` compute only their new rows: `incremental`, a model that streams, and a
  // hop shorter than the window (a hop as long has nothing to save: whole windows, exactly offline's).
  bool runs_incrementally(const EmgModelImpl& net) const;
};

struct EmgChunk {
  int64_t first_sample = 0;      // index of the first row on the EMG timeline
  std::vector<double> times_s;   // media time of each row
  torch::Tensor emg;             // [rows, emg_channels] float32
  int64_t window_end_frame = 0;  // pose-rate frame the window ended at
  // Familiarity of the window's pose to the model (model/familiarity.h), 0..1; NaN when the model
  // carries no reference of its training inputs.
  double familiarity = std::nan("");
  double model_ms = 0;       // the model's run for this chunk (wall time)
  bool incremental = false;  // the run computed only the new rows (false: the whole window)
};

class StreamPredictor {
 public:
  // `keys`: where keystrokes come from, for models that read them (empty otherwise).
  StreamPredictor(EmgModel net, const StreamOptions& options, StreamKeys keys = {});

  // One source frame of the top camera: 21 keypoints in pixels of a width x height image with
  // their confidence (all 0 where no hand was found). Media times must increase.
  void add_frame(double media_time_s, const std::array<float, pose::kHandLandmarks * 3>& keypoints, int width, int height);
  // Runs the model when a hop of frames has arrived since the last run (or, with `flush`, when any
  // new frame has), returning the new rows; nothing otherwise. With catch_up, call it until it
  // returns nothing: each call runs one hop.
  std::optional<EmgChunk> step(bool flush = false);

  // Runs the model on an empty window until its first, slowest runs are past, and times it:
  // returns the median wall time of one whole window in ms (the baseline the per-hop cost of
  // incremental runs is compared with). Emits nothing.
  double warm_up();
  // Whether hops run incrementally (the option and a model that streams).
  bool incremental() const { return incremental_; }

  double pose_rate_hz() const { return pose_rate_; }
  double emg_rate_hz() const { return emg_rate_; }
  int64_t rows_emitted() const { return next_sample_ - rows_skipped_; }
  int64_t rows_skipped() const { return rows_skipped_; }  // left out by jumping ahead (catch_up false)

 private:
  EmgModel net_;
  ModelConfig config_;
  StreamOptions options_;
  StreamKeys keys_;
  double pose_rate_, emg_rate_;
  int64_t hop_frames_;
  std::mutex mutex_;  // guards the track (add_frame may run on another thread than step)
  pose::PoseTrack track_;
  int width_ = 0, height_ = 0;
  int64_t last_end_frame_ = -1;  // pose-rate frame the last window ended at
  int64_t next_sample_ = 0;
  int64_t rows_skipped_ = 0;
  bool incremental_ = false;
  torch::Tensor previous_emg_;  // [1, emg_channels]: the last row emitted, where the next hop continues
};

}  // namespace pianokpm
