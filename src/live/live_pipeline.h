#pragma once
// The live pipeline: three threads joined by bounded queues, so that tracking and the model
// overlap and throughput is bound by the slower stage.
//   capture: LiveSource -> frame queue (full: a live source drops the oldest frame and counts it;
//            a file read as fast as possible waits instead, so every frame is used)
//   tracking: MediaPipe Hands on each frame -> StreamPredictor::add_frame, sinks' on_frame
//   model:    StreamPredictor::step each hop -> sinks' on_emg, with each row's latency
// Each followed hand (--hand both: the left and the right) has its own stream predictor; the
// model thread runs them one after the other.
#include <atomic>
#include <string>
#include <vector>

#include "live/live_keys.h"
#include "live/live_sink.h"
#include "live/live_source.h"
#include "predict/stream_predictor.h"
#include "pose/hand_tracker.h"

namespace pianokpm::live {

struct LiveOptions {
  LiveSourceOptions source;
  pose::HandTrackerOptions tracker;
  std::string hand = "right";  // right, left, any, or both (needs tracker.max_hands 2)
  StreamOptions stream;
  int frame_queue = 2;          // frames waiting for the tracker
  bool pin_stages = false;      // tracking on the first usable core, the model on the second
  double max_media_s = 0;       // stop after this much media time (0: when the source ends)
  MediaClock* clock = nullptr;  // started at the first frame, when given (for MIDI input)
  void check() const;           // throws std::invalid_argument naming the bad field
};

struct LiveSummary {
  LiveStats stats;
  std::vector<float> latency_ms;  // one per emitted row
  std::vector<float> model_ms;    // one per model run (hop)
  double window_ms = 0;           // one whole window, timed before the session (the baseline of model_ms)
  bool incremental = false;       // hops computed only their new rows (StreamPredictor::incremental)
  bool source_ended = false;      // false: stopped from outside (signal, max_media_s)
};

// The hands `hand` follows, each with its own stream: {hand}, or {"left", "right"} for "both".
std::vector<std::string> followed_hands(const std::string& hand);

// Runs until the source ends, `stop` becomes true or max_media_s is reached. The source is opened
// before this returns its first frame: a source that cannot be opened throws InputError here.
LiveSummary run_live(const LiveOptions& options, EmgModel net, const LiveKeys* keys, const std::vector<LiveSink*>& sinks,
                     const std::atomic<bool>& stop);

}  // namespace pianokpm::live
