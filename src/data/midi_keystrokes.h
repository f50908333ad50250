#pragma once
// MIDI notes to the [N, keys] key-depth stream the model takes, through the key model the synthetic
// corpus uses too (data/key_motion.h): descent ending at note-on (faster for louder notes),
// hold until note-off, release. General MIDI percussion (channel 10) and notes outside the piano's
// A0..C8 are left out.
#include <torch/torch.h>

#include "io/file_names.h"
#include "io/midi_reader.h"
#include "core/stream_layout.h"

namespace pianokpm {

struct MidiKeystrokeOptions {
  double rate_hz = kReleaseLayout.emg_rate_hz;  // keystroke rate
  int num_keys = kReleaseLayout.num_keys;       // key 0 = A0 (MIDI pitch kMidiPitchA0)
  double duration_s = 0.0;                      // 0: up to the file's last event (plus the last release)
  bool include_percussion = false;
};

// Returns key depth [round(duration * rate), num_keys] float32 in 0..1.
torch::Tensor midi_to_key_depth(const MidiFile& midi, const MidiKeystrokeOptions& options);

inline bool is_midi_path(const std::string& path) {
  const std::string ext = lowercase_extension(path);
  return ext == ".mid" || ext == ".midi";
}

}  // namespace pianokpm
