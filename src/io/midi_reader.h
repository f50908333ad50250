#pragma once
// Standard MIDI files in: format 0 and 1, any number of tracks, tempo changes (merged into one
// tempo map), running status, SMPTE or metrical time. Notes only: controllers (the sustain pedal
// included), program changes, sysex and meta events other than tempo are read past.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/midi_writer.h"

namespace pianokpm {

inline constexpr int kMidiPercussionChannel = 9;  // General MIDI's channel 10, zero-based
inline constexpr int kMidiPitchA0 = 21;           // the piano's lowest key; key index = pitch - 21

struct MidiTrackNote {
  MidiNote note;    // pitch, velocity, on_s, off_s
  int channel = 0;  // 0..15 (9 = General MIDI percussion)
  int track = 0;
};

struct MidiFile {
  int format = 0;
  int num_tracks = 0;
  int division = 0;                  // ticks per quarter note (metrical time), or the raw SMPTE word
  int tempo_changes = 0;             // tempo events in the file
  double duration_s = 0;             // time of the last event in any track
  std::vector<MidiTrackNote> notes;  // sorted by onset, then pitch
};

// Throws InputError naming `name` and the problem (bad chunk length, running status with no
// status, truncated event, unsupported format 2, ...). Never reads past `size`.
MidiFile parse_midi(const uint8_t* data, size_t size, const std::string& name);
MidiFile read_midi(const std::string& path);

}  // namespace pianokpm
