#include "io/midi_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <tuple>

#include "io/atomic_file.h"
#include "core/input_error.h"

namespace pianokpm {

namespace {

constexpr uint32_t kDefaultTempoUs = 500000;  // 120 bpm until the first tempo event
constexpr uint32_t kMaxVarlenBytes = 4;

// Bounds-checked cursor over one chunk; every read failure names the file and the offset.
class ByteCursor {
 public:
  ByteCursor(const uint8_t* data, size_t begin, size_t end, const std::string& name)
      : data_(data), pos_(begin), end_(end), name_(name) {}
  bool done() const { return pos_ >= end_; }
  size_t pos() const { return pos_; }
  uint8_t peek() const {
    need(1);
    return data_[pos_];
  }
  uint8_t u8() {
    need(1);
    return data_[pos_++];
  }
  uint32_t be(int bytes) {
    need(static_cast<size_t>(bytes));
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | data_[pos_++];
    return v;
  }
  uint32_t varlen() {
    uint32_t v = 0;
    for (uint32_t i = 0; i < kMaxVarlenBytes; ++i) {
      const uint8_t b = u8();
      v = (v << 7) | (b & 0x7F);
      if (!(b & 0x80)) return v;
    }
    fail("variable-length number longer than 4 bytes");
  }
  void skip(size_t n) {
    need(n);
    pos_ += n;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(name_, fmt::format("not a valid MIDI file: {} at byte {}", what, pos_));
  }

 private:
  void need(size_t n) const {
    if (n > end_ - pos_) fail("event runs past the end of its track chunk");
  }
  const uint8_t* data_;
  size_t pos_, end_;
  const std::string& name_;
};

struct RawNote {
  uint64_t on_tick = 0, off_tick = 0;
  int pitch = 0, velocity = 0, channel = 0, track = 0;
};

struct TrackEvents {
  std::vector<RawNote> notes;
  std::vector<std::pair<uint64_t, uint32_t>> tempos;  // tick, microseconds per quarter note
  uint64_t end_tick = 0;
};

// Data bytes of a channel message, by status high nibble.
int channel_data_bytes(uint8_t status) {
  const uint8_t kind = status & 0xF0;
  return (kind == 0xC0 || kind == 0xD0) ? 1 : 2;
}

TrackEvents parse_track(ByteCursor c, int track) {
  TrackEvents out;
  uint64_t tick = 0;
  int running = -1;                                            // running status, -1 when none
  std::map<std::pair<int, int>, std::deque<RawNote>> pending;  // (channel, pitch) -> open notes
  auto close_note = [&](int channel, int pitch) {
    auto it = pending.find({channel, pitch});
    if (it == pending.end() || it->second.empty()) return;  // a note-off with no note-on is harmless
    RawNote n = it->second.front();
    it->second.pop_front();
    n.off_tick = tick;
    out.notes.push_back(n);
  };
  while (!c.done()) {
    tick += c.varlen();
    uint8_t status = c.peek();
    if (status & 0x80) {
      c.u8();
    } else {
      if (running < 0) c.fail("running status with no previous status byte");
      status = static_cast<uint8_t>(running);
    }
    if (status == 0xFF) {  // meta event
      running = -1;
      const uint8_t type = c.u8();
      const uint32_t len = c.varlen();
      if (type == 0x51) {
        if (len != 3) c.fail("tempo event of length other than 3");
        const uint32_t us = c.be(3);
        if (us == 0) c.fail("tempo of zero microseconds per quarter note");
        out.tempos.emplace_back(tick, us);
      } else {
        c.skip(len);
        if (type == 0x2F) break;  // end of track
      }
    } else if (status == 0xF0 || status == 0xF7) {  // sysex
      running = -1;
      c.skip(c.varlen());
    } else if (status >= 0xF1) {
      c.fail(fmt::format("system message 0x{:02X} inside a file", status));
    } else {
      running = status;
      uint8_t d[2] = {0, 0};
      for (int i = 0; i < channel_data_bytes(status); ++i) {
        d[i] = c.u8();
        if (d[i] & 0x80) c.fail("data byte above 127");
      }
      const int channel = status & 0x0F;
      const uint8_t kind = status & 0xF0;
      if (kind == 0x90 && d[1] > 0) {
        pending[{channel, d[0]}].push_back(RawNote{tick, 0, d[0], d[1], channel, track});
      } else if (kind == 0x80 || kind == 0x90) {
        close_note(channel, d[0]);
      }
    }
  }
  out.end_tick = tick;
  for (auto& [key, notes] : pending) {  // notes never released end with their track
    for (auto n : notes) {
      n.off_tick = tick;
      out.notes.push_back(n);
    }
  }
  return out;
}

// Tick -> seconds over a merged tempo map (metrical time) or fixed SMPTE ticks.
class TickClock {
 public:
  TickClock(int division, std::vector<std::pair<uint64_t, uint32_t>> tempos) : division_(division) {
    std::stable_sort(tempos.begin(), tempos.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    segments_.push_back({0, 0.0, kDefaultTempoUs});
    for (const auto& [tick, us] : tempos) {
      const Segment& last = segments_.back();
      segments_.push_back({tick, seconds_in(last, tick), us});
    }
  }
  double seconds(uint64_t tick) const {
    if (division_ & 0x8000) {  // SMPTE: -frames per second in the high byte, ticks per frame low
      const int fps = -static_cast<int8_t>(division_ >> 8);
      const int per_frame = division_ & 0xFF;
      return static_cast<double>(tick) / (fps * per_frame);
    }
    auto it = std::upper_bound(segments_.begin(), segments_.end(), tick, [](uint64_t t, const Segment& s) { return t < s.tick; });
    return seconds_in(*std::prev(it), tick);
  }

 private:
  struct Segment {
    uint64_t tick;
    double start_s;
    uint32_t us_per_quarter;
  };
  double seconds_in(const Segment& s, uint64_t tick) const {
    return s.start_s + static_cast<double>(tick - s.tick) * s.us_per_quarter * 1e-6 / division_;
  }
  int division_;
  std::vector<Segment> segments_;
};

}  // namespace

MidiFile parse_midi(const uint8_t* data, size_t size, const std::string& name) {
  ByteCursor header(data, 0, size, name);
  if (size < 14 || std::string(reinterpret_cast<const char*>(data), 4) != "MThd") {
    throw InputError(name, "not a MIDI file (no MThd header)");
  }
  header.skip(4);
  const uint32_t header_len = header.be(4);
  if (header_len < 6 || header_len > size - 8) header.fail(fmt::format("header chunk length {}", header_len));
  MidiFile file;
  file.format = static_cast<int>(header.be(2));
  const int declared_tracks = static_cast<int>(header.be(2));
  file.division = static_cast<int>(header.be(2));
  if (file.format > 1) throw InputError(name, fmt::format("MIDI format {} is not supported (only 0 and 1)", file.format));
  const bool smpte = file.division & 0x8000;
  if (smpte ? (-static_cast<int8_t>(file.division >> 8) <= 0 || (file.division & 0xFF) == 0) : file.division == 0) {
    throw InputError(name, "not a valid MIDI file: time division of zero");
  }

  std::vector<TrackEvents> tracks;
  size_t pos = 8 + header_len;
  while (pos + 8 <= size) {
    std::string id(reinterpret_cast<const char*>(data + pos), 4);
    for (char& ch : id)
      if (ch < 32 || ch > 126) ch = '?';  // error messages stay printable, one line
    ByteCursor len_cursor(data, pos + 4, pos + 8, name);
    const uint32_t len = len_cursor.be(4);
    if (len > size - pos - 8) {
      throw InputError(name, fmt::format("not a valid MIDI file: chunk '{}' at byte {} claims {} bytes but only {} remain", id,
                                         pos, len, size - pos - 8));
    }
    if (id == "MTrk")
      tracks.push_back(parse_track(ByteCursor(data, pos + 8, pos + 8 + len, name), static_cast<int>(tracks.size())));
    pos += 8 + len;  // unknown chunk types are skipped, as the standard asks
  }
  // fewer than 8 bytes after the last chunk: padding some writers add, ignored
  if (tracks.empty()) throw InputError(name, "not a valid MIDI file: no track chunk");
  if (static_cast<int>(tracks.size()) != declared_tracks) {
    throw InputError(
        name, fmt::format("not a valid MIDI file: header declares {} tracks, file has {}", declared_tracks, tracks.size()));
  }
  file.num_tracks = static_cast<int>(tracks.size());

  std::vector<std::pair<uint64_t, uint32_t>> tempos;
  for (const auto& t : tracks) tempos.insert(tempos.end(), t.tempos.begin(), t.tempos.end());
  file.tempo_changes = static_cast<int>(tempos.size());
  const TickClock clock(file.division, tempos);
  for (const auto& t : tracks) {
    file.duration_s = std::max(file.duration_s, clock.seconds(t.end_tick));
    for (const auto& n : t.notes) {
      MidiTrackNote note;
      note.note = MidiNote{n.pitch, n.velocity, clock.seconds(n.on_tick), clock.seconds(n.off_tick)};
      note.channel = n.channel;
      note.track = n.track;
      file.notes.push_back(note);
    }
  }
  std::sort(file.notes.begin(), file.notes.end(), [](const MidiTrackNote& a, const MidiTrackNote& b) {
    return std::tie(a.note.on_s, a.note.pitch, a.channel) < std::tie(b.note.on_s, b.note.pitch, b.channel);
  });
  return file;
}

MidiFile read_midi(const std::string& path) {
  const std::string bytes = read_file(path);
  return parse_midi(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path);
}

}  // namespace pianokpm
