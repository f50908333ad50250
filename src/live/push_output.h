#pragma once
// --push URL: the session's EMG rows to a `pianokpm serve` server as they come
// (remote/push_client.h), numbered from the session's first row as the local recording numbers
// them, each chunk with the player's own frame-to-row latency (its median).
#include <memory>

#include "live/live_sink.h"
#include "remote/push_client.h"

namespace pianokpm::live {

class PushOutput : public LiveSink {
 public:
  // The client is started (logged in, session opened) by whoever makes it.
  explicit PushOutput(std::unique_ptr<remote::PushClient> client) : client_(std::move(client)) {}
  void on_emg(const EmgRows& rows, const LiveStats& stats) override;
  void on_end(const LiveStats& stats) override;

 private:
  std::unique_ptr<remote::PushClient> client_;
  int64_t first_sample_ = -1;
};

}  // namespace pianokpm::live
