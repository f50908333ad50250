#include "live/live_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

#include "analysis/muscles.h"
#include "core/input_error.h"
#include "core/stream_layout.h"
#include "live/live_assets.h"
#include "live/overlay_jpeg.h"
#include "live/text_output.h"
#include "render/overlay_frame.h"
#include "report/report_assets.h"

namespace pianokpm::live {

namespace {

constexpr const char* kBoundary = "pianokpmframe";

// JSON placed inside <script>: "</" and "<!--" must not appear raw.
std::string script_safe(const std::string& json) {
  std::string out;
  for (char c : json) out += c == '<' ? std::string("\\u003c") : std::string(1, c);
  return out;
}

std::string make_page(const LiveServerOptions& o) {
  nlohmann::json config;
  config["title"] = o.title;
  config["note"] = o.note;
  config["trace_rate_hz"] = o.trace_rate_hz;
  config["unfamiliar_below"] = o.unfamiliar_below;
  config["unfamiliar_fallback"] = o.unfamiliar_fallback;
  for (const MuscleInfo& m : muscle_infos()) config["muscles"].push_back({{"code", m.code}, {"name", m.name}});
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>pianokpm live</title>\n<style>\n";
  h +=
      std::string(report_assets::uplot_css) + "\n" + live_assets::page_css + "\n</style>\n</head>\n<body data-ready=\"false\">\n";
  h += "<script type=\"application/json\" id=\"config\">" + script_safe(config.dump()) + "</script>\n";
  h += std::string(live_assets::page_body) + "\n<script>\n" + report_assets::uplot_js + "\n</script>\n<script>\n" +
       live_assets::page_js + "\n</script>\n</body></html>\n";
  return h;
}

}  // namespace

void LiveServerOptions::check() const {
  if (host.empty()) throw std::invalid_argument("--serve: the host is empty");
  if (port < 0 || port > 65535) throw std::invalid_argument(fmt::format("--serve: the port must be 0..65535, not {}", port));
  if (max_viewers < 1 || max_viewers > 256) throw std::invalid_argument("--max-viewers must be 1..256");
  if (!(video_fps > 0) || video_fps > 120) throw std::invalid_argument("the live view's frame rate must be in (0, 120]");
  if (jpeg_quality < 1 || jpeg_quality > 100) throw std::invalid_argument("the JPEG quality must be 1..100");
  if (max_video_width < 16) throw std::invalid_argument("the live view's width must be at least 16 pixels");
  if (!(trace_rate_hz > 0) || trace_rate_hz > kReleaseLayout.emg_rate_hz)
    throw std::invalid_argument(fmt::format("the trace rate must be in (0, {:g}]", kReleaseLayout.emg_rate_hz));
  if (history_events < 1) throw std::invalid_argument("the event history must hold at least one event");
  if (!(write_timeout_s > 0) || !(read_timeout_s > 0)) throw std::invalid_argument("server timeouts must be positive");
}

LiveServerOptions parse_serve_target(const std::string& text) {
  LiveServerOptions o;
  const size_t colon = text.rfind(':');
  const std::string port = colon == std::string::npos ? text : text.substr(colon + 1);
  if (colon != std::string::npos) o.host = text.substr(0, colon);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("--serve must be HOST:PORT or PORT, not '" + text + "'");
  o.port = std::stoi(port);
  return o;
}

bool is_loopback_host(const std::string& host) { return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0; }

LiveServer::LiveServer(const LiveServerOptions& options) : options_(options), server_(std::make_unique<httplib::Server>()) {
  options_.check();
  page_ = make_page(options_);
  // Every stream holds a thread while it lasts: room for both kinds at their limits, plus some for
  // pages, refusals and errors, so that a refusal is never queued behind the streams.
  const size_t threads = static_cast<size_t>(2 * options_.max_viewers + 8);
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_read_timeout(static_cast<time_t>(options_.read_timeout_s), 0);
  server_->set_write_timeout(
      static_cast<time_t>(options_.write_timeout_s),
      static_cast<time_t>((options_.write_timeout_s - static_cast<time_t>(options_.write_timeout_s)) * 1e6));
  server_->set_keep_alive_max_count(4);
  server_->set_keep_alive_timeout(2);
  server_->set_payload_max_length(4096);  // the page takes no request bodies
  add_routes();
}

LiveServer::~LiveServer() { stop(); }

std::string LiveServer::url() const { return fmt::format("http://{}:{}/", options_.host, port_); }

bool LiveServer::admit(std::atomic<int>& viewers, httplib::Response& res) {
  if (++viewers > options_.max_viewers) {
    --viewers;
    ++refused_;
    res.status = 503;
    res.set_content("too many viewers\n", "text/plain");
    return false;
  }
  res.set_header("Cache-Control", "no-store");
  return true;
}

void LiveServer::add_routes() {
  httplib::Server& s = *server_;
  s.Get("/", [this](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'");
    res.set_content(page_, "text/html; charset=utf-8");
  });
  s.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });  // browsers ask
  s.Get("/status.json", [this](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(status_json(), "application/json");
  });
  s.Get("/events", [this](const httplib::Request&, httplib::Response& res) {
    if (!admit(event_viewers_, res)) return;
    auto cursor = std::make_shared<int64_t>(0);  // the last event sent; a new viewer gets the history first
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, cursor](size_t, httplib::DataSink& sink) {
          std::string out;
          {
            std::unique_lock<std::mutex> lock(mutex_);
            changed_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || event_seq_ > *cursor; });
            if (stopping_) return false;
            for (const auto& [seq, text] : events_)
              if (seq > *cursor) out += text;
            *cursor = event_seq_;
          }
          if (out.empty()) out = ": waiting\n\n";  // keeps proxies and the browser from timing out
          return sink.write(out.data(), out.size());
        },
        [this](bool) { --event_viewers_; });
  });
  s.Get("/video.mjpg", [this](const httplib::Request&, httplib::Response& res) {
    if (!admit(video_viewers_, res)) return;
    changed_.notify_all();  // wakes the renderer
    auto last = std::make_shared<int64_t>(0);
    res.set_chunked_content_provider(
        std::string("multipart/x-mixed-replace; boundary=") + kBoundary,
        [this, last](size_t, httplib::DataSink& sink) {
          std::shared_ptr<const std::string> jpeg;
          {
            std::unique_lock<std::mutex> lock(mutex_);
            changed_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || jpeg_seq_ != *last; });
            if (stopping_) return false;
            if (jpeg_seq_ == *last || !jpeg_) return true;
            jpeg = jpeg_;
            *last = jpeg_seq_;
          }
          std::string part =
              fmt::format("--{}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n", kBoundary, jpeg->size());
          part.append(*jpeg).append("\r\n");
          return sink.write(part.data(), part.size());
        },
        [this](bool) { --video_viewers_; });
  });
  // Only GET is served; anything else is refused before its body is read.
  s.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "GET" || req.method == "HEAD") return httplib::Server::HandlerResponse::Unhandled;
    res.status = 405;
    res.set_header("Allow", "GET");
    res.set_header("Connection", "close");
    res.set_content("only GET\n", "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty())
      res.set_content(res.status == 404 ? "not found\n" : fmt::format("error {}\n", res.status), "text/plain");
  });
}

void LiveServer::start() {
  port_ = options_.port == 0 ? server_->bind_to_any_port(options_.host)
                             : (server_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ < 0)
    throw InputError(fmt::format("--serve {}:{}", options_.host, options_.port),
                     "cannot listen there (address in use, or not this machine's?)");
  listener_ = std::thread([this] {
    server_->listen_after_bind();
    listener_ended_ = true;
  });
  // Until it runs, httplib's stop() has nothing to stop: a stop() right after start() would hang.
  while (!server_->is_running() && !listener_ended_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  renderer_ = std::thread([this] { render_loop(); });
}

void LiveServer::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && !listener_.joinable()) return;
    stopping_ = true;
    changed_.notify_all();
  }
  server_->stop();
  if (listener_.joinable()) listener_.join();
  if (renderer_.joinable()) renderer_.join();
}

void LiveServer::on_frame(const TrackedFrame& frame) {
  std::lock_guard<std::mutex> lock(mutex_);
  frame_ = frame;  // the image is shared, not copied
  ++frame_seq_;
  if (video_viewers_ > 0) changed_.notify_all();
}

void LiveServer::on_emg(const EmgRows& rows, const LiveStats& stats) {
  const auto& c = rows.chunk;
  if (c.times_s.empty()) return;
  const int64_t n = static_cast<int64_t>(c.times_s.size()), channels = c.emg.size(1);
  const float* emg = c.emg.data_ptr<float>();
  std::vector<float> latency(rows.latency_ms);
  std::nth_element(latency.begin(), latency.begin() + static_cast<std::ptrdiff_t>(latency.size() / 2), latency.end());
  nlohmann::json e;
  std::lock_guard<std::mutex> lock(mutex_);
  for (int64_t r = 0; r < n; ++r) {
    if (c.times_s[static_cast<size_t>(r)] < next_trace_time_s_) continue;
    next_trace_time_s_ = c.times_s[static_cast<size_t>(r)] + 1.0 / options_.trace_rate_hz - 1e-9;
    e["t"].push_back(c.times_s[static_cast<size_t>(r)]);
    e["v"].push_back(std::vector<float>(emg + r * channels, emg + (r + 1) * channels));
  }
  // The newest row exactly as the text output prints it (a CSV row split at its commas).
  const std::string row = format_row(TextFormat::kCsv, c.times_s.back(), rows.latency_ms.back(), emg + (n - 1) * channels);
  std::vector<std::string> fields;
  for (size_t start = 0;;) {
    const size_t comma = row.find(',', start);
    fields.push_back(row.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  e["last"] = fields;
  e["fps"] = stats.fps;
  e["dropped"] = stats.frames_dropped;
  e["tracked"] = stats.frames_tracked;
  e["with_hand"] = stats.frames_with_hand;
  e["latency_ms"] = latency[latency.size() / 2];
  // the newest window's familiarity to the model; null when the model gives none
  e["familiarity"] = std::isnan(c.familiarity) ? nlohmann::json(nullptr) : nlohmann::json(c.familiarity);
  familiarity_ = c.familiarity;
  for (int64_t ch = 0; ch < channels && ch < static_cast<int64_t>(activation_.size()); ++ch) {
    activation_[static_cast<size_t>(ch)] = emg[(n - 1) * channels + ch];
    activation_peak_ = std::max(activation_peak_, static_cast<double>(activation_[static_cast<size_t>(ch)]));
  }
  stats_ = stats;
  latency_p50_ms_ = latency[latency.size() / 2];
  events_.emplace_back(++event_seq_, "data: " + e.dump() + "\n\n");
  while (static_cast<int>(events_.size()) > options_.history_events) events_.pop_front();
  changed_.notify_all();
}

std::string LiveServer::status_json() {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::json j = {
      {"media_time_s", stats_.media_time_s},
      {"frames_read", stats_.frames_read},
      {"frames_tracked", stats_.frames_tracked},
      {"frames_dropped", stats_.frames_dropped},
      {"frames_with_hand", stats_.frames_with_hand},
      {"rows", stats_.rows},
      {"fps", stats_.fps},
      {"latency_ms_median_last_run", latency_p50_ms_},
      {"familiarity_last_window", std::isnan(familiarity_) ? nlohmann::json(nullptr) : nlohmann::json(familiarity_)},
      {"viewers_events", event_viewers_.load()},
      {"viewers_video", video_viewers_.load()},
      {"viewers_refused", refused_.load()}};
  return j.dump() + "\n";
}

void LiveServer::render_loop() {
  render::OverlayStyle style;
  style.note = options_.note;
  int64_t drawn_seq = 0;
  auto next_due = std::chrono::steady_clock::now();
  for (;;) {
    TrackedFrame frame;
    std::array<float, kReleaseLayout.emg_channels> activation;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || (video_viewers_ > 0 && frame_seq_ != drawn_seq); });
      if (stopping_) return;
      frame = frame_;
      drawn_seq = frame_seq_;
      activation = activation_;
      style.activation_scale = activation_peak_;
    }
    std::this_thread::sleep_until(next_due);
    next_due = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                      std::chrono::duration<double>(1.0 / options_.video_fps));
    std::shared_ptr<const std::string> jpeg;
    try {
      jpeg = std::make_shared<const std::string>(
          encode_overlay_jpeg(frame, activation, style, {options_.max_video_width, options_.jpeg_quality}));
    } catch (const std::exception&) {
      continue;  // a frame that cannot be drawn or encoded is skipped; the view goes on with the next
    }
    std::lock_guard<std::mutex> lock(mutex_);
    jpeg_ = std::move(jpeg);
    ++jpeg_seq_;
    ++frames_encoded_;
    changed_.notify_all();
  }
}

}  // namespace pianokpm::live
