#include "remote/session_store.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/input_error.h"

namespace pianokpm::remote {
namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS users(
  id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('player', 'viewer', 'admin')), password TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens(
  digest TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), expires_s REAL NOT NULL);
CREATE TABLE IF NOT EXISTS grants(
  player_id INTEGER NOT NULL REFERENCES users(id), viewer_id INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY (player_id, viewer_id));
CREATE TABLE IF NOT EXISTS sessions(
  id INTEGER PRIMARY KEY, player_id INTEGER NOT NULL REFERENCES users(id), client_id TEXT NOT NULL,
  title TEXT NOT NULL, rate_hz REAL NOT NULL, channels TEXT NOT NULL, started_s REAL NOT NULL,
  ended INTEGER NOT NULL DEFAULT 0, next_seq INTEGER NOT NULL DEFAULT 0, details TEXT NOT NULL DEFAULT '{}',
  UNIQUE (player_id, client_id));
CREATE TABLE IF NOT EXISTS chunks(
  session_id INTEGER NOT NULL REFERENCES sessions(id), first_seq INTEGER NOT NULL, rows INTEGER NOT NULL,
  emitted_ms REAL NOT NULL, latency_ms REAL NOT NULL, data BLOB NOT NULL, PRIMARY KEY (session_id, first_seq));
)sql";

// One prepared statement; binds by position from 1, steps, finalizes on destruction.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw std::runtime_error(fmt::format("session store: {} ({})", sqlite3_errmsg(db), sql));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement& bind(int i, int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  Statement& bind(int i, double v) { return check(sqlite3_bind_double(stmt_, i, v)); }
  Statement& bind(int i, const std::string& v) {
    return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Statement& bind_blob(int i, const void* data, size_t bytes) {
    return check(sqlite3_bind_blob(stmt_, i, data, static_cast<int>(bytes), SQLITE_TRANSIENT));
  }
  // true while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(fmt::format("session store: {}", sqlite3_errmsg(db_)));
  }
  int64_t integer(int c) const { return sqlite3_column_int64(stmt_, c); }
  double real(int c) const { return sqlite3_column_double(stmt_, c); }
  std::string text(int c) const {
    const auto* p = sqlite3_column_text(stmt_, c);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, c)) : std::string();
  }
  const void* blob(int c) const { return sqlite3_column_blob(stmt_, c); }
  size_t bytes(int c) const { return static_cast<size_t>(sqlite3_column_bytes(stmt_, c)); }

 private:
  Statement& check(int rc) {
    if (rc != SQLITE_OK) throw std::runtime_error(fmt::format("session store: {}", sqlite3_errmsg(db_)));
    return *this;
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error("session store: " + message);
  }
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

User user_from(const Statement& s) { return User{s.integer(0), s.text(1), parse_role(s.text(2))}; }

constexpr const char* kSessionColumns =
    "s.id, s.player_id, u.name, s.client_id, s.title, s.rate_hz, s.channels, s.started_s, s.ended, s.next_seq, "
    "s.details";

SessionInfo session_from(const Statement& s) {
  SessionInfo info;
  info.id = s.integer(0);
  info.player_id = s.integer(1);
  info.player = s.text(2);
  info.client_id = s.text(3);
  info.title = s.text(4);
  info.rate_hz = s.real(5);
  info.channels = nlohmann::json::parse(s.text(6)).get<std::vector<std::string>>();
  info.started_s = s.real(7);
  info.ended = s.integer(8) != 0;
  info.next_seq = s.integer(9);
  info.details = s.text(10);
  return info;
}

}  // namespace

std::string role_name(Role role) {
  switch (role) {
    case Role::kPlayer: return "player";
    case Role::kViewer: return "viewer";
    case Role::kAdmin: return "admin";
  }
  return "viewer";
}

Role parse_role(const std::string& text) {
  if (text == "player") return Role::kPlayer;
  if (text == "viewer") return Role::kViewer;
  if (text == "admin") return Role::kAdmin;
  throw std::invalid_argument("role '" + text + "': player, viewer or admin");
}

SessionStore::SessionStore(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw InputError(path, "cannot open the session database: " + why);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    exec(db_, kSchema);
  } catch (const std::exception& e) {
    sqlite3_close(db_);
    throw InputError(path, std::string("not a pianokpm session database: ") + e.what());
  }
}

SessionStore::~SessionStore() { sqlite3_close(db_); }

User SessionStore::add_user(const std::string& name, Role role, const std::string& password_hash) {
  if (!valid_name(name)) throw InputError("user " + name, "names are 1-64 letters, digits, '.', '_' or '-'");
  std::lock_guard<std::mutex> lock(mutex_);
  Statement check(db_, "SELECT 1 FROM users WHERE name = ?");
  if (check.bind(1, name).step()) throw InputError("user " + name, "already exists");
  Statement s(db_, "INSERT INTO users(name, role, password) VALUES (?, ?, ?)");
  s.bind(1, name).bind(2, role_name(role)).bind(3, password_hash).step();
  return User{sqlite3_last_insert_rowid(db_), name, role};
}

void SessionStore::set_password(const std::string& name, const std::string& password_hash) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(db_, "UPDATE users SET password = ? WHERE name = ?");
  s.bind(1, password_hash).bind(2, name).step();
  if (sqlite3_changes(db_) == 0) throw InputError("user " + name, "no such user");
  // A new password ends every session the old one opened.
  Statement t(db_, "DELETE FROM tokens WHERE user_id = (SELECT id FROM users WHERE name = ?)");
  t.bind(1, name).step();
}

std::optional<User> SessionStore::user(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(db_, "SELECT id, name, role FROM users WHERE name = ?");
  if (!s.bind(1, name).step()) return std::nullopt;
  return user_from(s);
}

std::optional<User> SessionStore::user(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(db_, "SELECT id, name, role FROM users WHERE id = ?");
  if (!s.bind(1, id).step()) return std::nullopt;
  return user_from(s);
}

std::string SessionStore::password_hash(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(db_, "SELECT password FROM users WHERE name = ?");
  return s.bind(1, name).step() ? s.text(0) : std::string();
}

std::vector<User> SessionStore::users() {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(db_, "SELECT id, name, role FROM users ORDER BY name");
  std::vector<User> out;
  while (s.step()) out.push_back(user_from(s));
  return out;
}

void SessionStore::grant(int64_t player_id, int64_t viewer_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(db_, "INSERT OR IGNORE INTO grants(player_id, viewer_id) VALUES (?, ?)");
  s.bind(1, player_id).bind(2, viewer_id).step();
}

void SessionStore::revoke(int64_t player_id, int64_t viewer_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(db_, "DELETE FROM grants WHERE player_id = ? AND viewer_id = ?");
  s.bind(1, player_id).bind(2, viewer_id).step();
}

std::vector<std::string> SessionStore::viewers_of(int64_t player_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(db_, "SELECT u.name FROM grants g JOIN users u ON u.id = g.viewer_id WHERE g.player_id = ? ORDER BY u.name");
  s.bind(1, player_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

bool SessionStore::may_view(const User& user, const SessionInfo& session) {
  if (user.role == Role::kAdmin || user.id == session.player_id) return true;
  if (user.role != Role::kViewer) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(db_, "SELECT 1 FROM grants WHERE player_id = ? AND viewer_id = ?");
  return s.bind(1, session.player_id).bind(2, user.id).step();
}

void SessionStore::add_token(const std::string& digest, int64_t user_id, double expires_s) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(db_, "INSERT INTO tokens(digest, user_id, expires_s) VALUES (?, ?, ?)");
  s.bind(1, digest).bind(2, user_id).bind(3, expires_s).step();
}

std::optional<User> SessionStore::user_for_token(const std::string& digest, double now_s) {
  if (digest.empty()) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  Statement purge(db_, "DELETE FROM tokens WHERE expires_s <= ?");
  purge.bind(1, now_s).step();
  Statement s(db_,
              "SELECT u.id, u.name, u.role FROM tokens t JOIN users u ON u.id = t.user_id "
              "WHERE t.digest = ? AND t.expires_s > ?");
  if (!s.bind(1, digest).bind(2, now_s).step()) return std::nullopt;
  return user_from(s);
}

void SessionStore::remove_token(const std::string& digest) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(db_, "DELETE FROM tokens WHERE digest = ?");
  s.bind(1, digest).step();
}

SessionInfo SessionStore::open_session(int64_t player_id, const std::string& client_id, const std::string& title, double rate_hz,
                                       const std::vector<std::string>& channels, double now_s, const std::string& details) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_,
                "INSERT OR IGNORE INTO sessions(player_id, client_id, title, rate_hz, channels, started_s, details) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, player_id).bind(2, client_id).bind(3, title).bind(4, rate_hz);
    s.bind(5, nlohmann::json(channels).dump()).bind(6, now_s).bind(7, details).step();
    Statement live(db_, "UPDATE sessions SET ended = 0 WHERE player_id = ? AND client_id = ?");
    live.bind(1, player_id).bind(2, client_id).step();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(db_, fmt::format("SELECT {} FROM sessions s JOIN users u ON u.id = s.player_id "
                               "WHERE s.player_id = ? AND s.client_id = ?",
                               kSessionColumns)
                       .c_str());
  if (!s.bind(1, player_id).bind(2, client_id).step()) throw std::runtime_error("session store: session vanished");
  return session_from(s);
}

std::optional<SessionInfo> SessionStore::session(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(
      db_, fmt::format("SELECT {} FROM sessions s JOIN users u ON u.id = s.player_id WHERE s.id = ?", kSessionColumns).c_str());
  if (!s.bind(1, id).step()) return std::nullopt;
  return session_from(s);
}

std::vector<SessionInfo> SessionStore::sessions_visible_to(const User& user) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string where = user.role == Role::kAdmin    ? "1"
                            : user.role == Role::kPlayer ? "s.player_id = ?1"
                                                         : "s.player_id IN (SELECT player_id FROM grants WHERE viewer_id = ?1)";
  Statement s(db_, fmt::format("SELECT {} FROM sessions s JOIN users u ON u.id = s.player_id WHERE {} "
                               "ORDER BY s.started_s DESC, s.id DESC",
                               kSessionColumns, where)
                       .c_str());
  if (user.role != Role::kAdmin) s.bind(1, user.id);
  std::vector<SessionInfo> out;
  while (s.step()) out.push_back(session_from(s));
  return out;
}

void SessionStore::end_session(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(db_, "UPDATE sessions SET ended = 1 WHERE id = ?");
  s.bind(1, id).step();
}

AppendResult SessionStore::append(int64_t session_id, const RowChunk& chunk) {
  std::lock_guard<std::mutex> lock(mutex_);
  exec(db_, "BEGIN IMMEDIATE");
  try {
    Statement q(db_, "SELECT next_seq, channels FROM sessions WHERE id = ?");
    if (!q.bind(1, session_id).step()) throw std::runtime_error("session store: no session " + std::to_string(session_id));
    AppendResult result;
    result.next_seq = q.integer(0);
    const size_t channels = nlohmann::json::parse(q.text(1)).size();
    if (chunk.rows < 0 || chunk.data.size() != static_cast<size_t>(chunk.rows) * channels)
      throw std::invalid_argument("chunk: data is not rows x channels");
    const int64_t skip = result.next_seq - chunk.first_seq;
    if (skip < 0) {
      result.gap = true;
    } else if (skip < chunk.rows) {
      result.stored_rows = chunk.rows - skip;
      Statement ins(db_,
                    "INSERT INTO chunks(session_id, first_seq, rows, emitted_ms, latency_ms, data) "
                    "VALUES (?, ?, ?, ?, ?, ?)");
      ins.bind(1, session_id).bind(2, result.next_seq).bind(3, result.stored_rows);
      ins.bind(4, chunk.emitted_ms).bind(5, chunk.latency_ms);
      ins.bind_blob(6, chunk.data.data() + skip * channels, result.stored_rows * channels * sizeof(float)).step();
      result.next_seq += result.stored_rows;
      Statement up(db_, "UPDATE sessions SET next_seq = ? WHERE id = ?");
      up.bind(1, result.next_seq).bind(2, session_id).step();
    }
    exec(db_, "COMMIT");
    return result;
  } catch (...) {
    exec(db_, "ROLLBACK");
    throw;
  }
}

std::vector<RowChunk> SessionStore::chunks(int64_t session_id, int64_t from_seq, int64_t max_rows) {
  std::lock_guard<std::mutex> lock(mutex_);
  // The chunk holding from_seq (the last starting at or before it) and those after, up to the limit.
  Statement s(db_,
              "SELECT first_seq, rows, emitted_ms, latency_ms, data FROM chunks WHERE session_id = ?1 AND "
              "first_seq >= coalesce((SELECT max(first_seq) FROM chunks WHERE session_id = ?1 AND first_seq <= ?2), 0) "
              "AND first_seq + rows > ?2 AND first_seq < ?2 + ?3 ORDER BY first_seq");
  s.bind(1, session_id).bind(2, from_seq).bind(3, max_rows);
  std::vector<RowChunk> out;
  while (s.step()) {
    RowChunk c;
    c.first_seq = s.integer(0);
    c.rows = s.integer(1);
    c.emitted_ms = s.real(2);
    c.latency_ms = s.real(3);
    c.data.resize(s.bytes(4) / sizeof(float));
    if (!c.data.empty()) std::memcpy(c.data.data(), s.blob(4), c.data.size() * sizeof(float));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace pianokpm::remote
