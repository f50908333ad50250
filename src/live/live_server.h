#pragma once
// The live view: one page and its two streams over HTTP (cpp-httplib, Debian's libcpp-httplib-dev).
//   GET /            the page (self-contained: uPlot and its script inlined, no other request)
//   GET /events      server-sent events, one per model run: new trace points, the newest row
//                    as the text output prints it, fps, latency and dropped frames
//   GET /video.mjpg  the camera image with the hand and the muscles coloured by activation
//                    (Motion JPEG, multipart/x-mixed-replace), drawn only while someone watches
//   GET /status.json the session's counters
//   GET /favicon.ico 204 (browsers ask for it)
// Anything else is 404 (methods other than GET and HEAD: 405). Binds to 127.0.0.1 unless told otherwise.
// At most `max_viewers` streams of each kind; more get 503. The pipeline only swaps data under a
// lock; each viewer's thread writes on its own, so a slow or vanished viewer costs the pipeline
// nothing (its writes time out after `write_timeout_s` and the viewer is dropped).
#include <cmath>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/stream_layout.h"
#include "live/live_sink.h"
#include "model/familiarity.h"
#include "render/overlay_frame.h"

namespace httplib {
class Server;
struct Response;
}  // namespace httplib

namespace pianokpm::live {

struct LiveServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;        // 0: any free port (port() tells which)
  int max_viewers = 8;    // concurrent /events and /video.mjpg streams, each
  double video_fps = 15;  // overlay frames encoded per second while someone watches
  int jpeg_quality = 80;
  int max_video_width = 960;   // wider frames are scaled down before encoding
  double trace_rate_hz = 64;   // trace points per second sent to the page
  int history_events = 768;    // model runs kept for viewers that join or lag (25 s at the 1/30-s hop)
  double write_timeout_s = 2;  // a viewer that takes longer to accept a write is dropped
  double read_timeout_s = 5;   // a client that takes longer to send its request is dropped
  std::string title = "pianokpm live";
  std::string note;  // shown on the page and the image (e.g. "synthetic model")
  // What the model gives where the input is unfamiliar instead of its network's output
  // (Estimator::unfamiliar_fallback), said in the page's warning; empty: nothing else.
  std::string unfamiliar_fallback;
  // The page warns when the median familiarity of the last second's windows falls below this
  // (model/familiarity.h).
  double unfamiliar_below = FamiliarityOptions{}.unfamiliar_below;
  void check() const;  // throws std::invalid_argument naming the bad field
};

// "HOST:PORT" or "PORT" (host 127.0.0.1).
LiveServerOptions parse_serve_target(const std::string& text);
bool is_loopback_host(const std::string& host);

class LiveServer : public LiveSink {
 public:
  explicit LiveServer(const LiveServerOptions& options);
  ~LiveServer() override;
  // Binds and starts serving on its own threads; InputError naming the address when it cannot bind.
  void start();
  void stop();
  int port() const { return port_; }
  std::string url() const;

  void on_frame(const TrackedFrame& frame) override;
  void on_emg(const EmgRows& rows, const LiveStats& stats) override;

  // The page exactly as served (for tests and for saving).
  const std::string& page() const { return page_; }
  int64_t viewers_refused() const { return refused_; }
  int64_t frames_encoded() const { return frames_encoded_; }

 private:
  void add_routes();
  // Counts a new stream of one kind, or answers 503 when that kind is at its limit.
  bool admit(std::atomic<int>& viewers, httplib::Response& res);
  void render_loop();
  std::string status_json();

  LiveServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_, renderer_;
  int port_ = 0;
  std::string page_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  // Newest tracked frame (shared, read only) and activation.
  TrackedFrame frame_;
  int64_t frame_seq_ = 0;
  std::array<float, kReleaseLayout.emg_channels> activation_{};
  double activation_peak_ = 0.1;
  LiveStats stats_;
  double latency_p50_ms_ = 0;
  double familiarity_ = std::nan("");  // of the newest window
  // Events for /events: (sequence number, "data: ...\n\n").
  std::deque<std::pair<int64_t, std::string>> events_;
  int64_t event_seq_ = 0;
  double next_trace_time_s_ = -1;
  // Newest encoded overlay for /video.mjpg.
  std::shared_ptr<const std::string> jpeg_;
  int64_t jpeg_seq_ = 0;

  std::atomic<int> event_viewers_{0}, video_viewers_{0};
  std::atomic<bool> listener_ended_{false};
  std::atomic<int64_t> refused_{0}, frames_encoded_{0};
};

}  // namespace pianokpm::live
