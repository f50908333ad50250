#include "data/midi_keystrokes.h"

#include <algorithm>

#include "synth/key_motion.h"
#include "synth/keyboard.h"

namespace pianokpm {

torch::Tensor midi_to_key_depth(const MidiFile& midi, const MidiKeystrokeOptions& options) {
  synth::Score score;
  double end_s = midi.duration_s;
  for (const auto& tn : midi.notes) {
    if (tn.channel == kMidiPercussionChannel && !options.include_percussion) continue;
    const int key = tn.note.pitch - kMidiPitchA0;
    if (key < 0 || key >= synth::kNumKeys) continue;
    synth::Note n;
    n.key = key;
    n.velocity = std::clamp(tn.note.velocity, 1, 127);
    n.t_bed_s = tn.note.on_s;
    n.t_release_s = std::max(tn.note.off_s, tn.note.on_s);
    score.notes.push_back(n);
    end_s = std::max(end_s, synth::key_motion_end_s(n));
  }
  const double seconds = options.duration_s > 0 ? options.duration_s : end_s;
  return synth::render_key_depth(score, seconds, options.rate_hz);
}

}  // namespace pianokpm
