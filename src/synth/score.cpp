#include "synth/score.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "synth/keyboard.h"

namespace pianokpm::synth {

namespace {

constexpr int kMiddleC = 39;
constexpr double kStartS = 0.3;
constexpr int kMajor[7] = {0, 2, 4, 5, 7, 9, 11};

// Key of the `degree`-th note of the major scale on `tonic` (degree may exceed 7 or be negative).
int scale_key(int tonic, int degree) {
  const int octave = static_cast<int>(std::floor(degree / 7.0));
  const int d = degree - 7 * octave;
  return std::clamp(tonic + 12 * octave + kMajor[d], 0, kNumKeys - 1);
}

class Composer {
 public:
  Composer(const Pianist& p, double seconds, double tempo_bpm, std::mt19937_64& rng)
      : pianist_(p), end_s_(seconds - kStartS), beat_s_(60.0 / tempo_bpm), rng_(rng) {}

  bool full() const { return t_ >= end_s_; }
  double beat() const { return beat_s_; }
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  int velocity(double level) {
    const double v = 127.0 * std::clamp(level + 0.06 * std::normal_distribution<double>()(rng_), 0.08, 1.0);
    return static_cast<int>(std::lround(v));
  }
  double phrase_level() { return std::clamp(pianist_.loudness + uniform(-0.25, 0.2), 0.15, 0.98); }

  // Strikes `keys` with `fingers` together, holds for `hold_s`, then advances time by `step_s`.
  void play(const std::vector<int>& keys, const std::vector<int>& fingers, double step_s, double hold_s, double level,
            bool thumb_crossing = false) {
    if (full()) return;
    const double jitter = pianist_.timing_jitter_s * std::normal_distribution<double>()(rng_);
    double lo = 1e9, hi = -1e9;
    for (int k : keys) {
      lo = std::min(lo, key_x_mm(k));
      hi = std::max(hi, key_x_mm(k));
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      Note n;
      n.key = keys[i];
      n.finger = fingers[i];
      n.t_bed_s = t_ + jitter + 0.004 * static_cast<double>(i);  // chords roll slightly
      n.t_release_s = n.t_bed_s + std::max(0.05, hold_s);
      n.velocity = velocity(level);
      n.thumb_crossing = thumb_crossing && (fingers[i] == 1 || keys.size() == 1);
      n.chord_size = static_cast<int>(keys.size());
      n.chord_span_mm = hi - lo;
      score_.notes.push_back(n);
    }
    t_ += step_s;
  }
  void rest(double s) { t_ += s; }

  Score finish(double tempo_bpm) {
    std::sort(score_.notes.begin(), score_.notes.end(), [](const Note& a, const Note& b) { return a.t_bed_s < b.t_bed_s; });
    score_.tempo_bpm = tempo_bpm;
    score_.notes.erase(
        std::remove_if(score_.notes.begin(), score_.notes.end(), [&](const Note& n) { return n.t_release_s > end_s_ + 0.2; }),
        score_.notes.end());
    return std::move(score_);
  }

 private:
  const Pianist& pianist_;
  double end_s_, beat_s_;
  std::mt19937_64& rng_;
  double t_ = kStartS;
  Score score_;
};

// T1: two-octave major scales up and down, standard fingering with thumb crossings.
void scales(Composer& c) {
  const int finger_up[8] = {1, 2, 3, 1, 2, 3, 4, 5};
  while (!c.full()) {
    const int tonic = kMiddleC - 12 + c.pick(0, 7);
    const double step = c.beat() / 4, level = c.phrase_level();
    std::vector<std::pair<int, int>> run;  // (degree, finger)
    for (int d = 0; d <= 14; ++d) run.emplace_back(d, d == 14 ? 5 : finger_up[d % 7]);
    for (int d = 13; d >= 0; --d) run.emplace_back(d, d == 0 ? 1 : finger_up[d % 7]);
    int previous_finger = 0;
    for (auto [degree, finger] : run) {
      const bool crossing = (finger == 1 && previous_finger >= 3) || (previous_finger == 1 && finger >= 3);
      c.play({scale_key(tonic, degree)}, {finger}, step, step * 1.05, level, crossing);
      previous_finger = finger;
    }
    c.rest(c.beat());
  }
}

// T2: arpeggiated triads over two octaves (1 2 3 1 2 3 5) and back.
void arpeggios(Composer& c) {
  while (!c.full()) {
    const int root = kMiddleC - 12 + c.pick(0, 7);
    const bool minor = c.pick(0, 1) == 1;
    const int chord[3] = {0, minor ? 3 : 4, 7};
    const int fingers[7] = {1, 2, 3, 1, 2, 3, 5};
    const double step = c.beat() / 3, level = c.phrase_level();
    for (int i = 0; i < 7; ++i) {
      c.play({std::min(root + 12 * (i / 3) + chord[i % 3], kNumKeys - 1)}, {fingers[i]}, step, step * 1.1, level, i == 3);
    }
    for (int i = 5; i >= 0; --i) {
      c.play({std::min(root + 12 * (i / 3) + chord[i % 3], kNumKeys - 1)}, {fingers[i]}, step, step * 1.1, level, i == 2);
    }
    c.rest(c.beat() / 2);
  }
}

// T3: repeated notes, changing fingers (3-2-1) or with one finger.
void repeated_notes(Composer& c) {
  while (!c.full()) {
    const int key = scale_key(kMiddleC, c.pick(-3, 8));
    const bool change = c.pick(0, 1) == 1;
    const int fixed = c.pick(2, 4), count = c.pick(6, 12);
    const double step = c.beat() / 4, level = c.phrase_level();
    for (int i = 0; i < count; ++i) c.play({key}, {change ? 3 - i % 3 : fixed}, step, step * 0.6, level);
    c.rest(c.beat() / 2);
  }
}

// T4: trills between neighbouring keys with finger pairs (1,2) (2,3) (3,4) (4,5).
void trills(Composer& c) {
  while (!c.full()) {
    const int lower_finger = c.pick(1, 4);
    const int key = scale_key(kMiddleC, c.pick(0, 7));
    const int upper = std::min(key + (c.pick(0, 1) ? 1 : 2), kNumKeys - 1);
    const double step = c.beat() / 8, level = c.phrase_level();
    const int count = c.pick(12, 24);
    for (int i = 0; i < count; ++i) {
      c.play({i % 2 ? upper : key}, {i % 2 ? lower_finger + 1 : lower_finger}, step, step * 0.9, level);
    }
    c.rest(c.beat());
  }
}

// T5: block chords (1-3-5, 1-2-3-5) and octaves (1-5), loud and wide.
void chords_and_octaves(Composer& c) {
  while (!c.full()) {
    const int root = scale_key(kMiddleC - 12, c.pick(0, 10));
    const double level = std::min(0.98, c.phrase_level() + 0.1);
    const int kind = c.pick(0, 2);
    const double dur = c.beat() * (c.pick(0, 1) ? 1.0 : 2.0);
    if (kind == 0) {
      c.play({root, root + 4, root + 7}, {1, 3, 5}, dur, dur * 0.9, level);
    } else if (kind == 1) {
      c.play({root, root + 4, root + 7, std::min(root + 12, kNumKeys - 1)}, {1, 2, 3, 5}, dur, dur * 0.9, level);
    } else {
      c.play({root, std::min(root + 12, kNumKeys - 1)}, {1, 5}, dur, dur * 0.9, level);
    }
  }
}

// T6: five-finger patterns on five neighbouring white keys, the hand staying in place.
void five_finger(Composer& c) {
  while (!c.full()) {
    const int tonic = kMiddleC + (c.pick(0, 1) ? 0 : 7);
    const double step = c.beat() / 2, level = c.phrase_level();
    int finger = c.pick(1, 5);
    for (int i = 0; i < 16; ++i) {
      c.play({scale_key(tonic, finger - 1)}, {finger}, step, step * 0.95, level);
      finger = std::clamp(finger + (c.pick(0, 1) ? 1 : -1) * c.pick(1, 2), 1, 5);
    }
    c.rest(c.beat() / 2);
  }
}

// T7: a free piece: a melody in a moving hand position, mixed rhythms, occasional chords.
void free_piece(Composer& c) {
  int position = c.pick(-2, 5);  // scale degree under the thumb
  int finger = 3;
  const double rhythms[4] = {0.5, 0.5, 1.0, 0.25};
  while (!c.full()) {
    const double level = c.phrase_level();
    for (int i = 0; i < 12 && !c.full(); ++i) {
      const double step = c.beat() * rhythms[c.pick(0, 3)];
      if (c.pick(0, 6) == 0) {
        c.play({scale_key(kMiddleC, position), scale_key(kMiddleC, position + 2), scale_key(kMiddleC, position + 4)}, {1, 3, 5},
               step, step * 0.9, level);
        continue;
      }
      finger = std::clamp(finger + c.pick(-2, 2), 1, 5);
      c.play({scale_key(kMiddleC, position + finger - 1)}, {finger}, step, step * 0.95, level);
    }
    position = std::clamp(position + c.pick(-3, 3), -5, 9);
  }
}

}  // namespace

std::string task_name(int task) {
  static const char* names[kNumTasks] = {
      "scales", "arpeggios", "repeated notes", "trills", "chords and octaves", "five-finger exercises", "free piece"};
  if (task < 1 || task > kNumTasks) throw std::invalid_argument("task must be 1..7");
  return names[task - 1];
}

Score compose_score(int task, const Pianist& pianist, double seconds, std::mt19937_64& rng) {
  static const double kTaskTempo[kNumTasks] = {1.0, 0.9, 1.0, 0.8, 0.9, 1.1, 0.95};
  task_name(task);  // validates
  const double tempo = pianist.tempo_bpm * kTaskTempo[task - 1] * std::uniform_real_distribution<double>(0.9, 1.1)(rng);
  Composer c(pianist, seconds, tempo, rng);
  switch (task) {
    case 1: scales(c); break;
    case 2: arpeggios(c); break;
    case 3: repeated_notes(c); break;
    case 4: trills(c); break;
    case 5: chords_and_octaves(c); break;
    case 6: five_finger(c); break;
    default: free_piece(c); break;
  }
  return c.finish(tempo);
}

}  // namespace pianokpm::synth
