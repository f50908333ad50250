#pragma once
// --push URL: the session's EMG rows to a `pianokpm serve` server as they come
// (remote/push_client.h), numbered from the session's first row as the local recording numbers
// them, each chunk with the player's own frame-to-row latency (its median) and the live view's
// counters; and, at `video_fps`, the overlay picture (live/overlay_jpeg.h), encoded on a thread of
// its own so that the pipeline never waits for it.
#include <array>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "live/live_sink.h"
#include "live/overlay_jpeg.h"
#include "remote/push_client.h"

namespace pianokpm::live {

struct PushVideoOptions {
  double fps = 5;  // pictures per second sent to viewers; 0: none
  OverlayJpegOptions jpeg{480, 70};
  std::string note;  // drawn on the picture (e.g. "synthetic model")
  void check() const;
};

class PushOutput : public LiveSink {
 public:
  // The client is started (logged in, session opened) by whoever makes it.
  PushOutput(std::unique_ptr<remote::PushClient> client, const PushVideoOptions& video = {});
  ~PushOutput() override;
  void on_frame(const TrackedFrame& frame) override;
  void on_emg(const EmgRows& rows, const LiveStats& stats) override;
  void on_end(const LiveStats& stats) override;

 private:
  void encode_loop();
  void stop_encoder();

  std::unique_ptr<remote::PushClient> client_;
  PushVideoOptions video_;
  int64_t first_sample_ = -1;
  std::mutex mutex_;
  std::condition_variable changed_;
  TrackedFrame frame_;  // newest, shared image
  int64_t frame_seq_ = 0;
  std::array<float, kReleaseLayout.emg_channels> activation_{};
  double activation_peak_ = 0.1;
  bool stopping_ = false;
  std::thread encoder_;
};

}  // namespace pianokpm::live
