#pragma once
// What the right hand plays: a keyboard-aware plan of notes with fingering for each of the
// seven task types, at the pianist's tempo and dynamics.
#include <random>
#include <string>
#include <vector>

#include "synth/pianist.h"

namespace pianokpm::synth {

constexpr int kNumTasks = 7;

// Task t (1..7): scales, arpeggios, repeated notes, trills, chords and octaves, five-finger
// exercises, free piece.
std::string task_name(int task);

struct Note {
  int key = 39;                 // 0..87 (39 = middle C)
  int finger = 1;               // 1 thumb .. 5 little
  double t_bed_s = 0;           // the key reaches its bed (MIDI note-on)
  double t_release_s = 0;       // the finger lets go (MIDI note-off)
  int velocity = 64;            // 1..127
  bool thumb_crossing = false;  // the thumb passes under (or a finger over the thumb)
  int chord_size = 1;           // notes struck together
  double chord_span_mm = 0;     // distance between the outer keys of the chord
};

struct Score {
  double tempo_bpm = 100;
  std::vector<Note> notes;  // sorted by t_bed_s
};

// Notes with t_bed_s in [0.3 s, seconds - 0.3 s].
Score compose_score(int task, const Pianist& pianist, double seconds, std::mt19937_64& rng);

}  // namespace pianokpm::synth
