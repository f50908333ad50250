#include "data/midi_keystrokes.h"

#include <algorithm>

#include "data/key_motion.h"

namespace pianokpm {

torch::Tensor midi_to_key_depth(const MidiFile& midi, const MidiKeystrokeOptions& options) {
  std::vector<KeyPress> presses;
  double end_s = midi.duration_s;
  for (const auto& tn : midi.notes) {
    if (tn.channel == kMidiPercussionChannel && !options.include_percussion) continue;
    const int key = tn.note.pitch - kMidiPitchA0;
    if (key < 0 || key >= options.num_keys) continue;
    const KeyPress p{key, std::clamp(tn.note.velocity, 1, 127), tn.note.on_s, std::max(tn.note.off_s, tn.note.on_s)};
    presses.push_back(p);
    end_s = std::max(end_s, key_motion_end_s(p));
  }
  const double seconds = options.duration_s > 0 ? options.duration_s : end_s;
  return render_key_depth(presses, seconds, options.rate_hz, options.num_keys);
}

}  // namespace pianokpm
