#pragma once
// MIDI notes to the [N, 88] key-depth stream the model takes, shaped the way the synthetic corpus
// shapes real key motion (synth/key_motion): descent ending at note-on (faster for louder notes),
// hold until note-off, release. General MIDI percussion (channel 10) and notes outside the piano's
// A0..C8 are left out.
#include <torch/torch.h>

#include "io/file_names.h"
#include "io/midi_reader.h"

namespace pianokpm {

constexpr int kMidiPercussionChannel = 9;  // channel 10, zero-based
constexpr int kMidiPitchA0 = 21;

struct MidiKeystrokeOptions {
  double rate_hz = 1024.0;  // keystroke rate
  double duration_s = 0.0;  // 0: up to the file's last event (plus the last release)
  bool include_percussion = false;
};

// Returns key depth [round(duration * rate), 88] float32 in 0..1.
torch::Tensor midi_to_key_depth(const MidiFile& midi, const MidiKeystrokeOptions& options);

inline bool is_midi_path(const std::string& path) {
  const std::string ext = lowercase_extension(path);
  return ext == ".mid" || ext == ".midi";
}

}  // namespace pianokpm
