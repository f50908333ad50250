// LiveKeys: keystrokes as they become known, rendered as the synthetic corpus shapes them, and
// read by the stream predictor as they arrive.
#include "live/live_keys.h"

#include "data/midi_keystrokes.h"
#include "io/midi_reader.h"
#include "model/model_registry.h"
#include "predict/stream_test_helpers.h"
#include "test_support.h"

namespace pianokpm::live {
namespace {

using stream_testing::moving_hand;
using stream_testing::offline;
using stream_testing::small_config;
using stream_testing::stream_all;

TEST(LiveKeys, RendersWhatTheWholeFileRendersOnceEveryNoteIsKnown) {
  const MidiFile midi = read_midi(std::string(PIANOKPM_FIXTURES) + "/midi/04-FrereJacques.mid");
  MidiKeystrokeOptions mo;
  const torch::Tensor whole = midi_to_key_depth(midi, mo);
  const LiveKeys keys(midi);
  for (double first_s : {2.0, 5.5, 7.25}) {
    const int64_t first = std::llround(first_s * 1024);
    const torch::Tensor part = keys.depth(first_s, 1024, 1024, 1e9);
    EXPECT_LE(testing::max_abs_diff(part, whole.narrow(0, first, 1024)), 1e-6) << first_s;
    EXPECT_GT(part.max().item<double>(), 0.5) << "keys are pressed in this second";
  }
}

TEST(LiveKeys, ANoteIsUnknownBeforeItsOnsetAndHeldUntilItsRelease) {
  LiveKeys keys;
  keys.note_on(1.0, 60, 100);
  const int key = 60 - 21;
  // Known at 1.2 s and still held: at the key bed from its onset to now.
  torch::Tensor d = keys.depth(0.5, 1024, 1024, 1.2);
  EXPECT_NEAR(d[static_cast<int64_t>(0.6 * 1024)][key].item<double>(), 1.0, 1e-3);  // 1.1 s
  EXPECT_EQ(d.narrow(1, 0, key).abs().max().item<double>(), 0.0) << "other keys stay up";
  // Asked about before it was played: not there.
  EXPECT_EQ(keys.depth(0.0, 1024, 1024, 0.9).abs().max().item<double>(), 0.0);
  keys.note_off(1.5, 60);
  d = keys.depth(1.0, 2048, 1024, 10);
  EXPECT_NEAR(d[static_cast<int64_t>(0.3 * 1024)][key].item<double>(), 1.0, 1e-3);  // 1.3 s: held
  EXPECT_LT(d[static_cast<int64_t>(1.5 * 1024)][key].item<double>(), 0.05);         // 2.5 s: up again
}

TEST(StreamPredictor, KeysModelReadsTheNotesKnownSoFar) {
  torch::manual_seed(8);
  EmgModel net = make_model(small_config(Modality::kPoseAndKeys));
  const MidiFile midi = read_midi(std::string(PIANOKPM_FIXTURES) + "/midi/04-FrereJacques.mid");
  const LiveKeys keys(midi);
  const torch::Tensor kp = moving_hand(180, 60);
  StreamOptions o;
  o.hop_s = 1.0;
  StreamPredictor sp(net, o, key_source(keys));
  const torch::Tensor streamed = stream_all(sp, kp, 60);
  MidiKeystrokeOptions mo;
  const torch::Tensor all_keys = midi_to_key_depth(midi, mo).narrow(0, 0, 3072);
  // Each window ends at the newest frame, so every note of the window has begun by then, except
  // those whose descent has started but whose onset (key bed) comes after: compare windows whose
  // rendered keys agree, and require at least one.
  const torch::Tensor want = offline(net, kp, 60, all_keys);
  int compared = 0;
  for (int w = 0; w < 3; ++w) {
    const torch::Tensor known = keys.depth(w, 1024, 1024, w + 59.0 / 60);
    if (testing::max_abs_diff(known, all_keys.narrow(0, w * 1024, 1024)) > 1e-6) continue;
    EXPECT_LE(testing::max_abs_diff(streamed.narrow(0, w * 1024, 1024), want.narrow(0, w * 1024, 1024)), 1e-5) << w;
    ++compared;
  }
  EXPECT_GE(compared, 1);
}

}  // namespace
}  // namespace pianokpm::live
