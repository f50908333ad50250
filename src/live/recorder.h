#pragma once
// --record DIR: the session as files that `eval`, `predict` and `live` read again.
//   DIR/video/NAME.mkv                  the source frames (Motion JPEG in Matroska: every frame
//                                       written so far stays readable after a kill)
//   DIR/hand_data/keyp_top/NAME.pkl     [T, 21, 3] float32 at 60 Hz, pixels and confidence (release layout)
//   DIR/emg_estimated/NAME.pkl          [N, 6] float32 at 1024 Hz, the estimated envelopes
//   DIR/keystroke_data/NAME.pkl         [N, 88] key depth, when keystrokes were used (written at the end)
//   DIR/session.json                    source, model, rates, counts, and "complete" (false after a
//                                       kill or a write error, which it names)
// Video frame k is at k / fps and EMG row i at i / 1024 Hz: frames or rows the pipeline dropped
// are filled (the previous frame repeated, EMG zeros) and counted in session.json.
// Every `checkpoint_s` and at the end the rows since the last checkpoint are appended to the .pkl
// files (io/growing_pickle.h: nothing already written is rewritten, so an hour's session costs the
// disk the same per minute as its first) and session.json (small) is rewritten whole. A kill at
// any moment leaves files that are each complete as of the last checkpoint, and the video up to
// the kill. Files are written on the recorder's own thread.
#include <nlohmann/json.hpp>
#include <opencv2/videoio.hpp>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/stream_layout.h"
#include "io/growing_pickle.h"
#include "live/live_keys.h"
#include "live/live_sink.h"
#include "pose/pose_track.h"

namespace pianokpm::live {

struct RecorderOptions {
  std::string dir;
  std::string name;  // empty: live_<UTC date>_<time>
  double pose_rate_hz = kReleaseLayout.pose_rate_hz, emg_rate_hz = kReleaseLayout.emg_rate_hz;
  double checkpoint_s = 5;      // wall-clock seconds between rewrites of the arrays
  int max_queued_frames = 120;  // frames waiting for the disk; beyond, the oldest are not recorded (counted)
  nlohmann::json session;       // written into session.json (source, model, ...)
  void check() const;
};

class Recorder : public LiveSink {
 public:
  // The folders are made once the source is open (on_start): InputError naming DIR when they
  // cannot be, or when this session's video already exists.
  Recorder(const RecorderOptions& options, const LiveKeys* keys = nullptr);
  ~Recorder() override;
  void on_start(const SourceInfo& source) override;
  void on_frame(const TrackedFrame& frame) override;
  void on_emg(const EmgRows& rows, const LiveStats& stats) override;
  void on_end(const LiveStats& stats) override;
  const std::string& name() const { return options_.name; }

 private:
  void run();
  void write_frames_and_checkpoints();
  void checkpoint(bool complete);
  void append_keypoints(bool complete);

  RecorderOptions options_;
  const LiveKeys* keys_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<TrackedFrame> pending_;
  int64_t frames_not_recorded_ = 0, frames_recorded_ = 0;
  pose::PoseTrack keypoints_;    // frames not yet needed by a written row
  int64_t keypoint_frames_ = 0;  // tracked frames in all
  int64_t next_pose_row_ = -1;   // grid index (k / pose rate) of the next keypoint row to write
  std::vector<float> emg_;       // rows x channels not yet written
  int64_t emg_rows_ = 0;         // rows received (written or not), fills included
  int64_t emg_first_sample_ = -1;
  std::unique_ptr<GrowingPickle> keypoint_file_, emg_file_;  // writer thread, then on_end
  LiveStats last_stats_;
  double fps_ = 30;  // the video's stated rate: the source's
  bool ending_ = false;
  std::string error_;  // why the writer thread stopped, if it did
  cv::VideoWriter video_;
  cv::Mat last_written_;      // writer thread only
  int64_t video_frames_ = 0;  // writer thread only
  int64_t frames_repeated_ = 0, emg_rows_filled_ = 0;
  std::thread writer_;
};

}  // namespace pianokpm::live
