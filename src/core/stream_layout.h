#pragma once
// The streams every recording, corpus file and model shares, as released: one or two camera
// views (top first, then right) of 21 hand keypoints at 60 fps, the depth of 88 piano keys and
// six EMG envelopes at 1024 Hz, cut into windows of 1 s (kReleaseLayout). One struct read by data
// (loading, windowing), model (a ModelConfig is the layout it reads plus its architecture) and the writers.
#include <string>
#include <vector>

namespace pianokpm {

// Which input streams a model reads. The release uses both.
enum class Modality { kPoseAndKeys, kPoseOnly, kKeysOnly };

Modality parse_modality(const std::string& text);  // "pose+keys" | "pose" | "keys"; std::invalid_argument otherwise
std::string to_string(Modality modality);
inline bool uses_pose(Modality m) { return m != Modality::kKeysOnly; }
inline bool uses_keys(Modality m) { return m != Modality::kPoseOnly; }

struct StreamLayout {
  Modality modality = Modality::kPoseAndKeys;  // which of pose and keys are read
  int num_views = 2;                           // camera views, top first
  int num_keypoints = 21;                      // MediaPipe hand layout
  int num_keys = 88;                           // piano keys A0..C8
  int emg_channels = 6;                        // muscle_names()
  double pose_rate_hz = 60;                    // camera frames per second
  double emg_rate_hz = 1024;                   // EMG samples per second, also the keystroke rate
  double window_seconds = 1.0;                 // a model's window

  // Counts per window, derived from the rates (rounded to the nearest whole frame or sample).
  constexpr int pose_frames() const { return static_cast<int>(pose_rate_hz * window_seconds + 0.5); }
  constexpr int window_samples() const { return static_cast<int>(emg_rate_hz * window_seconds + 0.5); }
  constexpr int pose_channels() const { return num_views * num_keypoints * 2; }  // x, y per keypoint and view
  // Throws std::invalid_argument naming the first bad field.
  void check() const;
};

// The release's layout: the one place its numbers are written. Other code reads them from here
// (kReleaseLayout.emg_rate_hz, ...) or from the layout of the model or recording at hand.
inline constexpr StreamLayout kReleaseLayout{};

// Muscle channel order of every EMG stream, as released: ADM, PB, 1DI, 2DI, 3DI, 4DI.
const std::vector<std::string>& muscle_names();

// Folders of the release's data layout, relative to a corpus folder; files in them are NAME.pkl.
namespace release_folders {
inline constexpr const char* kPoseTop = "hand_data/keyp_top";
inline constexpr const char* kPoseRight = "hand_data/keyp_right";
inline constexpr const char* kKeys = "keystroke_data";
inline constexpr const char* kEmg = "emg_data";
}  // namespace release_folders

}  // namespace pianokpm
