#include "live/recorder.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include "io/atomic_file.h"
#include "core/input_error.h"
#include "io/growing_pickle.h"
#include "io/numpy_pickle_writer.h"
#include "core/stream_layout.h"

namespace pianokpm::live {

namespace fs = std::filesystem;

void RecorderOptions::check() const {
  if (dir.empty()) throw std::invalid_argument("--record needs a folder");
  if (!(pose_rate_hz > 0) || !(emg_rate_hz > 0)) throw std::invalid_argument("recorder rates must be positive");
  if (!(checkpoint_s > 0)) throw std::invalid_argument("the checkpoint interval must be positive");
  if (max_queued_frames < 1) throw std::invalid_argument("the recorder's frame queue must hold at least one frame");
}

Recorder::Recorder(const RecorderOptions& options, const LiveKeys* keys) : options_(options), keys_(keys) {
  options_.check();
  if (options_.name.empty()) options_.name = fmt::format("live_{:%Y%m%d_%H%M%S}", fmt::gmtime(std::time(nullptr)));
}

Recorder::~Recorder() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ending_ = true;
    wake_.notify_all();
  }
  if (writer_.joinable()) writer_.join();
}

void Recorder::on_start(const SourceInfo& source) {
  std::error_code ec;
  for (const char* sub : {"video", release_folders::kPoseTop, "emg_estimated", release_folders::kKeys}) {
    if (std::string(sub) == release_folders::kKeys && !keys_) continue;
    fs::create_directories(fs::path(options_.dir) / sub, ec);
    if (ec) throw InputError(options_.dir, "cannot create the recording folder (" + ec.message() + ")");
  }
  const std::string video = (fs::path(options_.dir) / "video" / (options_.name + ".mkv")).string();
  if (fs::exists(video)) throw InputError(video, "already exists: choose another --record folder or name");
  fps_ = source.fps;
  checkpoint(false);
  writer_ = std::thread([this] { run(); });
}

void Recorder::on_frame(const TrackedFrame& frame) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++keypoint_frames_;
  keypoints_.add(frame.media_time_s,
                 frame.hands.empty() ? std::array<float, pose::kHandLandmarks * 3>{} : frame.hands.front().keypoints);
  if (static_cast<int>(pending_.size()) >= options_.max_queued_frames) {
    pending_.pop_front();
    ++frames_not_recorded_;
  }
  pending_.push_back(frame);
  wake_.notify_all();
}

void Recorder::on_emg(const EmgRows& rows, const LiveStats& stats) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto& c = rows.chunk;
  if (emg_first_sample_ < 0) emg_first_sample_ = c.first_sample;
  // Rows the model left out (it fell over a second behind) become zeros, so that row i stays at
  // time i / rate; session.json counts them.
  const int64_t expected = emg_first_sample_ + emg_rows_;
  if (c.first_sample > expected) {
    emg_.insert(emg_.end(), static_cast<size_t>(kReleaseLayout.emg_channels * (c.first_sample - expected)), 0.f);
    emg_rows_filled_ += c.first_sample - expected;
    emg_rows_ += c.first_sample - expected;
  }
  const float* p = c.emg.data_ptr<float>();
  emg_.insert(emg_.end(), p, p + c.emg.numel());
  emg_rows_ += c.emg.size(0);
  last_stats_ = stats;
}

void Recorder::on_end(const LiveStats& stats) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    last_stats_ = stats;
    ending_ = true;
    wake_.notify_all();
  }
  if (writer_.joinable()) writer_.join();
  if (video_.isOpened()) video_.release();
  checkpoint(true);
  if (!error_.empty()) throw std::runtime_error("the recording stopped early: " + error_);
}

void Recorder::run() {
  try {
    write_frames_and_checkpoints();
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = e.what();
  }
}

void Recorder::write_frames_and_checkpoints() {
  // The first checkpoint comes after a second, so that even a short session leaves its arrays.
  auto next_checkpoint = std::chrono::steady_clock::now() + std::chrono::duration<double>(std::min(1.0, options_.checkpoint_s));
  const std::string video_path = (fs::path(options_.dir) / "video" / (options_.name + ".mkv")).string();
  for (;;) {
    std::deque<TrackedFrame> frames;
    bool ending = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait_until(lock, next_checkpoint, [&] { return ending_ || !pending_.empty(); });
      frames.swap(pending_);
      ending = ending_;
    }
    for (const TrackedFrame& f : frames) {
      if (!video_.isOpened()) {
        video_.open(video_path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps_, f.bgr.size());
        if (!video_.isOpened()) throw InputError(video_path, "cannot be written (OpenCV has no Motion JPEG / Matroska writer?)");
      }
      // Frame k of the video is at k / fps: frames dropped before tracking (or a camera slower
      // than its stated rate) are filled by repeating the previous one, so times stay aligned
      // with the keypoints and EMG.
      const int64_t due = std::llround(f.media_time_s * fps_);
      int64_t repeats = 0;
      for (; !last_written_.empty() && video_frames_ < due; ++video_frames_, ++repeats) video_.write(last_written_);
      video_.write(f.bgr);
      ++video_frames_;
      last_written_ = f.bgr;
      std::lock_guard<std::mutex> lock(mutex_);
      ++frames_recorded_;
      frames_repeated_ += repeats;
    }
    if (ending) return;
    if (std::chrono::steady_clock::now() >= next_checkpoint) {
      checkpoint(false);
      next_checkpoint = std::chrono::steady_clock::now() + std::chrono::duration<double>(options_.checkpoint_s);
    }
  }
}

void Recorder::append_keypoints(bool complete) {
  // Rows k / rate strictly before the newest frame are final (resample interpolates between the
  // two frames around a row), so only those are written until the end; the frames before the one
  // the next row needs are then dropped from memory.
  pose::PoseTrack tail;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto& times = keypoints_.times_s;
    if (times.empty() || (times.size() < 2 && !(complete && keypoint_frames_ == 1))) return;
    if (next_pose_row_ < 0) next_pose_row_ = static_cast<int64_t>(std::ceil(times.front() * options_.pose_rate_hz - 1e-9));
    const double next_t = static_cast<double>(next_pose_row_) / options_.pose_rate_hz;
    size_t from = std::upper_bound(times.begin(), times.end(), next_t) - times.begin();
    from = std::min(from == 0 ? 0 : from - 1, times.size() >= 2 ? times.size() - 2 : 0);
    tail.times_s.assign(times.begin() + static_cast<std::ptrdiff_t>(from), times.end());
    tail.frames.assign(keypoints_.frames.begin() + static_cast<std::ptrdiff_t>(from), keypoints_.frames.end());
    keypoints_.times_s.erase(keypoints_.times_s.begin(), keypoints_.times_s.begin() + static_cast<std::ptrdiff_t>(from));
    keypoints_.frames.erase(keypoints_.frames.begin(), keypoints_.frames.begin() + static_cast<std::ptrdiff_t>(from));
  }
  const pose::PoseTrack rows = pose::resample(tail, options_.pose_rate_hz);
  const double newest = tail.times_s.back();
  std::vector<float> values;
  int64_t n = 0;
  for (size_t r = 0; r < rows.times_s.size(); ++r) {
    const int64_t k = std::llround(rows.times_s[r] * options_.pose_rate_hz);
    if (k < next_pose_row_ && rows.times_s.size() > 1) continue;
    if (!complete && rows.times_s[r] >= newest - 1e-9) break;
    values.insert(values.end(), rows.frames[r].begin(), rows.frames[r].end());
    ++n;
  }
  if (n == 0) return;
  keypoint_file_->append(values.data(), n);
  next_pose_row_ += n;
}

void Recorder::checkpoint(bool complete) {
  const fs::path dir(options_.dir);
  const std::string pkl = options_.name + ".pkl";
  // Created once, empty; from then on only appended to (io/growing_pickle.h).
  if (!emg_file_) {
    keypoint_file_ = std::make_unique<GrowingPickle>((dir / release_folders::kPoseTop / pkl).string(),
                                                     std::vector<int64_t>{pose::kHandLandmarks, 3});
    emg_file_ = std::make_unique<GrowingPickle>((dir / "emg_estimated" / pkl).string(),
                                                std::vector<int64_t>{kReleaseLayout.emg_channels});
  }
  std::vector<float> emg;
  nlohmann::json session = options_.session;
  int64_t first_sample = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    emg.swap(emg_);
    first_sample = std::max<int64_t>(emg_first_sample_, 0);
    session["video_fps"] = fps_;
    session["frames_read"] = last_stats_.frames_read;
    session["frames_tracked"] = last_stats_.frames_tracked;
    session["frames_dropped"] = last_stats_.frames_dropped;
    session["frames_with_hand"] = last_stats_.frames_with_hand;
    session["frames_recorded"] = frames_recorded_;
    session["frames_not_recorded"] = frames_not_recorded_;
    session["video_frames_repeated"] = frames_repeated_;
    session["emg_rows_filled_with_zeros"] = emg_rows_filled_;
    session["keypoint_source_frames"] = keypoint_frames_;
  }
  emg_file_->append(emg.data(), static_cast<int64_t>(emg.size()) / kReleaseLayout.emg_channels);
  append_keypoints(complete);
  const int64_t emg_rows = emg_file_->rows();
  if (complete && keys_ && emg_rows > 0) {
    const double first_s = static_cast<double>(first_sample) / options_.emg_rate_hz;
    write_file_atomically((dir / release_folders::kKeys / pkl).string(),
                          serialize_numpy_pickle(keys_->depth(first_s, emg_rows, options_.emg_rate_hz,
                                                              first_s + static_cast<double>(emg_rows) / options_.emg_rate_hz)));
  }
  session["name"] = options_.name;
  session["video"] = "video/" + options_.name + ".mkv";
  session["pose_rate_hz"] = options_.pose_rate_hz;
  session["emg_rate_hz"] = options_.emg_rate_hz;
  session["emg_first_time_s"] = static_cast<double>(first_sample) / options_.emg_rate_hz;
  session["emg_rows"] = emg_rows;
  session["keypoint_rows"] = keypoint_file_->rows();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!error_.empty()) session["error"] = error_;
    session["complete"] = complete && error_.empty();
  }
  write_file_atomically((dir / "session.json").string(), session.dump(2) + "\n");
}

}  // namespace pianokpm::live
