#pragma once
// EMG rows as text lines, one per row at the EMG rate, flushed after every chunk so that a reader
// (tail -f, a pipe) sees them as they come:
//   csv:    time_s,latency_ms,ADM,PB,1DI,2DI,3DI,4DI   (a header line first)
//   ndjson: {"time_s":1.234567,"latency_ms":87.2,"emg":{"ADM":0.012345,...}}
// With two hands followed (--hand both) each row says whose it is: a `hand` column after
// latency_ms (left or right), a "hand" key; each hand's rows are in time order, the two interleaved.
// time_s is media time in seconds (6 decimals), latency_ms one decimal, envelopes 6 decimals.
// A file is written as it grows (not renamed at the end): a killed session leaves every line
// flushed before the kill. Lines are written on the output's own thread: a reader that stops
// reading (a pipe into a pager) never holds up the pipeline; beyond `max_pending_chunks` model
// runs waiting, the oldest are left out and counted (chunks_dropped).
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

#include "live/bounded_queue.h"
#include "live/live_sink.h"

namespace pianokpm::live {

enum class TextFormat { kCsv, kNdjson };
TextFormat parse_text_format(const std::string& text);  // "csv" | "ndjson"

// One row, without the line end; the browser view shows the same digits. `hand` empty: no hand field.
std::string format_row(TextFormat format, double time_s, float latency_ms, const float* emg, const std::string& hand = "");

class TextOutput : public LiveSink {
 public:
  // `path` "-": stdout. The file is created once the source is open (on_start), so that a source
  // that cannot be opened leaves none; InputError naming the path when it cannot be created.
  TextOutput(const std::string& path, TextFormat format, int max_pending_chunks = 1800);
  ~TextOutput() override;
  void on_start(const SourceInfo& source) override;
  void on_emg(const EmgRows& rows, const LiveStats& stats) override;
  void on_end(const LiveStats& stats) override;  // waits for the lines queued; throws if writing failed
  int64_t chunks_dropped() const { return pending_.dropped(); }

 private:
  void write_lines();

  std::string path_;
  TextFormat format_;
  bool with_hand_ = false;  // two hands followed: each row names its hand
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  BoundedQueue<std::string> pending_;
  std::thread writer_;
  std::atomic<bool> failed_{false};
};

}  // namespace pianokpm::live
