#pragma once
// The player's side of `pianokpm serve`: EMG rows go out to the server on a thread of their own,
// over HTTPS, as they arrive. When the network or the server drops, rows wait in a bounded buffer
// and are sent again from the row the server says it has next, so the server's copy ends with no
// row lost or doubled (the server skips rows it already holds). add() never blocks the caller.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class SSLClient;
}

namespace pianokpm::remote {

struct PushOptions {
  std::string url;  // https://HOST:PORT of `pianokpm serve`
  std::string user, password;
  std::string ca_file;  // the server's certificate (self-signed) or its CA; empty: the system's
  // Names the session on the server; empty: a random one. An id used before resumes that session:
  // this client's rows follow those the server holds.
  std::string client_id;
  std::string title;
  double rate_hz = 1024;
  std::vector<std::string> channels;
  std::string details = "{}";  // JSON object kept with the session: the model, whether trained on synthetic data
  int64_t max_buffered_rows = int64_t{1024} * 60 * 30;  // 30 min at 1024 Hz (about 44 MB for 6 channels)
  int max_rows_per_push = 2048;
  double timeout_s = 5;         // connect, read and write, each
  double max_retry_s = 4;       // backoff between tries doubles from 0.1 s up to this
  double flush_timeout_s = 15;  // finish() waits this long for the buffer to drain
  void check() const;           // std::invalid_argument naming the field
};

struct PushStats {
  int64_t session_id = -1;
  int64_t rows_added = 0, rows_acknowledged = 0, rows_not_buffered = 0;
  int64_t requests = 0, failed_requests = 0, logins = 0, frames_sent = 0;
  std::string last_error;  // empty when the last request succeeded
};

class PushClient {
 public:
  explicit PushClient(const PushOptions& options);
  ~PushClient();
  // Logs in and opens the session. InputError for what retrying cannot mend (wrong password, a
  // certificate that does not verify, not a player); a server that cannot be reached yet is only
  // warned about, and tried again on the push thread.
  void start();
  // `rows` holds n x channels values; first_seq counts rows from the session's first (gaps are
  // filled with zeros, as the local recording fills them).
  void add(int64_t first_seq, const float* rows, int64_t n, double latency_ms);
  // The newest overlay picture (JPEG) for viewers, sent when the rows allow and replaced by a newer
  // one meanwhile: pictures are for watching live and are not stored on the server.
  void set_frame(std::string jpeg);
  // The newest counters (a JSON object: fps, dropped frames, familiarity, ...), sent with the next rows.
  void set_status(std::string json_object);
  // Waits up to flush_timeout_s for the server to hold every row, then ends the session there.
  // Returns true when the server's copy is complete.
  bool finish();
  PushStats stats();

 private:
  struct Pending {
    int64_t first_seq = 0;
    std::vector<float> data;
    double emitted_ms = 0, latency_ms = 0;
    int64_t rows(size_t channels) const { return static_cast<int64_t>(data.size() / channels); }
  };
  enum class Outcome { kOk, kRetry, kFatal };
  void run();
  Outcome login();
  Outcome open_session();
  Outcome push_front();
  Outcome push_frame();
  void acknowledge(int64_t next_seq);
  Outcome failure(const std::string& what, bool fatal);

  PushOptions options_;
  std::string host_;
  int port_ = 0;
  std::unique_ptr<httplib::SSLClient> client_;  // push thread only (after start)
  std::string token_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> pending_;
  int64_t buffered_rows_ = 0, next_expected_ = 0;
  int64_t seq_offset_ = 0;  // rows the server held when this client resumed the session
  std::string frame_, status_ = "{}";
  bool frame_pending_ = false;
  bool finishing_ = false, stopped_ = false, overflowed_ = false;
  PushStats stats_;
  std::thread thread_;
};

}  // namespace pianokpm::remote
