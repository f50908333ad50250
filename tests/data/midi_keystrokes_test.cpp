// MIDI notes to key depth: hand-worked key motion, and which notes count; and back to presses.
#include "data/key_motion.h"
#include "data/key_presses.h"
#include "data/midi_keystrokes.h"
#include "test_support.h"

namespace pianokpm {
namespace {

// Velocity 127 descends in 12 ms: depth (s)^2 a fraction s of the way down; after the release the
// key rises along a smoothstep over kKeyReleaseS (60 ms).
TEST(KeyMotion, HandWorkedDepths) {
  const KeyPress p{39, 127, 1.0, 1.5};
  EXPECT_DOUBLE_EQ(key_descent_s(127), 0.012);
  EXPECT_DOUBLE_EQ(key_depth(p, 1.0 - 0.013), 0.0);     // before the finger starts
  EXPECT_NEAR(key_depth(p, 1.0 - 0.006), 0.25, 1e-12);  // half way in time, a quarter down
  EXPECT_DOUBLE_EQ(key_depth(p, 1.2), 1.0);             // held on the bed
  EXPECT_NEAR(key_depth(p, 1.5 + 0.03), 0.5, 1e-12);    // half way back up
  EXPECT_DOUBLE_EQ(key_depth(p, 1.5 + 0.061), 0.0);
  const torch::Tensor k = render_key_depth({p}, 2.0, 1000.0, 88);
  ASSERT_EQ(k.sizes(), (std::vector<int64_t>{2000, 88}));
  EXPECT_NEAR(k[994][39].item<float>(), 0.25f, 1e-6);
  EXPECT_EQ(k.narrow(1, 0, 39).abs().sum().item<float>() + k.narrow(1, 40, 48).abs().sum().item<float>(), 0.0f);  // no other key
}

TEST(MidiKeystrokes, LeavesOutPercussionAndNotesOffThePianoAndSpansTheFile) {
  MidiFile m;
  m.duration_s = 2.0;
  m.notes.push_back({MidiNote{60, 100, 0.5, 1.0}, 0, 0});                       // middle C = key 39
  m.notes.push_back({MidiNote{38, 100, 0.5, 1.0}, kMidiPercussionChannel, 1});  // drum: left out
  m.notes.push_back({MidiNote{10, 100, 0.5, 1.0}, 0, 0});                       // below A0: left out
  MidiKeystrokeOptions o;
  o.rate_hz = 1000.0;
  const torch::Tensor k = midi_to_key_depth(m, o);
  ASSERT_EQ(k.size(0), 2000);  // the file's duration (its last event)
  EXPECT_GT(k.select(1, 39).sum().item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(k.sum().item<float>(), k.select(1, 39).sum().item<float>());  // nothing else moved
  o.include_percussion = true;
  EXPECT_GT(midi_to_key_depth(m, o).select(1, 38 - kMidiPitchA0).sum().item<float>(), 0.0f);
  o.include_percussion = false;
  o.duration_s = 3.0;
  EXPECT_EQ(midi_to_key_depth(m, o).size(0), 3000);
}

// Presses rendered to key depth and read back: onsets, releases and velocities as played, a
// re-strike before the key has risen, and a key still down at the end.
TEST(KeyPresses, ReadsBackRenderedPresses) {
  const std::vector<KeyPress> played = {
      {39, 127, 0.50, 0.80}, {39, 20, 0.95, 1.20}, {43, 64, 0.60, 0.70}, {0, 100, 1.30, 1.60}, {87, 90, 1.80, 2.5}};
  const double rate = 1024;
  const torch::Tensor depth = render_key_depth(played, 2.0, rate, 88);
  const std::vector<KeyPress> read = key_presses_from_depth(depth, rate);
  ASSERT_EQ(read.size(), played.size());
  std::vector<KeyPress> expected = played;
  std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) { return a.t_bed_s < b.t_bed_s; });
  for (size_t i = 0; i < read.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(read[i].key, expected[i].key);
    // The bed threshold (0.95) is crossed up to 1.6 ms before the bed; one sample is 1 ms.
    EXPECT_NEAR(read[i].t_bed_s, expected[i].t_bed_s, 0.003);
    EXPECT_NEAR(read[i].velocity, expected[i].velocity, 4);
    // Released when the key rises past 0.95: about 8 ms after the finger lets go (or the end).
    EXPECT_NEAR(read[i].t_release_s, std::min(expected[i].t_release_s + 0.008, 2.0 - 1 / rate), 0.003);
  }
  EXPECT_TRUE(key_presses_from_depth(torch::zeros({100, 88}), rate).empty());
  EXPECT_THROW(key_presses_from_depth(torch::zeros({100}), rate), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm
