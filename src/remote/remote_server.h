#pragma once
// `pianokpm serve`: players push their live EMG rows here and the people they allow watch them,
// over HTTPS only (cpp-httplib on OpenSSL, TLS 1.2 or newer). Everything is kept in one
// SessionStore (remote/session_store.h) in `data_dir`.
//   GET  /                          the viewer's page (log in, pick a session, live traces and delay)
//   POST /api/login                 {"user","password"} -> {"token","user","role","expires_s"}, and the
//                                   same token as a Secure, HttpOnly, SameSite=Strict cookie
//   POST /api/logout                ends the token
//   GET  /api/me                    {"user","role","viewers"}
//   POST /api/grants                {"viewer","allow"} a player lets a viewer watch (or stops)
//   GET  /api/sessions              the sessions this user may see
//   POST /api/sessions              {"client_id","title","rate_hz","channels"} a player opens or resumes one
//   POST /api/sessions/ID/rows      {"first_seq","emitted_ms","latency_ms","rows":[[c0..],...]} -> {"next_seq"};
//                                   rows already stored are skipped (200), a gap is 409 with next_seq
//   POST /api/sessions/ID/frame     image/jpeg: the player's newest overlay picture (kept in memory, not stored)
//   POST /api/sessions/ID/end
//   GET  /api/sessions/ID/rows?from=SEQ&max=N   stored rows (JSON)
//   GET  /api/sessions/ID/live      server-sent events: each pushed chunk, decimated for traces, with
//                                   the player's counters (fps, dropped frames, familiarity)
//   GET  /api/sessions/ID/video.mjpg   the newest pictures as Motion JPEG while the session is live
//   GET  /api/sessions/ID/report    the session's HTML report (report/html_report.h) as stored so far
// Requests carry the token as "Authorization: Bearer TOKEN" or the cookie. No token, an expired or
// unknown one: 401; a session or action not this user's: 403 (sessions that do not exist: 404 alike
// to those not visible, so that ids are not probed). Bodies over max_body_bytes: 413; malformed: 400.
// Logins are rate limited per address and per name (remote/login_limiter.h): 429 with Retry-After.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "remote/login_limiter.h"
#include "remote/session_store.h"

namespace httplib {
class SSLServer;
struct Request;
struct Response;
}  // namespace httplib

namespace pianokpm::remote {

struct RemoteServerOptions {
  std::string host = "127.0.0.1";      // another address only when asked (docs/remote.md)
  int port = 8443;                     // 0: any free port (port() says which)
  std::string data_dir;                // sessions.db and, unless given, tls/cert.pem and tls/key.pem
  std::string cert_path, key_path;     // the operator's PEM files; empty: self-signed in data_dir/tls
  std::vector<std::string> tls_names;  // extra names the self-signed certificate covers
  double token_ttl_s = 12 * 3600;
  LoginLimits login;
  int max_viewers = 128;         // live streams at once; more get 503
  int max_request_threads = 48;  // requests other than live streams served at once
  size_t max_body_bytes = 1 << 20;
  int max_rows_per_chunk = 8192;
  int max_channels = 64;
  size_t max_frame_bytes = 512 << 10;  // one overlay picture
  double max_report_s = 4 * 3600;      // longer sessions: the report covers their first hours
  double trace_rate_hz = 64;           // rows per second sent to the viewer's page
  int history_events = 300;            // recent chunks a viewer joining late is sent first
  double read_timeout_s = 10, write_timeout_s = 5;
  void check() const;  // std::invalid_argument naming the field
};

class RemoteServer {
 public:
  explicit RemoteServer(const RemoteServerOptions& options);
  ~RemoteServer();
  // Binds and serves on its own threads; InputError naming the address or file when it cannot.
  void start();
  void stop();
  int port() const { return port_; }
  std::string url() const;
  const std::string& cert_path() const { return cert_path_; }
  SessionStore& store() { return *store_; }
  int live_viewers() const { return live_viewers_; }

 private:
  struct Feed;  // recent live events of one session
  void add_routes();
  std::optional<User> authenticate(const httplib::Request& req, httplib::Response& res);
  std::optional<SessionInfo> visible_session(const httplib::Request& req, httplib::Response& res, const User& user);
  void login(const httplib::Request& req, httplib::Response& res);
  void push_rows(const httplib::Request& req, httplib::Response& res);
  void push_frame(const httplib::Request& req, httplib::Response& res);
  void video(const httplib::Request& req, httplib::Response& res);
  // A stream's viewer: authenticated, allowed to see the session, and counted (503 beyond max_viewers);
  // the stream's end uncounts them.
  std::optional<SessionInfo> admit_viewer(const httplib::Request& req, httplib::Response& res);
  void live(const httplib::Request& req, httplib::Response& res);
  void report(const httplib::Request& req, httplib::Response& res);
  void publish(const SessionInfo& session, const RowChunk& chunk, const nlohmann::json& status, int64_t first_new,
               int64_t next_seq);
  std::shared_ptr<Feed> feed(int64_t session_id);

  RemoteServerOptions options_;
  std::string cert_path_, key_path_;
  std::unique_ptr<SessionStore> store_;
  std::unique_ptr<httplib::SSLServer> server_;
  LoginLimiter limiter_;
  std::thread listener_;
  std::atomic<bool> listener_ended_{false}, stopping_{false};
  int port_ = 0;
  std::string page_;

  std::mutex feeds_mutex_;
  std::map<int64_t, std::shared_ptr<Feed>> feeds_;
  std::atomic<int> live_viewers_{0};
};

}  // namespace pianokpm::remote
