#pragma once
// Standard MIDI files (format 0, one track, channel 1): notes with on/off times and velocities.
#include <string>
#include <vector>

namespace pianokpm {

struct MidiNote {
  int pitch = 60;     // MIDI note number
  int velocity = 64;  // 1..127
  double on_s = 0;
  double off_s = 0;
};

// Times are quantised to ticks of `ticks_per_quarter` at `tempo_bpm` (one tempo event).
std::string serialize_midi(const std::vector<MidiNote>& notes, double tempo_bpm, int ticks_per_quarter = 480);

}  // namespace pianokpm
