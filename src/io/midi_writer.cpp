#include "io/midi_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <tuple>

namespace pianokpm {

namespace {

void put_be(std::string& out, uint32_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put_varlen(std::string& out, uint32_t v) {
  char buf[5];
  int n = 0;
  buf[n++] = static_cast<char>(v & 0x7F);
  while (v >>= 7) buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
  while (n) out.push_back(buf[--n]);
}

}  // namespace

std::string serialize_midi(const std::vector<MidiNote>& notes, double tempo_bpm, int ticks_per_quarter) {
  if (!(tempo_bpm > 0) || ticks_per_quarter <= 0 || ticks_per_quarter > 0x7FFF) {
    throw std::invalid_argument("MIDI: tempo and ticks per quarter must be positive");
  }
  const double ticks_per_s = ticks_per_quarter * tempo_bpm / 60.0;
  // (tick, is_on, pitch, velocity); offs sort before ons at the same tick.
  std::vector<std::tuple<uint32_t, int, int, int>> events;
  for (const auto& n : notes) {
    if (n.pitch < 0 || n.pitch > 127) throw std::invalid_argument("MIDI: pitch out of range");
    const auto on = static_cast<uint32_t>(std::llround(std::max(0.0, n.on_s) * ticks_per_s));
    const auto off = std::max(on + 1, static_cast<uint32_t>(std::llround(std::max(0.0, n.off_s) * ticks_per_s)));
    events.emplace_back(on, 1, n.pitch, std::clamp(n.velocity, 1, 127));
    events.emplace_back(off, 0, n.pitch, 64);
  }
  std::sort(events.begin(), events.end());

  std::string track;
  put_varlen(track, 0);
  track += "\xFF\x51\x03";
  put_be(track, static_cast<uint32_t>(std::lround(60e6 / tempo_bpm)), 3);
  uint32_t last = 0;
  for (const auto& [tick, is_on, pitch, velocity] : events) {
    put_varlen(track, tick - last);
    last = tick;
    track.push_back(static_cast<char>(is_on ? 0x90 : 0x80));
    track.push_back(static_cast<char>(pitch));
    track.push_back(static_cast<char>(velocity));
  }
  put_varlen(track, 0);
  track += std::string("\xFF\x2F\x00", 3);

  std::string out = "MThd";
  put_be(out, 6, 4);
  put_be(out, 0, 2);  // format 0
  put_be(out, 1, 2);  // one track
  put_be(out, static_cast<uint32_t>(ticks_per_quarter), 2);
  out += "MTrk";
  put_be(out, static_cast<uint32_t>(track.size()), 4);
  return out + track;
}

}  // namespace pianokpm
