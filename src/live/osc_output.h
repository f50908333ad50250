#pragma once
// EMG over OSC (UDP, liblo) for Max, Pure Data, SuperCollider, TouchDesigner and the like.
// Addresses (documented in docs/live.md):
//   /pianokpm/emg            f time_s, f latency_ms, f ADM, f PB, f 1DI, f 2DI, f 3DI, f 4DI
//   /pianokpm/muscle/<code>  f envelope            (one per muscle: ADM, PB, 1DI, 2DI, 3DI, 4DI)
//   /pianokpm/status         f media_time_s, f fps, i frames_dropped, i frames_with_hand
// With two hands followed (--hand both) each hand has its own: /pianokpm/left/emg,
// /pianokpm/right/muscle/ADM, ... (status stays one).
// Rows are thinned to `rate_hz` (the EMG rate is 1024 Hz) per hand; each row's seven messages
// travel in one bundle (timetag "immediately"); a status message follows every model run.
#include <lo/lo.h>

#include <map>
#include <string>

#include "live/live_sink.h"

namespace pianokpm::live {

struct OscOptions {
  std::string host = "127.0.0.1";
  std::string port = "9000";
  double rate_hz = 60;  // rows per second sent
  void check() const;
};

// "HOST:PORT" or "PORT" (host 127.0.0.1).
OscOptions parse_osc_target(const std::string& text);

class OscOutput : public LiveSink {
 public:
  explicit OscOutput(const OscOptions& options);  // throws InputError naming the target
  ~OscOutput() override;
  void on_start(const SourceInfo& source) override;
  void on_emg(const EmgRows& rows, const LiveStats& stats) override;
  int64_t bundles_sent() const { return sent_; }

 private:
  OscOptions options_;
  lo_address address_ = nullptr;
  bool per_hand_ = false;                      // two hands: addresses under /pianokpm/<hand>/
  std::map<std::string, double> next_time_s_;  // per hand: the next row time to send
  int64_t sent_ = 0;
};

}  // namespace pianokpm::live
