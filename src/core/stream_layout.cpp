#include "core/stream_layout.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace pianokpm {

Modality parse_modality(const std::string& text) {
  if (text == "pose+keys") return Modality::kPoseAndKeys;
  if (text == "pose") return Modality::kPoseOnly;
  if (text == "keys") return Modality::kKeysOnly;
  throw std::invalid_argument("modality must be pose+keys, pose or keys, not '" + text + "'");
}

std::string to_string(Modality modality) {
  switch (modality) {
    case Modality::kPoseAndKeys: return "pose+keys";
    case Modality::kPoseOnly: return "pose";
    case Modality::kKeysOnly: return "keys";
  }
  return "?";
}

void StreamLayout::check() const {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("stream layout: " + what);
  };
  require(num_views >= 1, "num_views must be >= 1");
  require(num_keypoints >= 1 && num_keys >= 1, "num_keypoints and num_keys must be >= 1");
  require(emg_channels >= 1, "emg_channels must be >= 1");
  require(std::isfinite(window_seconds) && window_seconds > 0, "window_seconds must be > 0");
  require(std::isfinite(pose_rate_hz) && std::isfinite(emg_rate_hz) && pose_frames() >= 2 && window_samples() >= 2,
          fmt::format("a {:g} s window needs at least 2 pose frames and 2 samples (pose {:g} Hz, EMG {:g} Hz)", window_seconds,
                      pose_rate_hz, emg_rate_hz));
}

const std::vector<std::string>& muscle_names() {
  static const std::vector<std::string> names = {"ADM", "PB", "1DI", "2DI", "3DI", "4DI"};
  return names;
}

}  // namespace pianokpm
