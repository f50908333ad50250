#include "live/live_keys.h"

#include <algorithm>

#include "data/midi_keystrokes.h"

namespace pianokpm::live {

namespace {
// Rendered before the stretch asked for, so that keystrokes begun earlier have their shape.
constexpr double kLeadS = 1.0;
}  // namespace

LiveKeys::LiveKeys(const MidiFile& file) : notes_(file.notes) {}

void LiveKeys::note_on(double time_s, int pitch, int velocity) {
  std::lock_guard<std::mutex> lock(mutex_);
  MidiTrackNote n;
  n.note.pitch = pitch;
  n.note.velocity = velocity;
  n.note.on_s = time_s;
  n.note.off_s = -1;
  notes_.push_back(n);
}

void LiveKeys::note_off(double time_s, int pitch) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = notes_.rbegin(); it != notes_.rend(); ++it) {
    if (it->note.pitch == pitch && it->note.off_s < 0) {
      it->note.off_s = std::max(time_s, it->note.on_s);
      return;
    }
  }
}

size_t LiveKeys::notes_known(double now_s) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<size_t>(
      std::count_if(notes_.begin(), notes_.end(), [&](const MidiTrackNote& n) { return n.note.on_s <= now_s; }));
}

torch::Tensor LiveKeys::depth(double first_s, int64_t samples, double rate_hz, double now_s) const {
  const double base = first_s - kLeadS, end = first_s + static_cast<double>(samples) / rate_hz;
  MidiFile window;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const MidiTrackNote& n : notes_) {
      if (n.note.on_s > now_s || n.note.on_s > end) continue;
      double off = n.note.off_s < 0 || n.note.off_s > now_s ? now_s : n.note.off_s;
      if (off < base) continue;  // released (and risen) long before the stretch
      MidiTrackNote shifted = n;
      // A keystroke begun long before is at the key bed by the time the stretch starts.
      shifted.note.on_s = std::max(n.note.on_s - base, 0.5 * kLeadS);
      shifted.note.off_s = std::max(off - base, shifted.note.on_s);
      window.notes.push_back(shifted);
    }
  }
  MidiKeystrokeOptions options;
  options.rate_hz = rate_hz;
  const int64_t lead_samples = static_cast<int64_t>(std::llround(kLeadS * rate_hz));
  options.duration_s = static_cast<double>(lead_samples + samples) / rate_hz;
  return midi_to_key_depth(window, options).narrow(0, lead_samples, samples).contiguous();
}

StreamKeys key_source(const LiveKeys& keys) {
  return [&keys](double first_s, int64_t samples, double rate_hz, double now_s) {
    return keys.depth(first_s, samples, rate_hz, now_s);
  };
}

}  // namespace pianokpm::live
