#include "live/live_pipeline.h"

#include <ATen/Parallel.h>
#include <opencv2/imgproc.hpp>

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "live/bounded_queue.h"
#include "core/blas_threads.h"
#include "core/cpu_cores.h"
#include "pose/hand_choice.h"

namespace pianokpm::live {

void LiveOptions::check() const {
  source.check();
  tracker.check();
  if (hand != "right" && hand != "left" && hand != "any" && hand != "both")
    throw std::invalid_argument("--hand must be right, left, any or both, not '" + hand + "'");
  if (hand == "both" && tracker.max_hands < 2) throw std::invalid_argument("--hand both needs --max-hands 2");
  if (frame_queue < 1) throw std::invalid_argument("--queue must be at least 1 frame");
  if (!(max_media_s >= 0)) throw std::invalid_argument("--duration must not be negative");
}

std::vector<std::string> followed_hands(const std::string& hand) {
  if (hand == "both") return {"left", "right"};
  return {hand};
}

namespace {

// Arrival times of recent frames, to give each EMG row the latency of the frame it needed.
class ArrivalLog {
 public:
  void add(double media_time_s, Clock::time_point arrival) {
    std::lock_guard<std::mutex> lock(mutex_);
    log_.emplace_back(media_time_s, arrival);
    while (log_.size() > 512) log_.pop_front();
  }
  // Arrival of the first frame at or after `time_s` (the newest when none is).
  Clock::time_point needed_by(double time_s) const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [t, arrival] : log_)
      if (t >= time_s - 1e-9) return arrival;
    return log_.empty() ? Clock::now() : log_.back().second;
  }

 private:
  mutable std::mutex mutex_;
  std::deque<std::pair<double, Clock::time_point>> log_;
};

}  // namespace

LiveSummary run_live(const LiveOptions& options, EmgModel net, const LiveKeys* keys, const std::vector<LiveSink*>& sinks,
                     const std::atomic<bool>& stop) {
  options.check();
  const int torch_threads = at::get_num_threads();
  ScopedBlasThreads single_blas(1);  // see core/blas_threads.h
  const bool live = source_kind(options.source.source) != SourceKind::kFile || options.source.realtime;
  StreamOptions stream = options.stream;
  stream.catch_up = !live;  // a file read as fast as possible: every row; live: the newest rows
  const std::vector<std::string> hands = followed_hands(options.hand);
  std::vector<std::unique_ptr<StreamPredictor>> predictors;  // one per followed hand
  for (size_t i = 0; i < hands.size(); ++i)
    predictors.push_back(std::make_unique<StreamPredictor>(net, stream, keys ? key_source(*keys) : StreamKeys()));
  pose::HandTracker tracker(options.tracker);
  double summary_window_ms = 0;
  // The first run of each network is several times slower (allocations, kernel choice): made
  // here, before frames arrive, it costs no dropped frame.
  {
    const cv::Mat still(480, 640, CV_8UC3, cv::Scalar(0, 0, 0));
    tracker.process(still);
    tracker.reset();
    summary_window_ms = predictors.front()->warm_up();  // the same model for every hand
  }
  LiveSource source(options.source);
  for (LiveSink* s : sinks) s->on_start({source.name(), source.kind(), source.fps(), hands});
  BoundedQueue<SourceFrame> frames(static_cast<size_t>(options.frame_queue), live ? WhenFull::kDropOldest : WhenFull::kBlock);

  LiveSummary summary;
  summary.window_ms = summary_window_ms;
  summary.incremental = predictors.front()->incremental();
  std::mutex state_mutex;  // guards stats, the tracked count the model waits on, and errors
  std::condition_variable frame_tracked;
  int64_t tracked_generation = 0;
  bool tracking_done = false;
  std::exception_ptr error;
  std::atomic<bool> halt{false};
  std::deque<Clock::time_point> recent_done;  // tracking completions, for fps
  ArrivalLog arrivals;
  const auto update_counts = [&](LiveStats& stats) {
    stats.frames_read = source.frames_read();
    stats.frames_dropped = frames.dropped();
    stats.rows = stats.rows_skipped = 0;
    for (const auto& p : predictors) stats.rows += p->rows_emitted(), stats.rows_skipped += p->rows_skipped();
  };
  auto fail = [&](std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(state_mutex);
    if (!error) error = e;
    halt = true;
  };

  std::thread capture([&] {
    try {
      SourceFrame f;
      while (!stop && !halt) {
        if (!source.next(f)) {
          summary.source_ended = true;
          break;
        }
        if (options.max_media_s > 0 && f.media_time_s >= options.max_media_s) break;
        if (options.clock)
          options.clock->start_at(f.arrival -
                                  std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(f.media_time_s)));
        frames.push(std::move(f));
        f = SourceFrame();
      }
    } catch (...) {
      fail(std::current_exception());
    }
    frames.close();
  });

  std::thread tracking([&] {
    try {
      std::optional<ScopedCorePin> pin;
      if (options.pin_stages) pin.emplace(0);
      at::set_num_threads(torch_threads);  // OpenMP's thread count is per thread
      cv::Mat rgb;
      while (std::optional<SourceFrame> f = frames.pop()) {
        if (halt) continue;
        cv::cvtColor(f->bgr, rgb, cv::COLOR_BGR2RGB);
        const std::vector<pose::TrackedHand> tracked = tracker.process(rgb);
        TrackedFrame t;
        t.index = f->index;
        t.media_time_s = f->media_time_s;
        t.arrival = f->arrival;
        t.bgr = f->bgr;
        bool any_found = false;
        for (size_t i = 0; i < hands.size(); ++i) {
          FollowedHand h;
          if (const std::optional<size_t> chosen = pose::pick_hand(tracked, hands[i])) {
            h.found = true;
            h.keypoints = pose::hand_pixels(tracked[*chosen].landmarks, f->bgr.cols, f->bgr.rows);
          }
          any_found = any_found || h.found;
          predictors[i]->add_frame(t.media_time_s, h.keypoints, f->bgr.cols, f->bgr.rows);
          t.hands.push_back(std::move(h));
        }
        arrivals.add(t.media_time_s, t.arrival);
        for (LiveSink* s : sinks) s->on_frame(t);
        std::lock_guard<std::mutex> lock(state_mutex);
        ++summary.stats.frames_tracked;
        summary.stats.frames_with_hand += any_found ? 1 : 0;
        summary.stats.media_time_s = t.media_time_s;
        recent_done.push_back(Clock::now());
        while (recent_done.size() > 1 && recent_done.back() - recent_done.front() > std::chrono::seconds(1))
          recent_done.pop_front();
        ++tracked_generation;
        frame_tracked.notify_one();
      }
    } catch (...) {
      fail(std::current_exception());
      frames.close();
    }
    std::lock_guard<std::mutex> lock(state_mutex);
    tracking_done = true;
    frame_tracked.notify_one();
  });

  try {
    std::optional<ScopedCorePin> pin;  // this thread runs the model
    if (options.pin_stages) pin.emplace(1);
    int64_t seen_generation = 0;
    bool ran = false;  // the last step ran the model: there may be more to catch up on
    for (;;) {
      bool done = false;
      {
        std::unique_lock<std::mutex> lock(state_mutex);
        if (!ran) frame_tracked.wait(lock, [&] { return tracking_done || tracked_generation != seen_generation; });
        seen_generation = tracked_generation;
        done = tracking_done;
      }
      if (halt && error) break;
      ran = false;
      for (size_t i = 0; i < predictors.size(); ++i) {
        std::optional<EmgChunk> chunk = predictors[i]->step(done);
        if (!chunk) continue;
        ran = true;
        EmgRows rows;
        rows.hand = hands[i];
        rows.chunk = std::move(*chunk);
        const Clock::time_point now = Clock::now();
        for (double t : rows.chunk.times_s)
          rows.latency_ms.push_back(
              static_cast<float>(std::chrono::duration<double, std::milli>(now - arrivals.needed_by(t)).count()));
        summary.latency_ms.insert(summary.latency_ms.end(), rows.latency_ms.begin(), rows.latency_ms.end());
        summary.model_ms.push_back(static_cast<float>(rows.chunk.model_ms));
        LiveStats stats;
        {
          std::lock_guard<std::mutex> lock(state_mutex);
          update_counts(summary.stats);
          if (recent_done.size() > 1)
            summary.stats.fps = static_cast<double>(recent_done.size() - 1) /
                                std::chrono::duration<double>(recent_done.back() - recent_done.front()).count();
          stats = summary.stats;
        }
        for (LiveSink* s : sinks) s->on_emg(rows, stats);
      }
      if (!ran && done) break;
    }
  } catch (...) {
    fail(std::current_exception());
    frames.close();
  }
  capture.join();
  tracking.join();
  update_counts(summary.stats);
  // Every sink is closed, even when one fails; the first error (the pipeline's own first) is thrown.
  for (LiveSink* s : sinks) {
    try {
      s->on_end(summary.stats);
    } catch (...) {
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
  return summary;
}

}  // namespace pianokpm::live
