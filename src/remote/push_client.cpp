#include "remote/push_client.h"

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "core/input_error.h"
#include "remote/credentials.h"

namespace pianokpm::remote {
namespace {

using json = nlohmann::json;

double unix_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// "https://HOST[:PORT][/]" -> host, port; std::invalid_argument otherwise.
std::pair<std::string, int> parse_https_url(const std::string& url) {
  const std::string scheme = "https://";
  if (url.rfind(scheme, 0) != 0)
    throw std::invalid_argument("--push: the server's address must start with https:// (not '" + url + "')");
  std::string rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string::npos)
    throw std::invalid_argument("--push: expected https://HOST:PORT, not '" + url + "'");
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos) return {rest, 443};
  const std::string port = rest.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) < 1 ||
      std::stoi(port) > 65535)
    throw std::invalid_argument("--push: bad port in '" + url + "'");
  return {rest.substr(0, colon), std::stoi(port)};
}

std::string error_of(const httplib::Result& r) {
  if (!r) return httplib::to_string(r.error());
  json body = json::parse(r->body, nullptr, false);
  const std::string why = body.is_object() ? body.value("error", std::string()) : std::string();
  return fmt::format("HTTP {}{}", r->status, why.empty() ? "" : ": " + why);
}

}  // namespace

void PushOptions::check() const {
  parse_https_url(url);
  if (user.empty()) throw std::invalid_argument("--push-user: who pushes (a player's account on the server)");
  if (password.empty()) throw std::invalid_argument("push password: set PIANOKPM_PUSH_PASSWORD or --push-password-file");
  if (client_id.size() > 64) throw std::invalid_argument("push client_id: at most 64 characters");
  if (!(rate_hz > 0)) throw std::invalid_argument("push rate_hz must be positive");
  if (channels.empty()) throw std::invalid_argument("push channels: at least one");
  if (!nlohmann::json::parse(details, nullptr, false).is_object()) throw std::invalid_argument("push details: a JSON object");
  if (max_buffered_rows < 1 || max_rows_per_push < 1) throw std::invalid_argument("push buffer sizes must be positive");
  if (!(timeout_s > 0) || !(max_retry_s > 0) || !(flush_timeout_s >= 0))
    throw std::invalid_argument("push timeouts must be positive");
}

PushClient::PushClient(const PushOptions& options) : options_(options) {
  options_.check();
  std::tie(host_, port_) = parse_https_url(options_.url);
  if (options_.client_id.empty()) options_.client_id = random_hex(16);
  client_ = std::make_unique<httplib::SSLClient>(host_, port_);
  if (!options_.ca_file.empty()) client_->set_ca_cert_path(options_.ca_file.c_str());
  client_->enable_server_certificate_verification(true);
  client_->set_keep_alive(true);
  const auto whole = static_cast<time_t>(options_.timeout_s);
  const auto micros = static_cast<time_t>((options_.timeout_s - whole) * 1e6);
  client_->set_connection_timeout(whole, micros);
  client_->set_read_timeout(whole, micros);
  client_->set_write_timeout(whole, micros);
}

PushClient::~PushClient() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

PushClient::Outcome PushClient::failure(const std::string& what, bool fatal) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++stats_.failed_requests;
  stats_.last_error = what;
  return fatal ? Outcome::kFatal : Outcome::kRetry;
}

PushClient::Outcome PushClient::login() {
  const json body{{"user", options_.user}, {"password", options_.password}};
  auto r = client_->Post("/api/login", body.dump(), "application/json");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.requests;
  }
  if (!r) {
    const bool fatal = r.error() == httplib::Error::SSLServerVerification || r.error() == httplib::Error::SSLLoadingCerts;
    return failure(fmt::format("{}: {}", options_.url, httplib::to_string(r.error())), fatal);
  }
  if (r->status != 200) return failure(fmt::format("{}: login: {}", options_.url, error_of(r)), r->status == 401);
  json reply = json::parse(r->body, nullptr, false);
  if (!reply.is_object() || !reply.contains("token")) return failure(options_.url + ": login: no token in the reply", true);
  if (reply.value("role", std::string()) != "player")
    return failure(fmt::format("{}: {} is not a player's account", options_.url, options_.user), true);
  token_ = reply["token"].get<std::string>();
  client_->set_bearer_token_auth(token_.c_str());
  std::lock_guard<std::mutex> lock(mutex_);
  ++stats_.logins;
  stats_.last_error.clear();
  return Outcome::kOk;
}

PushClient::Outcome PushClient::open_session() {
  const json body{{"client_id", options_.client_id},
                  {"title", options_.title},
                  {"rate_hz", options_.rate_hz},
                  {"channels", options_.channels},
                  {"details", json::parse(options_.details)}};
  auto r = client_->Post("/api/sessions", body.dump(), "application/json");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.requests;
  }
  if (!r) return failure(fmt::format("{}: {}", options_.url, httplib::to_string(r.error())), false);
  if (r->status == 401) {
    token_.clear();
    return failure(options_.url + ": the login expired", false);
  }
  if (r->status != 200) return failure(fmt::format("{}: opening the session: {}", options_.url, error_of(r)), r->status < 500);
  json reply = json::parse(r->body, nullptr, false);
  if (!reply.is_object() || !reply.contains("id")) return failure(options_.url + ": no session id in the reply", true);
  const int64_t held = reply.value("rows", int64_t{0});
  {
    // A session resumed by its client_id (a player's new process): this process's rows follow
    // those the server holds, so they are renumbered from there.
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.session_id = reply["id"].get<int64_t>();
    for (Pending& p : pending_) p.first_seq += held;
    next_expected_ += held;
    seq_offset_ = held;
    stats_.rows_added += held;  // counted as given, so that finish() compares like with like
  }
  acknowledge(held);
  return Outcome::kOk;
}

void PushClient::start() {
  Outcome outcome = login();
  if (outcome == Outcome::kOk) outcome = open_session();
  if (outcome == Outcome::kFatal) throw InputError("--push " + options_.url, stats().last_error);
  if (outcome == Outcome::kRetry) spdlog::warn("push: {} (rows are kept and sent once the server answers)", stats().last_error);
  thread_ = std::thread([this] { run(); });
}

void PushClient::add(int64_t first_seq, const float* rows, int64_t n, double latency_ms) {
  const size_t channels = options_.channels.size();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    first_seq += seq_offset_;
    if (overflowed_ || n <= 0 || first_seq + n <= next_expected_) return;
    if (buffered_rows_ + n > options_.max_buffered_rows) {
      overflowed_ = true;
      stats_.rows_not_buffered += n;
      spdlog::warn(
          "push: {} rows waiting for the server, the buffer's limit: the server's copy ends at row {} "
          "(the local recording goes on)",
          buffered_rows_, next_expected_);
      return;
    }
    Pending p;
    p.first_seq = next_expected_;
    p.emitted_ms = unix_ms();
    p.latency_ms = latency_ms;
    // Rows the pipeline skipped are zeros, as in the local recording; rows already given are not repeated.
    const int64_t skip = std::max<int64_t>(0, next_expected_ - first_seq);
    p.data.assign(static_cast<size_t>(std::max<int64_t>(0, first_seq - next_expected_)) * channels, 0.f);
    p.data.insert(p.data.end(), rows + skip * channels, rows + n * channels);
    const int64_t added = p.rows(channels);
    next_expected_ += added;
    buffered_rows_ += added;
    stats_.rows_added += added;
    pending_.push_back(std::move(p));
  }
  wake_.notify_all();
}

void PushClient::set_frame(std::string jpeg) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (overflowed_) return;
    frame_ = std::move(jpeg);
    frame_pending_ = true;
  }
  wake_.notify_all();
}

void PushClient::set_status(std::string json_object) {
  std::lock_guard<std::mutex> lock(mutex_);
  status_ = std::move(json_object);
}

PushClient::Outcome PushClient::push_frame() {
  std::string jpeg;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!frame_pending_) return Outcome::kOk;
    jpeg.swap(frame_);
    frame_pending_ = false;
    ++stats_.requests;
  }
  auto r = client_->Post(fmt::format("/api/sessions/{}/frame", stats().session_id), jpeg, "image/jpeg");
  if (!r) return failure(fmt::format("{}: {}", options_.url, httplib::to_string(r.error())), false);
  if (r->status == 401) {
    token_.clear();
    return failure(options_.url + ": the login expired", false);
  }
  // A picture the server refuses is only a picture: the rows go on.
  if (r->status != 200) return failure(fmt::format("{}: picture: {}", options_.url, error_of(r)), false);
  std::lock_guard<std::mutex> lock(mutex_);
  ++stats_.frames_sent;
  return Outcome::kOk;
}

void PushClient::acknowledge(int64_t next_seq) {
  const size_t channels = options_.channels.size();
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.rows_acknowledged = std::max(stats_.rows_acknowledged, next_seq);
  while (!pending_.empty()) {
    Pending& front = pending_.front();
    const int64_t end = front.first_seq + front.rows(channels);
    if (end <= next_seq) {
      buffered_rows_ -= front.rows(channels);
      pending_.pop_front();
    } else {
      if (next_seq > front.first_seq) {
        const int64_t cut = next_seq - front.first_seq;
        front.data.erase(front.data.begin(), front.data.begin() + cut * channels);
        front.first_seq = next_seq;
        buffered_rows_ -= cut;
      }
      break;
    }
  }
  if (next_expected_ < next_seq) next_expected_ = next_seq;  // a resumed session the server holds more of
  wake_.notify_all();
}

PushClient::Outcome PushClient::push_front() {
  const size_t channels = options_.channels.size();
  json body;
  int64_t first = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (pending_.empty()) return Outcome::kOk;
    first = pending_.front().first_seq;
    json rows = json::array();
    double emitted = 0, latency = 0;
    for (const Pending& p : pending_) {
      if (static_cast<int64_t>(rows.size()) + p.rows(channels) > options_.max_rows_per_push && !rows.empty()) break;
      for (int64_t r = 0; r < p.rows(channels); ++r)
        rows.push_back(std::vector<float>(p.data.begin() + r * channels, p.data.begin() + (r + 1) * channels));
      emitted = p.emitted_ms;
      latency = p.latency_ms;
    }
    body = json{{"first_seq", first},
                {"emitted_ms", emitted},
                {"latency_ms", latency},
                {"status", json::parse(status_, nullptr, false)},
                {"rows", std::move(rows)}};
    if (!body["status"].is_object()) body.erase("status");
    ++stats_.requests;
  }
  const int64_t session = stats().session_id;
  auto r = client_->Post(fmt::format("/api/sessions/{}/rows", session), body.dump(), "application/json");
  if (!r) return failure(fmt::format("{}: {}", options_.url, httplib::to_string(r.error())), false);
  json reply = json::parse(r->body, nullptr, false);
  const int64_t next = reply.is_object() ? reply.value("next_seq", int64_t{-1}) : -1;
  if (r->status == 200 && next >= 0) {
    acknowledge(next);
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.last_error.clear();
    return Outcome::kOk;
  }
  if (r->status == 409 && next >= first) {
    acknowledge(next);
    return Outcome::kOk;
  }
  if (r->status == 409 && next >= 0)
    return failure(fmt::format("{}: the server holds rows only up to {}, and rows from {} on are all that is left to send",
                               options_.url, next, first),
                   true);
  if (r->status == 401) {
    token_.clear();
    return failure(options_.url + ": the login expired", false);
  }
  return failure(fmt::format("{}: {}", options_.url, error_of(r)), r->status >= 400 && r->status < 500);
}

void PushClient::run() {
  double backoff_s = 0.1;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopped_ || !pending_.empty() || finishing_ || frame_pending_; });
      if (stopped_ || (finishing_ && pending_.empty())) return;
    }
    Outcome outcome = Outcome::kOk;
    if (token_.empty()) outcome = login();
    if (outcome == Outcome::kOk && stats().session_id < 0) outcome = open_session();
    if (outcome == Outcome::kOk) outcome = push_front();
    if (outcome == Outcome::kOk) outcome = push_frame();
    if (outcome == Outcome::kFatal) {
      spdlog::error("push: {}: giving up on the server's copy (the local recording goes on)", stats().last_error);
      std::lock_guard<std::mutex> lock(mutex_);
      overflowed_ = true;  // take no more rows
      pending_.clear();
      buffered_rows_ = 0;
      return;
    }
    if (outcome == Outcome::kOk) {
      backoff_s = 0.1;
      continue;
    }
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait_for(lock, std::chrono::duration<double>(backoff_s), [&] { return stopped_; });
    backoff_s = std::min(2 * backoff_s, options_.max_retry_s);
  }
}

bool PushClient::finish() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    finishing_ = true;
    wake_.notify_all();
    wake_.wait_for(lock, std::chrono::duration<double>(options_.flush_timeout_s), [&] { return pending_.empty(); });
    stopped_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  const PushStats s = stats();
  const bool complete = !overflowed_ && s.rows_acknowledged == s.rows_added && s.session_id >= 0;
  if (complete) {
    auto r = client_->Post(fmt::format("/api/sessions/{}/end", s.session_id), "{}", "application/json");
    if (!r || r->status != 200)
      spdlog::warn("push: could not end the session on the server: {}", r ? error_of(r) : httplib::to_string(r.error()));
  }
  return complete;
}

PushStats PushClient::stats() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

}  // namespace pianokpm::remote
