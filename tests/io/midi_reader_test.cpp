// MIDI in: a file not written by this project (checked against Debian's midicsv), our own
// writer's files, hand-made byte sequences for tempo changes and running status, and bad files.
#include "core/input_error.h"
#include "io/midi_reader.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::fixture;

MidiFile parse_bytes(const std::vector<uint8_t>& bytes) { return parse_midi(bytes.data(), bytes.size(), "test.mid"); }

std::vector<uint8_t> header(int format, int tracks, int division) {
  return {'M',
          'T',
          'h',
          'd',
          0,
          0,
          0,
          6,
          0,
          static_cast<uint8_t>(format),
          0,
          static_cast<uint8_t>(tracks),
          static_cast<uint8_t>(division >> 8),
          static_cast<uint8_t>(division & 0xFF)};
}

std::vector<uint8_t> with_track(std::vector<uint8_t> file, const std::vector<uint8_t>& events) {
  const auto n = static_cast<uint32_t>(events.size());
  file.insert(file.end(), {'M', 'T', 'r', 'k', static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                           static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
  file.insert(file.end(), events.begin(), events.end());
  return file;
}

std::string error_of(const std::vector<uint8_t>& bytes) {
  try {
    parse_bytes(bytes);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(MidiReader, ReadsPianoboosterFileAsMidicsvDoes) {
  const MidiFile m = read_midi(fixture("midi/04-FrereJacques.mid"));
  EXPECT_EQ(m.format, 1);
  EXPECT_EQ(m.num_tracks, 5);
  EXPECT_EQ(m.division, 192);
  EXPECT_EQ(m.tempo_changes, 1);
  const double s_per_tick = 666666e-6 / 192;
  EXPECT_NEAR(m.duration_s, 13056 * s_per_tick, 1e-9);
  EXPECT_EQ(m.notes.size(), 336u);
  std::vector<MidiTrackNote> piano;
  for (const auto& n : m.notes)
    if (n.channel != kMidiPercussionChannel) piano.push_back(n);
  ASSERT_EQ(piano.size(), 268u);
  EXPECT_NEAR(piano.front().note.on_s, 768 * s_per_tick, 1e-9);
  EXPECT_NEAR(piano.back().note.on_s, 12697 * s_per_tick, 1e-9);
  EXPECT_EQ(std::count_if(piano.begin(), piano.end(), [](const auto& n) { return n.note.pitch == 60; }), 64);
  for (const auto& n : m.notes) EXPECT_GE(n.note.off_s, n.note.on_s);
}

TEST(MidiReader, RoundTripsOurWriter) {
  const std::vector<MidiNote> notes = {{60, 90, 0.5, 1.0}, {64, 40, 0.75, 2.0}, {67, 127, 1.25, 1.5}};
  const std::string bytes = serialize_midi(notes, 90.0, 480);
  const MidiFile m = parse_midi(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "ours.mid");
  ASSERT_EQ(m.notes.size(), notes.size());
  for (size_t i = 0; i < notes.size(); ++i) {
    EXPECT_EQ(m.notes[i].note.pitch, notes[i].pitch);
    EXPECT_EQ(m.notes[i].note.velocity, notes[i].velocity);
    EXPECT_NEAR(m.notes[i].note.on_s, notes[i].on_s, 1e-3);
    EXPECT_NEAR(m.notes[i].note.off_s, notes[i].off_s, 1e-3);
  }
}

TEST(MidiReader, FollowsTempoChangesAcrossTracksAndRunningStatus) {
  // Track 0: tempo 500000 us/q at tick 0, 250000 us/q at tick 96. Track 1: note-on at tick 0 and
  // tick 192 (the second with running status), note-offs as note-on velocity 0.
  auto file = with_track(header(1, 2, 96), {0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20,  // 500000
                                            0x60, 0xFF, 0x51, 0x03, 0x03, 0xD0, 0x90,  // 250000 at 96
                                            0x00, 0xFF, 0x2F, 0x00});
  file = with_track(file, {0x00, 0x90, 60, 100,  // on at 0
                           0x81, 0x40, 60, 0,    // running status: off at 192
                           0x00, 62, 50,         // on at 192
                           0x60, 0x80, 62, 0,    // off at 288
                           0x00, 0xFF, 0x2F, 0x00});
  const MidiFile m = parse_bytes(file);
  ASSERT_EQ(m.notes.size(), 2u);
  EXPECT_EQ(m.tempo_changes, 2);
  // tick 96 = 0.5 s; then 0.25 s per quarter: tick 192 = 0.75 s, tick 288 = 1.0 s
  EXPECT_NEAR(m.notes[0].note.off_s, 0.75, 1e-12);
  EXPECT_NEAR(m.notes[1].note.on_s, 0.75, 1e-12);
  EXPECT_NEAR(m.notes[1].note.off_s, 1.0, 1e-12);
  EXPECT_EQ(m.notes[1].note.velocity, 50);
}

TEST(MidiReader, RejectsBadFilesWithOneClearError) {
  const auto good_track = std::vector<uint8_t>{0x00, 0x90, 60, 100, 0x10, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00};
  auto long_chunk = with_track(header(0, 1, 96), good_track);
  long_chunk[21] = 0x40;  // track length claims 64 bytes
  EXPECT_NE(error_of(long_chunk).find("claims 64 bytes"), std::string::npos) << error_of(long_chunk);
  EXPECT_NE(error_of(with_track(header(0, 1, 96), {0x00, 60, 100})).find("running status with no previous status"),
            std::string::npos);
  EXPECT_NE(error_of(with_track(header(2, 1, 96), good_track)).find("format 2"), std::string::npos);
  EXPECT_NE(error_of(with_track(header(0, 1, 96), {0x00, 0x90, 60})).find("past the end"), std::string::npos);
  EXPECT_NE(error_of({'R', 'I', 'F', 'F', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}).find("no MThd"), std::string::npos);
  EXPECT_NE(error_of(with_track(header(0, 2, 96), good_track)).find("declares 2 tracks"), std::string::npos);
  EXPECT_NE(error_of(with_track(header(0, 1, 0), good_track)).find("division"), std::string::npos);
  EXPECT_NE(error_of(with_track(header(0, 1, 96), {0x00, 0x90, 0x80, 100})).find("above 127"), std::string::npos);
  for (const auto& e : {error_of(long_chunk), error_of(with_track(header(2, 1, 96), good_track))}) {
    EXPECT_EQ(e.find('\n'), std::string::npos);
    EXPECT_NE(e.find("test.mid"), std::string::npos);
  }
}

}  // namespace
}  // namespace pianokpm
