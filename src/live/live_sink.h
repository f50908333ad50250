#pragma once
// What the live pipeline hands to its outputs (text, OSC, recording, the browser view). Sinks are
// called from the pipeline's threads and must return quickly: anything slow (disk, network,
// encoding) happens on the sink's own thread.
#include <opencv2/core.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "live/live_source.h"
#include "predict/stream_predictor.h"
#include "pose/hand_geometry.h"

namespace pianokpm::live {

// One followed hand in a frame (which one: its place in live/live_pipeline.h's followed_hands).
struct FollowedHand {
  std::array<float, pose::kHandLandmarks * 3> keypoints{};  // pixels and confidence; all 0 when not found
  bool found = false;
};

// One source frame after hand tracking.
struct TrackedFrame {
  int64_t index = 0;
  double media_time_s = 0;
  Clock::time_point arrival;
  cv::Mat bgr;                      // shared with the pipeline: read only
  std::vector<FollowedHand> hands;  // one per followed hand, in followed_hands() order
};

// Counters of a running session, as of the chunk they come with.
struct LiveStats {
  int64_t frames_read = 0, frames_tracked = 0, frames_dropped = 0;
  int64_t frames_with_hand = 0;  // frames in which a followed hand (with two: either) was found
  int64_t rows = 0;              // EMG rows emitted (with two hands: both streams')
  int64_t rows_skipped = 0;      // rows left out when the model fell over a second behind (live sources)
  double fps = 0;                // tracked frames per second of wall time, over the last second or so
  double media_time_s = 0;       // of the newest tracked frame
};

// EMG rows of one followed hand's stream with, per row, the wall-clock latency from the arrival
// of the frame the row needed (the first frame at or after the row's time) to the row's emission.
struct EmgRows {
  std::string hand;  // the stream's hand (SourceInfo::hands)
  EmgChunk chunk;
  std::vector<float> latency_ms;
};

// The source, once open.
struct SourceInfo {
  std::string name;
  SourceKind kind = SourceKind::kFile;
  double fps = 0;                  // stated (or fallback) frame rate
  std::vector<std::string> hands;  // the followed hands, each with its own EMG stream
};

class LiveSink {
 public:
  virtual ~LiveSink() = default;
  virtual void on_start(const SourceInfo&) {}
  virtual void on_frame(const TrackedFrame&) {}
  virtual void on_emg(const EmgRows&, const LiveStats&) {}
  // The session ended (source over or stopped); flush and close.
  virtual void on_end(const LiveStats&) {}
};

}  // namespace pianokpm::live
