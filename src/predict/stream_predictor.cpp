#include "predict/stream_predictor.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "model/pose_front_end.h"

namespace pianokpm {

void StreamOptions::check(const ModelConfig& config) const {
  const double window_s = config.window_seconds;
  const double frames = hop_s * config.pose_rate_hz;
  if (!(hop_s > 0) || hop_s > window_s || std::abs(frames - std::round(frames)) > 1e-6)
    throw std::invalid_argument(
        fmt::format("--hop must be a whole number of pose frames (1/{} s) between 1/{} s and the "
                    "{} s window, not {}",
                    config.pose_rate_hz, config.pose_rate_hz, window_s, hop_s));
  if (!(keep_frames_s > window_s + hop_s)) throw std::invalid_argument("keep_frames_s must exceed the window and a hop");
  if (config.num_keypoints != pose::kHandLandmarks || config.emg_channels != static_cast<int>(muscle_names().size()))
    throw std::invalid_argument(fmt::format("live reads {} hand keypoints and writes {} muscles; this model has {} and {}",
                                            pose::kHandLandmarks, muscle_names().size(), config.num_keypoints,
                                            config.emg_channels));
  if (uses_pose(config.modality) && config.num_views != 1)
    throw std::invalid_argument(
        fmt::format("live reads one camera, and this model reads {} views: use a one-view model "
                    "(e.g. assets/models/synthetic_top_pose.pt)",
                    config.num_views));
}

bool StreamOptions::runs_incrementally(const EmgModelImpl& net) const {
  const ModelConfig& c = net.config();
  return incremental && net.streams() && std::llround(hop_s * c.pose_rate_hz) < c.pose_frames();
}

StreamKeys recorded_keys(torch::Tensor keys) {
  return [keys = std::move(keys)](double first_s, int64_t samples, double rate_hz, double) {
    torch::Tensor out = torch::zeros({samples, keys.size(1)});
    const int64_t first = std::llround(first_s * rate_hz);
    const int64_t from = std::max<int64_t>(first, 0), to = std::min<int64_t>(first + samples, keys.size(0));
    if (to > from) out.narrow(0, from - first, to - from).copy_(keys.narrow(0, from, to - from));
    return out;
  };
}

StreamPredictor::StreamPredictor(EmgModel net, const StreamOptions& options, StreamKeys keys)
    : net_(std::move(net)), config_(net_->config()), options_(options), keys_(std::move(keys)) {
  options_.check(config_);
  if (uses_keys(config_.modality) && !keys_)
    throw std::invalid_argument("this model reads keystrokes: give a MIDI input (--midi-in) or a MIDI file (--midi-file)");
  pose_rate_ = config_.pose_rate_hz;
  emg_rate_ = config_.emg_rate_hz;
  hop_frames_ = std::llround(options_.hop_s * pose_rate_);
  incremental_ = options_.runs_incrementally(*net_);
  if (net_->device() != options_.device)
    throw std::invalid_argument("live: the model is on " + net_->device().str() + ", not on " + options_.device.str());
}

void StreamPredictor::add_frame(double media_time_s, const std::array<float, pose::kHandLandmarks * 3>& keypoints, int width,
                                int height) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!track_.times_s.empty() && !(media_time_s > track_.times_s.back()))
    throw std::invalid_argument(fmt::format("frame times must increase ({} after {})", media_time_s, track_.times_s.back()));
  track_.add(media_time_s, keypoints);
  width_ = width, height_ = height;
  size_t old = 0;
  while (old + 1 < track_.times_s.size() && track_.times_s[old] < media_time_s - options_.keep_frames_s) ++old;
  if (old > 0) {
    track_.times_s.erase(track_.times_s.begin(), track_.times_s.begin() + static_cast<std::ptrdiff_t>(old));
    track_.frames.erase(track_.frames.begin(), track_.frames.begin() + static_cast<std::ptrdiff_t>(old));
  }
}

double StreamPredictor::warm_up() {
  torch::NoGradGuard no_grad;
  const auto on_device = [&](torch::Tensor t) { return t.to(options_.device); };
  torch::Tensor pose, keys;
  if (uses_pose(config_.modality)) pose = on_device(torch::zeros({1, config_.pose_channels(), config_.pose_frames()}));
  if (uses_keys(config_.modality)) keys = on_device(torch::zeros({1, config_.num_keys, config_.window_samples()}));
  std::vector<double> ms;
  for (int run = 0; run < 4; ++run) {
    const auto start = std::chrono::steady_clock::now();
    net_->forward(pose, keys).to(torch::kCPU);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  if (incremental_) {
    const int64_t rows = std::llround(options_.hop_s * emg_rate_);
    net_->stream_tail(pose, keys, rows, on_device(torch::zeros({1, config_.emg_channels}))).to(torch::kCPU);
  }
  ms.erase(ms.begin());  // the first run allocates and picks kernels
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

std::optional<EmgChunk> StreamPredictor::step(bool flush) {
  pose::PoseTrack recent;
  int width = 0, height = 0;
  int64_t end_k = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (track_.times_s.empty()) return std::nullopt;
    const int64_t newest = static_cast<int64_t>(std::floor(track_.times_s.back() * pose_rate_ + 1e-6));
    if (newest < 0 || newest < std::ceil(track_.times_s.front() * pose_rate_ - 1e-6)) return std::nullopt;
    // Windows end on the hop grid (frames hop-1, 2 hop-1, ...), so that a one-window hop gives
    // offline predict's windows; the last one, when flushing, ends at the newest frame.
    end_k = (newest + 1) / hop_frames_ * hop_frames_ - 1;
    if (options_.catch_up) end_k = std::min(end_k, last_end_frame_ + hop_frames_);
    if (flush && end_k <= last_end_frame_) end_k = newest;
    if (end_k <= last_end_frame_) return std::nullopt;
    recent = track_;
    width = width_, height = height_;
  }
  const pose::PoseTrack grid = pose::resample(recent, pose_rate_);
  if (grid.times_s.empty()) return std::nullopt;
  const int64_t first_k = std::llround(grid.times_s.front() * pose_rate_);
  const int64_t last_k = first_k + static_cast<int64_t>(grid.times_s.size()) - 1;
  end_k = std::min(end_k, last_k);
  const int64_t frames = config_.pose_frames(), samples = config_.window_samples();
  const int64_t start_k = end_k - frames + 1;

  torch::Tensor pose, keys;
  if (uses_pose(config_.modality)) {
    const int kp = config_.num_keypoints;
    pose = torch::empty({1, 2 * kp, frames});
    auto p = pose.accessor<float, 3>();
    const auto units = pixel_to_model_units(config_, width, height);
    const double sx = units[0], sy = units[1];
    for (int64_t f = 0; f < frames; ++f) {
      // Before the first frame seen, the first frame stands in (as the release pads a short window).
      const auto& frame = grid.frames[static_cast<size_t>(std::clamp<int64_t>(start_k + f, first_k, last_k) - first_k)];
      for (int k = 0; k < kp; ++k) {
        p[0][2 * k][f] = static_cast<float>(frame[3 * k] * sx);
        p[0][2 * k + 1][f] = static_cast<float>(frame[3 * k + 1] * sy);
      }
    }
  }
  if (uses_keys(config_.modality)) {
    const double start_s = static_cast<double>(start_k) / pose_rate_;
    keys = keys_(start_s, samples, emg_rate_, recent.times_s.back()).t().unsqueeze(0).contiguous();
  }
  // Rows whose time is before the window's end: i / emg_rate < (end_k + 1) / pose_rate. Row i is
  // the window's sample floor(i - start_row), so the rows are the window's last `rows` samples.
  const double start_row = static_cast<double>(start_k) * samples / frames;
  const int64_t end_row = static_cast<int64_t>(std::ceil(static_cast<double>(end_k + 1) * samples / frames - 1e-6));
  const int64_t first_row = std::max({next_sample_, static_cast<int64_t>(std::ceil(start_row - 1e-6)), int64_t{0}});
  const int64_t rows = std::max<int64_t>(end_row - first_row, 0);
  const bool continues = incremental_ && previous_emg_.defined() && first_row == next_sample_ && rows > 0;

  const auto start = std::chrono::steady_clock::now();
  torch::Tensor window;  // [window rows, emg]: the window's last window.size(0) samples
  {
    torch::NoGradGuard no_grad;
    auto on_device = [&](const torch::Tensor& t) { return t.defined() ? t.to(options_.device) : t; };
    window = continues ? net_->stream_tail(on_device(pose), on_device(keys), rows, on_device(previous_emg_))
                       : net_->forward(on_device(pose), on_device(keys));
    window = window.to(torch::kCPU)[0].t().contiguous();
  }
  const double model_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // How familiar this window's pose is to the model (NaN when the model carries no reference).
  const double familiarity = uses_pose(config_.modality) && !config_.familiarity.empty()
                                 ? pose_familiarity(config_, pose)[0].item<double>()
                                 : std::nan("");

  rows_skipped_ += first_row - next_sample_;
  EmgChunk chunk;
  chunk.first_sample = first_row;
  chunk.window_end_frame = end_k;
  chunk.familiarity = familiarity;
  chunk.model_ms = model_ms;
  chunk.incremental = continues;
  chunk.emg = torch::empty({rows, config_.emg_channels});
  const int64_t offset = samples - window.size(0);  // window sample of window row 0
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t i = first_row + r;
    const int64_t j =
        std::clamp<int64_t>(static_cast<int64_t>(std::floor(static_cast<double>(i) - start_row + 1e-6)), offset, samples - 1);
    chunk.emg[r].copy_(window[j - offset]);
    chunk.times_s.push_back(static_cast<double>(i) / emg_rate_);
  }
  if (rows > 0) previous_emg_ = chunk.emg[rows - 1].unsqueeze(0).clone();
  last_end_frame_ = end_k;
  next_sample_ = std::max(next_sample_, end_row);
  return chunk;
}

}  // namespace pianokpm
