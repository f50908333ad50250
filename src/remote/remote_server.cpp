#include "remote/remote_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/ssl.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "analysis/emg_analysis.h"
#include "core/input_error.h"
#include "remote/credentials.h"
#include "remote/remote_assets.h"
#include "report/html_report.h"
#include "report/report_assets.h"
#include "remote/tls_certificate.h"

namespace pianokpm::remote {
namespace {

using json = nlohmann::json;
constexpr const char* kCookie = "pianokpm_token";

double unix_s() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

void refuse(httplib::Response& res, int status, const std::string& why) { reply(res, status, json{{"error", why}}); }

// The body as a JSON object, or nullopt after answering 400.
std::optional<json> body_object(const httplib::Request& req, httplib::Response& res) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    refuse(res, 400, "the body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

std::string token_of(const httplib::Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) == 0) return auth.substr(7);
  const std::string cookies = req.get_header_value("Cookie");
  const std::string key = std::string(kCookie) + "=";
  for (size_t at = 0; at < cookies.size();) {
    const size_t end = std::min(cookies.find(';', at), cookies.size());
    size_t start = at;
    while (start < end && cookies[start] == ' ') ++start;
    if (cookies.compare(start, key.size(), key) == 0) return cookies.substr(start + key.size(), end - start - key.size());
    at = end + 1;
  }
  return "";
}

json session_json(const SessionInfo& s) {
  return json{{"id", s.id},
              {"player", s.player},
              {"title", s.title},
              {"rate_hz", s.rate_hz},
              {"channels", s.channels},
              {"started_s", s.started_s},
              {"ended", s.ended},
              {"rows", s.next_seq},
              {"duration_s", s.rate_hz > 0 ? s.next_seq / s.rate_hz : 0.0},
              {"details", json::parse(s.details, nullptr, false)}};
}

int64_t path_id(const httplib::Request& req) {
  try {
    return std::stoll(req.matches[1].str());
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

struct RemoteServer::Feed {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::pair<int64_t, std::string>> events;  // (event number, "data: ...\n\n")
  int64_t last = 0;
  std::shared_ptr<const std::string> picture;  // newest JPEG
  int64_t picture_seq = 0;
  bool ended = false;
};

void RemoteServerOptions::check() const {
  if (data_dir.empty()) throw std::invalid_argument("data_dir: the server needs a folder for its database");
  if (cert_path.empty() != key_path.empty()) throw std::invalid_argument("cert_path and key_path: give both or neither");
  if (port < 0 || port > 65535) throw std::invalid_argument("port: 0 to 65535");
  if (!(token_ttl_s > 0)) throw std::invalid_argument("token_ttl_s must be positive");
  login.check();
  if (max_viewers < 1 || max_request_threads < 2)
    throw std::invalid_argument("max_viewers and max_request_threads must be positive");
  if (max_body_bytes < 1024) throw std::invalid_argument("max_body_bytes must be at least 1024");
  if (max_rows_per_chunk < 1 || max_channels < 1)
    throw std::invalid_argument("max_rows_per_chunk and max_channels must be positive");
  if (!(trace_rate_hz > 0)) throw std::invalid_argument("trace_rate_hz must be positive");
  if (history_events < 1) throw std::invalid_argument("history_events must be at least 1");
  if (!(read_timeout_s > 0) || !(write_timeout_s > 0)) throw std::invalid_argument("timeouts must be positive");
}

RemoteServer::RemoteServer(const RemoteServerOptions& options) : options_(options), limiter_(options.login) {
  options_.check();
  std::error_code ec;
  std::filesystem::create_directories(options_.data_dir, ec);
  if (!std::filesystem::is_directory(options_.data_dir)) throw InputError(options_.data_dir, "cannot make the data folder");
  store_ = std::make_unique<SessionStore>((std::filesystem::path(options_.data_dir) / "sessions.db").string());
  cert_path_ = options_.cert_path;
  key_path_ = options_.key_path;
  if (cert_path_.empty()) {
    const auto tls = std::filesystem::path(options_.data_dir) / "tls";
    std::filesystem::create_directories(tls, ec);
    cert_path_ = (tls / "cert.pem").string();
    key_path_ = (tls / "key.pem").string();
    ensure_self_signed(cert_path_, key_path_, SelfSignedOptions{options_.tls_names});
  }
  server_ = std::make_unique<httplib::SSLServer>(cert_path_.c_str(), key_path_.c_str());
  if (!server_->is_valid()) throw InputError(cert_path_, "cannot use this certificate and key (PEM, matching pair?)");
  SSL_CTX* ctx = server_->ssl_context();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  const size_t threads = static_cast<size_t>(options_.max_viewers + options_.max_request_threads);
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  auto seconds = [](double s) {
    return std::pair<time_t, time_t>(static_cast<time_t>(s), static_cast<time_t>(std::fmod(s, 1) * 1e6));
  };
  server_->set_read_timeout(seconds(options_.read_timeout_s).first, seconds(options_.read_timeout_s).second);
  server_->set_write_timeout(seconds(options_.write_timeout_s).first, seconds(options_.write_timeout_s).second);
  server_->set_keep_alive_timeout(5);
  server_->set_payload_max_length(options_.max_body_bytes);
  server_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) { refuse(res, 500, "internal error"); });
  server_->set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_header("Strict-Transport-Security", "max-age=31536000");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
  });
  page_ = std::string("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">") +
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>pianokpm remote</title>" + "<style>" +
          report_assets::uplot_css + remote_assets::page_css + "</style></head><body>" + remote_assets::page_body + "<script>" +
          report_assets::uplot_js + "</script><script>" + remote_assets::page_js + "</script></body></html>\n";
  add_routes();
}

RemoteServer::~RemoteServer() { stop(); }

std::string RemoteServer::url() const { return fmt::format("https://{}:{}/", options_.host, port_); }

void RemoteServer::start() {
  port_ = options_.port == 0 ? server_->bind_to_any_port(options_.host)
                             : (server_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ < 0)
    throw InputError(fmt::format("--listen {}:{}", options_.host, options_.port),
                     "cannot listen there (address in use, or not this machine's?)");
  listener_ = std::thread([this] {
    server_->listen_after_bind();
    listener_ended_ = true;
  });
  while (!server_->is_running() && !listener_ended_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void RemoteServer::stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(feeds_mutex_);
    for (auto& [id, f] : feeds_) {
      std::lock_guard<std::mutex> fl(f->mutex);
      f->ended = true;
      f->changed.notify_all();
    }
  }
  if (server_) server_->stop();
  if (listener_.joinable()) listener_.join();
}

std::optional<User> RemoteServer::authenticate(const httplib::Request& req, httplib::Response& res) {
  auto user = store_->user_for_token(token_digest(token_of(req)), unix_s());
  if (!user) {
    res.set_header("WWW-Authenticate", "Bearer");
    refuse(res, 401, "log in first (no token, or an expired or unknown one)");
  }
  return user;
}

std::optional<SessionInfo> RemoteServer::visible_session(const httplib::Request& req, httplib::Response& res, const User& user) {
  const int64_t id = path_id(req);
  auto session = id >= 0 ? store_->session(id) : std::nullopt;
  if (!session || !store_->may_view(user, *session)) {
    refuse(res, 404, "no such session among those you may see");
    return std::nullopt;
  }
  return session;
}

void RemoteServer::login(const httplib::Request& req, httplib::Response& res) {
  auto body = body_object(req, res);
  if (!body) return;
  const json& user_field = (*body)["user"];
  const json& password_field = (*body)["password"];
  if (!user_field.is_string() || !password_field.is_string()) return refuse(res, 400, "user and password: text");
  const std::string name = user_field.get<std::string>(), password = password_field.get<std::string>();
  const std::string by_address = "addr:" + req.remote_addr, by_name = "user:" + name.substr(0, 64);
  const double wait = std::max(limiter_.wait_s(by_address), limiter_.wait_s(by_name));
  if (wait > 0) {
    res.set_header("Retry-After", std::to_string(static_cast<int>(std::ceil(wait))));
    return refuse(res, 429, "too many failed logins: try again later");
  }
  const std::string stored = store_->password_hash(name);
  // An unknown name costs the same as a wrong password, so that names cannot be probed by timing.
  static const std::string dummy = hash_password("not-a-real-password");
  const bool ok = verify_password(stored.empty() ? dummy : stored, password) && !stored.empty();
  if (!ok) {
    limiter_.failed(by_address);
    limiter_.failed(by_name);
    return refuse(res, 401, "wrong user name or password");
  }
  limiter_.succeeded(by_name);
  const User user = *store_->user(name);
  const std::string token = new_token();
  store_->add_token(token_digest(token), user.id, unix_s() + options_.token_ttl_s);
  res.set_header("Set-Cookie", fmt::format("{}={}; Path=/; Max-Age={}; Secure; HttpOnly; SameSite=Strict", kCookie, token,
                                           static_cast<int64_t>(options_.token_ttl_s)));
  reply(res, 200,
        json{{"token", token}, {"user", user.name}, {"role", role_name(user.role)}, {"expires_s", options_.token_ttl_s}});
}

void RemoteServer::add_routes() {
  httplib::SSLServer& s = *server_;
  s.Get("/", [this](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_header(
        "Content-Security-Policy",
        "default-src 'none'; connect-src 'self'; img-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "form-action 'none'; frame-ancestors 'none'");
    res.set_content(page_, "text/html; charset=utf-8");
  });
  s.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  s.Post("/api/login", [this](const httplib::Request& req, httplib::Response& res) { login(req, res); });
  s.Post("/api/logout", [this](const httplib::Request& req, httplib::Response& res) {
    store_->remove_token(token_digest(token_of(req)));
    res.set_header("Set-Cookie", fmt::format("{}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict", kCookie));
    reply(res, 200, json::object());
  });
  s.Get("/api/me", [this](const httplib::Request& req, httplib::Response& res) {
    auto user = authenticate(req, res);
    if (!user) return;
    reply(res, 200, json{{"user", user->name}, {"role", role_name(user->role)}, {"viewers", store_->viewers_of(user->id)}});
  });
  s.Post("/api/grants", [this](const httplib::Request& req, httplib::Response& res) {
    auto user = authenticate(req, res);
    if (!user) return;
    if (user->role != Role::kPlayer) return refuse(res, 403, "only players grant access to their sessions");
    auto body = body_object(req, res);
    if (!body) return;
    const auto viewer = store_->user(body->value("viewer", std::string()));
    if (!viewer || viewer->role != Role::kViewer) return refuse(res, 400, "viewer: no viewer of that name");
    if (body->value("allow", true))
      store_->grant(user->id, viewer->id);
    else
      store_->revoke(user->id, viewer->id);
    reply(res, 200, json{{"viewers", store_->viewers_of(user->id)}});
  });
  s.Get("/api/sessions", [this](const httplib::Request& req, httplib::Response& res) {
    auto user = authenticate(req, res);
    if (!user) return;
    json list = json::array();
    for (const auto& session : store_->sessions_visible_to(*user)) list.push_back(session_json(session));
    reply(res, 200, json{{"sessions", list}});
  });
  s.Post("/api/sessions", [this](const httplib::Request& req, httplib::Response& res) {
    auto user = authenticate(req, res);
    if (!user) return;
    if (user->role != Role::kPlayer) return refuse(res, 403, "only players open sessions");
    auto body = body_object(req, res);
    if (!body) return;
    try {
      const auto client_id = body->at("client_id").get<std::string>();
      const auto title = body->value("title", std::string());
      const auto rate = body->at("rate_hz").get<double>();
      const auto channels = body->at("channels").get<std::vector<std::string>>();
      const json details = body->value("details", json::object());
      if (!details.is_object() || details.dump().size() > 4096) return refuse(res, 400, "details: a JSON object under 4 KiB");
      if (client_id.empty() || client_id.size() > 64) return refuse(res, 400, "client_id: 1 to 64 characters");
      if (title.size() > 200) return refuse(res, 400, "title: at most 200 characters");
      if (!(rate > 0 && rate <= 100000)) return refuse(res, 400, "rate_hz: in (0, 100000]");
      if (channels.empty() || channels.size() > static_cast<size_t>(options_.max_channels))
        return refuse(res, 400, fmt::format("channels: 1 to {}", options_.max_channels));
      const SessionInfo session = store_->open_session(user->id, client_id, title, rate, channels, unix_s(), details.dump());
      if (session.rate_hz != rate || session.channels != channels)
        return refuse(res, 409, "client_id: that session exists with another rate or other channels");
      {
        auto f = feed(session.id);
        std::lock_guard<std::mutex> lock(f->mutex);
        f->ended = false;
      }
      reply(res, 200, session_json(session));
    } catch (const json::exception&) {
      refuse(res, 400, "need client_id (text), rate_hz (number) and channels (list of text)");
    }
  });
  s.Post(R"(/api/sessions/(\d{1,18})/rows)",
         [this](const httplib::Request& req, httplib::Response& res) { push_rows(req, res); });
  s.Post(R"(/api/sessions/(\d{1,18})/frame)",
         [this](const httplib::Request& req, httplib::Response& res) { push_frame(req, res); });
  s.Get(R"(/api/sessions/(\d{1,18})/video\.mjpg)",
        [this](const httplib::Request& req, httplib::Response& res) { video(req, res); });
  s.Post(R"(/api/sessions/(\d{1,18})/end)", [this](const httplib::Request& req, httplib::Response& res) {
    auto user = authenticate(req, res);
    if (!user) return;
    auto session = visible_session(req, res, *user);
    if (!session) return;
    if (session->player_id != user->id) return refuse(res, 403, "only the session's player ends it");
    store_->end_session(session->id);
    {
      auto f = feed(session->id);
      std::lock_guard<std::mutex> lock(f->mutex);
      f->ended = true;
      f->changed.notify_all();
    }
    reply(res, 200, json{{"rows", session->next_seq}});
  });
  s.Get(R"(/api/sessions/(\d{1,18})/rows)", [this](const httplib::Request& req, httplib::Response& res) {
    auto user = authenticate(req, res);
    if (!user) return;
    auto session = visible_session(req, res, *user);
    if (!session) return;
    int64_t from = 0, max = 1 << 16;
    try {
      if (req.has_param("from")) from = std::stoll(req.get_param_value("from"));
      if (req.has_param("max")) max = std::stoll(req.get_param_value("max"));
    } catch (const std::exception&) {
      return refuse(res, 400, "from and max: whole numbers");
    }
    if (from < 0 || max < 1 || max > (1 << 16)) return refuse(res, 400, "from >= 0 and 1 <= max <= 65536");
    const size_t channels = session->channels.size();
    json rows = json::array();
    int64_t first = -1;
    for (const auto& chunk : store_->chunks(session->id, from, max))
      for (int64_t r = 0; r < chunk.rows; ++r) {
        const int64_t seq = chunk.first_seq + r;
        if (seq < from || seq >= from + max) continue;
        if (first < 0) first = seq;
        rows.push_back(std::vector<float>(chunk.data.begin() + r * channels, chunk.data.begin() + (r + 1) * channels));
      }
    reply(res, 200, json{{"first_seq", first < 0 ? from : first}, {"next_seq", session->next_seq}, {"rows", rows}});
  });
  s.Get(R"(/api/sessions/(\d{1,18})/report)", [this](const httplib::Request& req, httplib::Response& res) { report(req, res); });
  s.Get(R"(/api/sessions/(\d{1,18})/live)", [this](const httplib::Request& req, httplib::Response& res) { live(req, res); });
}

void RemoteServer::push_rows(const httplib::Request& req, httplib::Response& res) {
  const double received_ms = unix_s() * 1000;
  auto user = authenticate(req, res);
  if (!user) return;
  auto session = visible_session(req, res, *user);
  if (!session) return;
  if (session->player_id != user->id) return refuse(res, 403, "only the session's player pushes its rows");
  if (session->ended) return refuse(res, 409, "the session has ended");
  auto body = body_object(req, res);
  if (!body) return;
  RowChunk chunk;
  json status;
  const size_t channels = session->channels.size();
  try {
    chunk.first_seq = body->at("first_seq").get<int64_t>();
    chunk.emitted_ms = body->value("emitted_ms", received_ms);
    chunk.latency_ms = body->value("latency_ms", 0.0);
    status = body->value("status", json::object());
    if (!status.is_object() || status.dump().size() > 1024) return refuse(res, 400, "status: a JSON object under 1 KiB");
    const json& rows = body->at("rows");
    if (!rows.is_array() || rows.empty() || rows.size() > static_cast<size_t>(options_.max_rows_per_chunk))
      return refuse(res, 400, fmt::format("rows: 1 to {} rows", options_.max_rows_per_chunk));
    if (chunk.first_seq < 0) return refuse(res, 400, "first_seq: not negative");
    chunk.rows = static_cast<int64_t>(rows.size());
    chunk.data.reserve(rows.size() * channels);
    for (const json& row : rows) {
      if (!row.is_array() || row.size() != channels)
        return refuse(res, 400, fmt::format("rows: each row holds {} values (the session's channels)", channels));
      for (const json& v : row) {
        if (!v.is_number() || !std::isfinite(v.get<double>())) return refuse(res, 400, "rows: finite numbers only");
        chunk.data.push_back(v.get<float>());
      }
    }
  } catch (const json::exception&) {
    return refuse(res, 400, "need first_seq (whole number) and rows (list of rows)");
  }
  if (!std::isfinite(chunk.emitted_ms) || !std::isfinite(chunk.latency_ms))
    return refuse(res, 400, "emitted_ms and latency_ms: finite numbers");
  const AppendResult result = store_->append(session->id, chunk);
  if (result.gap)
    return reply(res, 409, json{{"error", "rows missing before first_seq: resend from next_seq"}, {"next_seq", result.next_seq}});
  if (result.stored_rows > 0) publish(*session, chunk, status, result.next_seq - result.stored_rows, result.next_seq);
  reply(res, 200, json{{"next_seq", result.next_seq}, {"stored_rows", result.stored_rows}});
}

std::shared_ptr<RemoteServer::Feed> RemoteServer::feed(int64_t session_id) {
  std::lock_guard<std::mutex> lock(feeds_mutex_);
  auto& f = feeds_[session_id];
  if (!f) f = std::make_shared<Feed>();
  return f;
}

void RemoteServer::publish(const SessionInfo& session, const RowChunk& chunk, const nlohmann::json& status, int64_t first_new,
                           int64_t next_seq) {
  const size_t channels = session.channels.size();
  const int64_t step = std::max<int64_t>(1, std::llround(session.rate_hz / options_.trace_rate_hz));
  json points = json::array();
  for (int64_t seq = (first_new + step - 1) / step * step; seq < next_seq; seq += step) {
    const int64_t r = seq - chunk.first_seq;
    json point = json::array({seq});
    for (size_t c = 0; c < channels; ++c) point.push_back(chunk.data[r * channels + c]);
    points.push_back(std::move(point));
  }
  const json event{{"next_seq", next_seq},
                   {"rate_hz", session.rate_hz},
                   {"emitted_ms", chunk.emitted_ms},
                   {"latency_ms", chunk.latency_ms},
                   {"sent_ms", unix_s() * 1000},
                   {"status", status},
                   {"points", points}};
  auto f = feed(session.id);
  std::lock_guard<std::mutex> lock(f->mutex);
  f->events.emplace_back(++f->last, "data: " + event.dump() + "\n\n");
  while (f->events.size() > static_cast<size_t>(options_.history_events)) f->events.pop_front();
  f->changed.notify_all();
}

std::optional<SessionInfo> RemoteServer::admit_viewer(const httplib::Request& req, httplib::Response& res) {
  auto user = authenticate(req, res);
  if (!user) return std::nullopt;
  auto session = visible_session(req, res, *user);
  if (!session) return std::nullopt;
  if (++live_viewers_ > options_.max_viewers) {
    --live_viewers_;
    refuse(res, 503, "too many viewers: try again later");
    return std::nullopt;
  }
  return session;
}

void RemoteServer::live(const httplib::Request& req, httplib::Response& res) {
  auto session = admit_viewer(req, res);
  if (!session) return;
  auto f = feed(session->id);
  auto cursor = std::make_shared<int64_t>(0);
  res.set_header("Cache-Control", "no-store");
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, f, cursor](size_t, httplib::DataSink& sink) {
        std::string out;
        {
          std::unique_lock<std::mutex> lock(f->mutex);
          f->changed.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || f->ended || f->last > *cursor; });
          if (stopping_) return false;
          for (const auto& [n, text] : f->events)
            if (n > *cursor) out += text;
          *cursor = f->last;
          if (out.empty() && f->ended) {
            // The session is over: say so once and close the stream.
            const std::string end = "event: end\ndata: {}\n\n";
            if (sink.write(end.data(), end.size())) sink.done();
            return true;
          }
        }
        if (out.empty()) out = ": waiting\n\n";  // keeps proxies and the browser from timing out
        return sink.write(out.data(), out.size());
      },
      [this](bool) { --live_viewers_; });
}

void RemoteServer::push_frame(const httplib::Request& req, httplib::Response& res) {
  auto user = authenticate(req, res);
  if (!user) return;
  auto session = visible_session(req, res, *user);
  if (!session) return;
  if (session->player_id != user->id) return refuse(res, 403, "only the session's player sends its pictures");
  if (session->ended) return refuse(res, 409, "the session has ended");
  if (req.body.size() > options_.max_frame_bytes) return refuse(res, 413, "a picture of at most 512 KiB");
  // JPEG: starts with SOI (FF D8 FF), ends with EOI (FF D9).
  const std::string& b = req.body;
  if (b.size() < 4 || static_cast<unsigned char>(b[0]) != 0xFF || static_cast<unsigned char>(b[1]) != 0xD8 ||
      static_cast<unsigned char>(b[2]) != 0xFF || static_cast<unsigned char>(b[b.size() - 2]) != 0xFF ||
      static_cast<unsigned char>(b[b.size() - 1]) != 0xD9)
    return refuse(res, 400, "the picture must be one JPEG image");
  auto f = feed(session->id);
  {
    std::lock_guard<std::mutex> lock(f->mutex);
    f->picture = std::make_shared<const std::string>(b);
    ++f->picture_seq;
  }
  f->changed.notify_all();
  reply(res, 200, json::object());
}

void RemoteServer::video(const httplib::Request& req, httplib::Response& res) {
  auto session = admit_viewer(req, res);
  if (!session) return;
  auto f = feed(session->id);
  auto last = std::make_shared<int64_t>(0);
  static constexpr const char* kBoundary = "pianokpmframe";
  res.set_header("Cache-Control", "no-store");
  res.set_chunked_content_provider(
      std::string("multipart/x-mixed-replace; boundary=") + kBoundary,
      [this, f, last](size_t, httplib::DataSink& sink) {
        std::shared_ptr<const std::string> jpeg;
        {
          std::unique_lock<std::mutex> lock(f->mutex);
          f->changed.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || f->ended || f->picture_seq != *last; });
          if (stopping_) return false;
          if (f->picture_seq == *last || !f->picture) {
            if (f->ended) sink.done();  // the session is over and its last picture was sent
            return true;
          }
          jpeg = f->picture;
          *last = f->picture_seq;
        }
        std::string part = fmt::format("--{}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n", kBoundary, jpeg->size());
        part.append(*jpeg).append("\r\n");
        return sink.write(part.data(), part.size());
      },
      [this](bool) { --live_viewers_; });
}

void RemoteServer::report(const httplib::Request& req, httplib::Response& res) {
  auto user = authenticate(req, res);
  if (!user) return;
  auto session = visible_session(req, res, *user);
  if (!session) return;
  if (!html_report_available()) return refuse(res, 404, "this build has no HTML reports (uPlot was missing)");
  const int64_t channels = static_cast<int64_t>(session->channels.size());
  const int64_t rows = std::min<int64_t>(session->next_seq, std::llround(options_.max_report_s * session->rate_hz));
  if (channels != kReleaseLayout.emg_channels || rows == 0)
    return refuse(res, 404, "reports are made for sessions of the six muscles with rows stored");
  torch::Tensor emg = torch::zeros({rows, channels});
  float* out = emg.data_ptr<float>();
  for (const RowChunk& chunk : store_->chunks(session->id, 0, rows))
    for (int64_t r = 0; r < chunk.rows && chunk.first_seq + r < rows; ++r)
      std::copy_n(chunk.data.data() + r * channels, channels, out + (chunk.first_seq + r) * channels);
  const json details = json::parse(session->details, nullptr, false);
  ReportContent c;
  c.title =
      fmt::format("{}: {}", session->player, session->title.empty() ? "session " + std::to_string(session->id) : session->title);
  c.rate_hz = session->rate_hz;
  c.synthetic_model = details.is_object() && details.value("synthetic_model", false);
  c.provenance = fmt::format(
      "EMG estimated live on {}'s computer{} and pushed to this server{}.", session->player,
      details.is_object() && details.contains("model") ? " by the model " + details["model"].get<std::string>() : std::string(),
      rows < session->next_seq ? fmt::format(" (the first {:g} hours)", options_.max_report_s / 3600) : "");
  ReportPerformance p;
  p.name = session->title.empty() ? "session " + std::to_string(session->id) : session->title;
  p.estimated = emg;
  AnalysisOptions ao;
  ao.bursts.rate_hz = session->rate_hz;
  p.analysis = analysis_to_json(analyze_emg(emg, {}, ao), ao);
  c.performances.push_back(std::move(p));
  res.set_header("Cache-Control", "no-store");
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
                 "media-src data:; frame-ancestors 'none'");
  res.set_content(html_report(c, ReportOptions{}), "text/html; charset=utf-8");
}

}  // namespace pianokpm::remote
