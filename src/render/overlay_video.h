#pragma once
// The muscle overlay video: each frame of the source video (or, without one, a plain background
// with the keypoints fitted into it) with the hand and its six muscles coloured by the EMG at that
// instant, above a strip of the six traces scrolling past a time cursor. One output frame per
// source frame, at the source's rate (the keypoints' rate without a video). H.264 when OpenCV's
// FFmpeg can write it, MPEG-4 part 2 otherwise. Written under a temporary name, renamed when done.
#include <torch/torch.h>

#include <functional>
#include <string>

#include "core/stream_layout.h"
#include "render/overlay_frame.h"

namespace pianokpm::render {

struct OverlayVideoInput {
  std::string video;        // source video; empty: keypoints on a plain background
  torch::Tensor keypoints;  // [F, 21, C>=2], C = 3 adds a confidence (0: no hand in that frame)
  // Rows per second of `keypoints`; 0: one row per source frame. Keypoints are in the video's
  // pixels, or normalized to 0..1 (recognised by all |x|, |y| <= 1.5). Without a video any units do.
  double keypoints_rate_hz = 0;
  torch::Tensor emg;  // [N, 6] envelopes
  double emg_rate_hz = kReleaseLayout.emg_rate_hz;
  torch::Tensor emg_lower, emg_upper;                         // optional [N, 6] interval, drawn as a band around each trace
  std::string emg_name = "--emg", keypoints_name = "--pose";  // named in error messages (the files)
};

struct OverlayVideoOptions {
  OverlayStyle style;      // style.activation_scale is used when auto_scale is off
  int canvas_width = 640;  // size of the plain background without a video
  int canvas_height = 480;
  bool auto_scale = true;         // set style.activation_scale from the EMG (99th percentile of all values)
  double max_duration_gap_s = 1;  // video and EMG durations may differ by this much (one window)

  void check() const;
};

struct OverlayVideoResult {
  int64_t frames = 0;
  double fps = 0;
  int width = 0, height = 0;
  std::string codec;  // "H.264" or "MPEG-4"
  double activation_scale = 0;
};

using RenderProgress = std::function<void(int64_t done, int64_t total)>;

// Bad input (unreadable video, EMG or keypoints of the wrong shape, durations that disagree by more
// than max_duration_gap_s) is an InputError naming the file; nothing is left under `out_path`.
OverlayVideoResult render_overlay_video(const OverlayVideoInput& input, const OverlayVideoOptions& options,
                                        const std::string& out_path, const RenderProgress& progress = {});

// The value drawn in the top colour by default: the 99th percentile of all EMG values.
double default_activation_scale(const torch::Tensor& emg);

}  // namespace pianokpm::render
