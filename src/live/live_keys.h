#pragma once
// LiveKeys: keystrokes as they become known, and the key-depth stream the model reads, rendered
// for any stretch of media time from the notes known so far (data/midi_keystrokes.h shapes each
// keystroke as the synthetic corpus does). A note still held is held up to `now`; a note whose
// onset is after `now` is not known yet. Thread-safe: MIDI input adds notes while the model reads.
#include <torch/torch.h>

#include <mutex>
#include <string>
#include <vector>

#include "io/midi_reader.h"
#include "predict/stream_predictor.h"

namespace pianokpm::live {

class LiveKeys {
 public:
  LiveKeys() = default;
  // A whole MIDI file played in time: each note becomes known when media time reaches its onset.
  explicit LiveKeys(const MidiFile& file);

  void note_on(double time_s, int pitch, int velocity);
  void note_off(double time_s, int pitch);

  // Key depth [samples, 88] float32 for media times first_s + i / rate_hz, as known at `now_s`.
  torch::Tensor depth(double first_s, int64_t samples, double rate_hz, double now_s) const;
  size_t notes_known(double now_s) const;

 private:
  mutable std::mutex mutex_;
  std::vector<MidiTrackNote> notes_;  // off_s < 0 while held
};

// `keys` as the stream predictor's key source; `keys` must outlive what it is given to.
StreamKeys key_source(const LiveKeys& keys);

}  // namespace pianokpm::live
