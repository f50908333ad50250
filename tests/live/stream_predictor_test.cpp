// Streaming inference against offline predict and against windows cut by hand.
#include <cmath>

#include "data/midi_keystrokes.h"
#include "data/performance.h"
#include "data/windowing.h"
#include "live/live_keys.h"
#include "model/model_registry.h"
#include "live/stream_predictor.h"
#include "predict/predictor.h"
#include "pose/pose_track.h"
#include "model/pose_front_end.h"
#include "predict/window_familiarity.h"
#include "test_support.h"

namespace pianokpm::live {
namespace {

constexpr int kWidth = 1280, kHeight = 720;

ModelConfig small_config(Modality modality) {
  ModelConfig c;
  c.modality = modality;
  c.num_views = 1;
  c.pose.scale = {1.0 / kWidth, 1.0 / kHeight};
  c.options = {{"hidden_channels", 16}, {"tds_channels", 4}, {"tds_width", 4}, {"decoder_hidden", 16}};
  return c;
}

// A hand moving smoothly: [frames, 21, 3] in pixels with confidence 1, frame k at k / fps.
torch::Tensor moving_hand(int64_t frames, double fps) {
  torch::Tensor kp = torch::empty({frames, 21, 3});
  auto a = kp.accessor<float, 3>();
  for (int64_t f = 0; f < frames; ++f) {
    const double t = static_cast<double>(f) / fps;
    for (int k = 0; k < 21; ++k) {
      a[f][k][0] = static_cast<float>(400 + 15 * k + 120 * std::sin(2.1 * t + 0.3 * k));
      a[f][k][1] = static_cast<float>(300 + 8 * k + 60 * std::cos(3.3 * t + 0.2 * k));
      a[f][k][2] = 1.0f;
    }
  }
  return kp;
}

std::array<float, 63> frame_of(const torch::Tensor& kp, int64_t f) {
  std::array<float, 63> out{};
  std::memcpy(out.data(), kp[f].contiguous().data_ptr<float>(), sizeof(out));
  return out;
}

// All rows a stream gives for `kp` at `fps`, stepping after every frame and flushing at the end.
torch::Tensor stream_all(StreamPredictor& sp, const torch::Tensor& kp, double fps, std::vector<EmgChunk>* chunks = nullptr) {
  std::vector<torch::Tensor> parts;
  int64_t next = 0;
  auto take = [&](std::optional<EmgChunk> c) {
    if (!c) return;
    EXPECT_EQ(c->first_sample, next) << "rows must follow on without gaps or repeats";
    for (size_t r = 0; r < c->times_s.size(); ++r)
      EXPECT_DOUBLE_EQ(c->times_s[r], static_cast<double>(c->first_sample + static_cast<int64_t>(r)) / 1024);
    next = c->first_sample + c->emg.size(0);
    parts.push_back(c->emg);
    if (chunks) chunks->push_back(*c);
  };
  for (int64_t f = 0; f < kp.size(0); ++f) {
    sp.add_frame(static_cast<double>(f) / fps, frame_of(kp, f), kWidth, kHeight);
    take(sp.step());
  }
  take(sp.step(true));
  return torch::cat(parts, 0);
}

// Offline predict on the same keypoints, resampled to 60 Hz as `pose` does.
torch::Tensor offline(EmgModel& net, const torch::Tensor& kp, double fps, const torch::Tensor& keys = {}) {
  pose::PoseTrack track;
  for (int64_t f = 0; f < kp.size(0); ++f) track.add(static_cast<double>(f) / fps, frame_of(kp, f));
  PerformanceStreams s;
  s.pose = pose::resample(track, 60).to_tensor().narrow(2, 0, 2).reshape({-1, 42}).contiguous();
  s.keys = keys;
  return predict_performance(net, PerformanceWindows(s, net->config()), {});
}

TEST(StreamPredictor, WithAOneSecondHopEqualsOfflinePredict) {
  torch::manual_seed(5);
  EmgModel net = make_model(small_config(Modality::kPoseOnly));
  const torch::Tensor kp = moving_hand(180, 60);  // 3 s at 60 fps: three whole windows
  StreamOptions o;
  o.hop_s = 1.0;
  StreamPredictor sp(net, o);
  const torch::Tensor streamed = stream_all(sp, kp, 60);
  const torch::Tensor want = offline(net, kp, 60);
  ASSERT_EQ(streamed.size(0), 3072);
  ASSERT_EQ(want.size(0), 3072);
  EXPECT_LE(testing::max_abs_diff(streamed, want), 1e-5);
  EXPECT_GT(want.std().item<double>(), 0.0);
}

TEST(StreamPredictor, ThirtyFpsFramesAreResampledLikeOffline) {
  torch::manual_seed(6);
  EmgModel net = make_model(small_config(Modality::kPoseOnly));
  const torch::Tensor kp = moving_hand(91, 30);  // 0 .. 3.0 s at 30 fps: 60 Hz frames 0..180
  StreamOptions o;
  o.hop_s = 1.0;
  StreamPredictor sp(net, o);
  const torch::Tensor streamed = stream_all(sp, kp, 30);
  const torch::Tensor want = offline(net, kp, 30);
  ASSERT_GE(streamed.size(0), 3072);
  EXPECT_LE(testing::max_abs_diff(streamed.narrow(0, 0, 3072), want.narrow(0, 0, 3072)), 1e-5);
}

TEST(StreamPredictor, EachHopScoresItsWindowsFamiliarityAsPredictDoes) {
  ModelConfig c = small_config(Modality::kPoseOnly);
  c.pose.scale = {1.0, 1.0};
  c.pose.frame = PoseFrame::kHand;
  // a reference from another moving hand: ten windows, half neighbours, half calibration
  const torch::Tensor other = moving_hand(600, 60).narrow(2, 0, 2).reshape({10, 60, 42}).permute({0, 2, 1}) * 1.3 + 7;
  const torch::Tensor d = window_descriptors(pose_features(c, other));
  FamiliarityFitOptions fit;
  fit.nearest = 1;
  c.familiarity = fit_familiarity(d.narrow(0, 0, 5), d.narrow(0, 5, 5), fit);
  torch::manual_seed(7);
  EmgModel net = make_model(c);
  const torch::Tensor kp = moving_hand(180, 60);
  StreamOptions o;
  o.hop_s = 1.0;
  StreamPredictor sp(net, o);
  std::vector<EmgChunk> chunks;
  stream_all(sp, kp, 60, &chunks);
  ASSERT_EQ(chunks.size(), 3u);
  pose::PoseTrack track;
  for (int64_t f = 0; f < kp.size(0); ++f) track.add(static_cast<double>(f) / 60, frame_of(kp, f));
  const auto offline_scores = window_familiarity(c, pose::resample(track, 60).to_tensor().narrow(2, 0, 2).reshape({-1, 42}));
  ASSERT_TRUE(offline_scores.has_value());
  for (size_t i = 0; i < 3; ++i)
    EXPECT_NEAR(chunks[i].familiarity, offline_scores->score[static_cast<int64_t>(i)].item<double>(), 1e-9);
  // a model without a reference gives none
  StreamPredictor plain(make_model(small_config(Modality::kPoseOnly)), o);
  std::vector<EmgChunk> plain_chunks;
  stream_all(plain, kp, 60, &plain_chunks);
  EXPECT_TRUE(std::isnan(plain_chunks.front().familiarity));
}

// Each chunk of a 100 ms hop is the newest 6 frames' rows of the window ending at the newest frame,
// checked against windows cut from the keypoint array here.
TEST(StreamPredictor, EachHopEmitsTheNewestRowsOfTheWindowEndingAtTheNewestFrame) {
  torch::manual_seed(7);
  EmgModel net = make_model(small_config(Modality::kPoseOnly));
  const torch::Tensor kp = moving_hand(150, 60);
  StreamOptions o;
  o.hop_s = 0.1;
  StreamPredictor sp(net, o);
  std::vector<EmgChunk> chunks;
  const torch::Tensor streamed = stream_all(sp, kp, 60, &chunks);
  EXPECT_EQ(streamed.size(0), 150 * 1024 / 60);
  ASSERT_GE(chunks.size(), 20u);
  torch::NoGradGuard no_grad;
  net->eval();
  const torch::Tensor pose = kp.narrow(2, 0, 2).clone();
  pose.select(2, 0).mul_(1.0 / kWidth / net->config().pose.scale[0]);
  pose.select(2, 1).mul_(1.0 / kHeight / net->config().pose.scale[1]);
  for (const EmgChunk& c : chunks) {
    const int64_t end = c.window_end_frame, start = end - 59;
    ASSERT_EQ(end % 6, 5) << "windows end every 6 frames (100 ms)";
    std::vector<torch::Tensor> frames;
    for (int64_t f = start; f <= end; ++f) frames.push_back(pose[std::max<int64_t>(f, 0)].reshape({42}));
    const torch::Tensor window = net->forward(torch::stack(frames, 1).unsqueeze(0), {})[0].t();  // [1024, 6]
    for (int64_t r = 0; r < c.emg.size(0); ++r) {
      const double pos = static_cast<double>(c.first_sample + r) - static_cast<double>(start) * 1024.0 / 60.0;
      const int64_t j = static_cast<int64_t>(std::floor(pos + 1e-6));
      ASSERT_GE(j, 0);
      ASSERT_LT(j, 1024);
      EXPECT_LE((c.emg[r] - window[j]).abs().max().item<double>(), 1e-5) << "row " << c.first_sample + r;
    }
    if (start >= 0) {
      EXPECT_GE(static_cast<double>(c.first_sample) - start * 1024.0 / 60.0, 1024 - 103 - 1);
    }
  }
}

// Three seconds of frames arrive before the model runs (a slow model): catching up runs every hop
// in order and leaves no row out; jumping ahead (live) gives the newest rows and counts the rest.
TEST(StreamPredictor, BehindByMoreThanAWindowCatchesUpOrCountsTheRowsLeftOut) {
  torch::manual_seed(9);
  EmgModel net = make_model(small_config(Modality::kPoseOnly));
  const torch::Tensor kp = moving_hand(180, 60);
  for (bool catch_up : {true, false}) {
    StreamOptions o;
    o.catch_up = catch_up;
    StreamPredictor sp(net, o);
    for (int64_t f = 0; f < kp.size(0); ++f) sp.add_frame(static_cast<double>(f) / 60, frame_of(kp, f), kWidth, kHeight);
    int64_t next = 0, runs = 0;
    while (auto c = sp.step(true)) {
      if (catch_up) {
        EXPECT_EQ(c->first_sample, next);
      }
      next = c->first_sample + c->emg.size(0);
      ++runs;
    }
    EXPECT_EQ(next, 3072);
    if (catch_up) {
      EXPECT_EQ(runs, 30) << "one run per 100-ms hop";
      EXPECT_EQ(sp.rows_skipped(), 0);
      EXPECT_EQ(sp.rows_emitted(), 3072);
    } else {
      EXPECT_EQ(runs, 1);
      EXPECT_EQ(sp.rows_emitted(), 1024) << "the newest window's rows";
      EXPECT_EQ(sp.rows_skipped(), 3072 - 1024);
    }
  }
}

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

TEST(StreamPredictor, RefusesTwoViewModelsHopsOffTheFrameGridAndTimeGoingBack) {
  ModelConfig two = small_config(Modality::kPoseOnly);
  two.num_views = 2;
  StreamOptions o;
  EXPECT_THROW(o.check(two), std::invalid_argument);
  const ModelConfig one = small_config(Modality::kPoseOnly);
  o.hop_s = 0.011;
  EXPECT_THROW(o.check(one), std::invalid_argument);
  o.hop_s = 1.5;
  EXPECT_THROW(o.check(one), std::invalid_argument);
  o.hop_s = 0.05;
  EXPECT_NO_THROW(o.check(one));
  EmgModel net = make_model(one);
  StreamPredictor sp(net, o);
  sp.add_frame(1.0, {}, kWidth, kHeight);
  EXPECT_THROW(sp.add_frame(0.5, {}, kWidth, kHeight), std::invalid_argument);
  EXPECT_THROW(StreamPredictor(make_model(small_config(Modality::kPoseAndKeys)), StreamOptions{}), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm::live
