// Real MIDI through data/ gives the synthetic corpus's own keystroke stream: both go through the
// one key model (data/key_motion.h), so a model trained on the corpus reads MIDI as it read the corpus.
#include <cmath>

#include "data/key_motion.h"
#include "data/midi_keystrokes.h"
#include "io/midi_reader.h"
#include "io/midi_writer.h"
#include "synth/corpus.h"
#include "synth/keyboard.h"
#include "synth/muscle_model.h"
#include "test_support.h"

namespace pianokpm {
namespace {

// The largest distance, in samples, from a sample where `a` holds to the nearest where `b` does
// (n samples each): how far apart the two sets of instants lie. 0 when `a` holds nowhere.
template <typename A, typename B>
int64_t farthest_from(int64_t n, A a, B b) {
  const int64_t none = n + 1;  // farther than any two samples
  std::vector<int64_t> to_b(static_cast<size_t>(n));
  for (int64_t i = 0, last = -none; i < n; ++i) {
    if (b(i)) last = i;
    to_b[static_cast<size_t>(i)] = std::min(none, i - last);
  }
  int64_t worst = 0;
  for (int64_t i = n - 1, next = n + none; i >= 0; --i) {
    if (b(i)) next = i;
    if (a(i)) worst = std::max(worst, std::min(to_b[static_cast<size_t>(i)], next - i));
  }
  return worst;
}

TEST(MidiKeystrokes, ShapesKeyDepthLikeTheSyntheticCorpus) {
  // Each task's performance from the corpus generator, its notes written to MIDI as write_corpus
  // writes midi/NAME.mid and read back: the key depth from the MIDI is the corpus's keystroke
  // stream (synth/key_motion) up to the file's tick quantisation, key by key: the same peak, the
  // bed reached and left and the key moving at the same samples, and every sample within what a
  // shift of half a tick can change on the steepest descent (12 ms, key_descent_s(127)).
  synth::SynthOptions o;
  o.seconds = 5.0;
  const synth::Pianist pianist = synth::Pianist::sample(1, o.seed);
  const auto mvc = synth::mvc_reference(pianist, o.raw_emg_rate_hz, o.envelope, o.seed);
  for (int task = 1; task <= synth::kNumTasks; ++task) {
    const synth::Performance perf = synth::generate_performance(o, pianist, mvc, task, 1);
    SCOPED_TRACE(perf.name);
    ASSERT_FALSE(perf.score.notes.empty());
    std::vector<MidiNote> notes;
    for (const synth::Note& n : perf.score.notes)
      notes.push_back({n.key + synth::kMidiOffset, n.velocity, n.t_bed_s, n.t_release_s});
    const std::string bytes = serialize_midi(notes, perf.score.tempo_bpm);
    const MidiFile m = parse_midi(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), perf.name + ".mid");
    ASSERT_EQ(m.notes.size(), notes.size());
    MidiKeystrokeOptions mo;
    mo.rate_hz = o.keys_rate_hz;
    mo.duration_s = o.seconds;
    const int64_t rows = perf.keys.size(0);
    const torch::Tensor from_midi = midi_to_key_depth(m, mo);
    ASSERT_GE(from_midi.size(0), rows);
    const torch::Tensor corpus = perf.keys.t().contiguous(), midi = from_midi.narrow(0, 0, rows).t().contiguous();  // [88, N]

    const double half_tick_s = 0.5 * 60.0 / (perf.score.tempo_bpm * 480);
    const auto tolerance = static_cast<int64_t>(std::ceil(half_tick_s * o.keys_rate_hz)) + 1;  // samples
    EXPECT_LE((midi - corpus).abs().max().item<float>(), 2 * half_tick_s / key_descent_s(127) + 0.01);
    for (int key = 0; key < synth::kNumKeys; ++key) {
      const float* c = corpus[key].data_ptr<float>();
      const float* k = midi[key].data_ptr<float>();
      EXPECT_FLOAT_EQ(midi[key].max().item<float>(), corpus[key].max().item<float>()) << "key " << key;
      auto bed = [](const float* v) { return [v](int64_t i) { return v[i] >= 1.0f; }; };
      auto moving = [](const float* v) { return [v](int64_t i) { return v[i] > 0.0f; }; };
      EXPECT_LE(farthest_from(rows, bed(c), bed(k)), tolerance) << "key " << key << ": at the bed in the corpus only";
      EXPECT_LE(farthest_from(rows, bed(k), bed(c)), tolerance) << "key " << key << ": at the bed from the MIDI only";
      EXPECT_LE(farthest_from(rows, moving(c), moving(k)), tolerance) << "key " << key << ": moving in the corpus only";
      EXPECT_LE(farthest_from(rows, moving(k), moving(c)), tolerance) << "key " << key << ": moving from the MIDI only";
    }
  }
}

}  // namespace
}  // namespace pianokpm
