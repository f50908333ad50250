#pragma once
// Where `pianokpm serve` keeps everything: one SQLite database (write-ahead log) with accounts,
// token digests, grants, sessions and their EMG rows. Rows are only ever appended, in chunks, each
// in its own transaction: a kill at any moment leaves every committed chunk readable and a session
// that resumes at its next row.
//   users    (id, name, role, argon2id string)
//   tokens   (digest, user, expires_s)              the token itself is never stored
//   grants   (player, viewer)                       who may watch whose sessions
//   sessions (id, player, client_id, title, rate_hz, channels, details, started_s, ended, next_seq)
//   chunks   (session, first_seq, rows, emitted_ms, latency_ms, data)   data: rows x channels float32 LE
// A session's rows are numbered from 0 (seq); chunks tile [0, next_seq) without gaps or overlap.
// Thread-safe (one connection under a mutex).
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace pianokpm::remote {

enum class Role { kPlayer, kViewer, kAdmin };
std::string role_name(Role role);
Role parse_role(const std::string& text);  // std::invalid_argument naming the accepted roles

struct User {
  int64_t id = 0;
  std::string name;
  Role role = Role::kViewer;
};

struct SessionInfo {
  int64_t id = 0;
  int64_t player_id = 0;
  std::string player;
  std::string client_id;  // the player's own id for the session: opening it again resumes it
  std::string title;
  double rate_hz = 0;
  std::vector<std::string> channels;
  std::string details = "{}";  // JSON object the player sent: its model, whether trained on synthetic data
  double started_s = 0;        // Unix time
  bool ended = false;
  int64_t next_seq = 0;  // rows stored
};

struct RowChunk {
  int64_t first_seq = 0;
  int64_t rows = 0;
  double emitted_ms = 0;    // player's wall clock (Unix ms) when the chunk's newest row was estimated
  double latency_ms = 0;    // the player's own frame-to-row latency for it
  std::vector<float> data;  // rows x channels
};

struct AppendResult {
  int64_t next_seq = 0;     // after this append
  int64_t stored_rows = 0;  // rows new to the store (rows already held are skipped, not doubled)
  bool gap = false;         // first_seq was beyond next_seq: nothing stored
};

class SessionStore {
 public:
  // Opens or creates the database; InputError naming the file when it cannot.
  explicit SessionStore(const std::string& path);
  ~SessionStore();
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  // InputError when the name is taken or malformed (1-64 of letters, digits, . _ -).
  User add_user(const std::string& name, Role role, const std::string& password_hash);
  void set_password(const std::string& name, const std::string& password_hash);
  std::optional<User> user(const std::string& name);
  std::optional<User> user(int64_t id);
  std::string password_hash(const std::string& name);  // "" for an unknown user
  std::vector<User> users();

  void grant(int64_t player_id, int64_t viewer_id);
  void revoke(int64_t player_id, int64_t viewer_id);
  std::vector<std::string> viewers_of(int64_t player_id);
  // Admins see every session, players their own, viewers those of players who granted them.
  bool may_view(const User& user, const SessionInfo& session);

  void add_token(const std::string& digest, int64_t user_id, double expires_s);
  std::optional<User> user_for_token(const std::string& digest, double now_s);
  void remove_token(const std::string& digest);

  // Opens the player's session with this client_id, or resumes it as stored (live again if it had ended).
  SessionInfo open_session(int64_t player_id, const std::string& client_id, const std::string& title, double rate_hz,
                           const std::vector<std::string>& channels, double now_s, const std::string& details = "{}");
  std::optional<SessionInfo> session(int64_t id);
  std::vector<SessionInfo> sessions_visible_to(const User& user);
  void end_session(int64_t id);

  // data holds rows x channels (the session's) values. Rows before next_seq are already stored and
  // skipped; a first_seq beyond next_seq stores nothing (gap).
  AppendResult append(int64_t session_id, const RowChunk& chunk);
  // Stored chunks overlapping [from_seq, from_seq + max_rows), whole, in order.
  std::vector<RowChunk> chunks(int64_t session_id, int64_t from_seq, int64_t max_rows);

 private:
  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace pianokpm::remote
