#pragma once
// A user's own recording of one performance (keypoints from any tracker, keystrokes or MIDI, raw
// EMG from an amplifier or an envelope already made) into the release layout, so that `train`
// and `eval` run on it unchanged.
#include <string>
#include <vector>

#include "io/signal_recording.h"
#include "core/stream_layout.h"
#include "signal/emg_envelope.h"
#include "signal/envelope_normalisation.h"

namespace pianokpm {

struct PerformanceSources {
  std::vector<std::string> pose_views;  // top, then right; .pkl .npy .csv .json, or .c3d markers
  std::string c3d_markers;              // mapping file for .c3d views (data/c3d_pose.h)
  std::string keys;                     // key depth array, or MIDI
  bool keys_from_midi = false;
  std::string emg_raw;  // raw EMG (EDF/BDF/C3D analog/CSV/npy/pkl), processed here
  SignalReadOptions emg_read;
  EmgEnvelopeOptions envelope;
  EnvelopeNormalisation normalisation;
  std::string emg_envelope;  // or an envelope already at the keystroke rate [N, 6]
};

struct ImportedPerformance {
  std::vector<std::string> written;  // files, in the order written
  int64_t pose_frames = 0, samples = 0;
};

// Loads and checks everything first (keys and EMG must agree within one window and are cut to
// the shorter; MIDI is rendered over the EMG's or the pose's duration), then writes
// DIR/hand_data/keyp_top|keyp_right/NAME.pkl, keystroke_data/NAME.pkl, emg_data/NAME.pkl, each
// atomically. Errors are InputErrors naming the file at fault.
ImportedPerformance import_performance(const PerformanceSources& sources, const StreamLayout& layout, const std::string& out_dir,
                                       const std::string& name);

// Adds NAME.pkl to `set` of the split file (created if missing), written atomically.
void add_to_split(const std::string& split_path, const std::string& set, const std::string& name);

}  // namespace pianokpm
