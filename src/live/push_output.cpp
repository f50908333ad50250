#include "live/push_output.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace pianokpm::live {

void PushVideoOptions::check() const {
  if (!(fps >= 0) || fps > 30) throw std::invalid_argument("--push-video-fps must be in [0, 30]");
  jpeg.check();
}

PushOutput::PushOutput(std::unique_ptr<remote::PushClient> client, const PushVideoOptions& video)
    : client_(std::move(client)), video_(video) {
  video_.check();
  if (video_.fps > 0) encoder_ = std::thread([this] { encode_loop(); });
}

PushOutput::~PushOutput() { stop_encoder(); }

void PushOutput::stop_encoder() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (encoder_.joinable()) encoder_.join();
}

void PushOutput::on_frame(const TrackedFrame& frame) {
  if (video_.fps <= 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  frame_ = frame;  // the image is shared, not copied
  ++frame_seq_;
  changed_.notify_all();
}

void PushOutput::on_emg(const EmgRows& rows, const LiveStats& stats) {
  const torch::Tensor emg = rows.chunk.emg.to(torch::kFloat32).contiguous();
  const int64_t n = emg.size(0);
  if (n == 0) return;
  if (first_sample_ < 0) first_sample_ = rows.chunk.first_sample;
  std::vector<float> latency = rows.latency_ms;
  double median = 0;
  if (!latency.empty()) {
    std::nth_element(latency.begin(), latency.begin() + static_cast<std::ptrdiff_t>(latency.size() / 2), latency.end());
    median = latency[latency.size() / 2];
  }
  const float* newest = emg.data_ptr<float>() + (n - 1) * emg.size(1);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t c = 0; c < activation_.size() && static_cast<int64_t>(c) < emg.size(1); ++c) {
      activation_[c] = newest[c];
      activation_peak_ = std::max(activation_peak_, static_cast<double>(newest[c]));
    }
  }
  const double familiarity = rows.chunk.familiarity;
  client_->set_status(
      nlohmann::json{{"media_time_s", stats.media_time_s},
                     {"fps", stats.fps},
                     {"frames_dropped", stats.frames_dropped},
                     {"frames_with_hand", stats.frames_with_hand},
                     {"frames_tracked", stats.frames_tracked},
                     {"familiarity", std::isnan(familiarity) ? nlohmann::json(nullptr) : nlohmann::json(familiarity)}}
          .dump());
  client_->add(rows.chunk.first_sample - first_sample_, emg.data_ptr<float>(), n, median);
}

void PushOutput::encode_loop() {
  render::OverlayStyle style;
  style.note = video_.note;
  int64_t drawn = 0;
  auto next_due = std::chrono::steady_clock::now();
  for (;;) {
    TrackedFrame frame;
    std::array<float, kReleaseLayout.emg_channels> activation;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || frame_seq_ != drawn; });
      if (stopping_) return;
      frame = frame_;
      drawn = frame_seq_;
      activation = activation_;
      style.activation_scale = activation_peak_;
    }
    try {
      client_->set_frame(encode_overlay_jpeg(frame, activation, style, video_.jpeg));
    } catch (const std::exception&) {
      // a frame that cannot be drawn or encoded is skipped
    }
    next_due += std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(1 / video_.fps));
    const auto now = std::chrono::steady_clock::now();
    if (next_due < now) next_due = now;
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_until(lock, next_due, [&] { return stopping_; });
  }
}

void PushOutput::on_end(const LiveStats&) {
  stop_encoder();
  const bool complete = client_->finish();
  const remote::PushStats s = client_->stats();
  if (complete)
    spdlog::info("push: the server holds all {} rows (session {}; {} pictures sent)", s.rows_acknowledged, s.session_id,
                 s.frames_sent);
  else
    spdlog::warn("push: the server holds {} of {} rows{} (the local recording, if any, is complete)", s.rows_acknowledged,
                 s.rows_added, s.last_error.empty() ? "" : ": " + s.last_error);
}

}  // namespace pianokpm::live
