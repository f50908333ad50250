// Streaming inference against offline predict and against windows cut by hand.
#include "predict/stream_predictor.h"

#include <cmath>

#include "model/model_registry.h"
#include "model/pianokpm_net.h"
#include "model/pose_front_end.h"
#include "pose/pose_track.h"
#include "predict/stream_test_helpers.h"
#include "predict/window_familiarity.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using stream_testing::frame_of;
using stream_testing::kHeight;
using stream_testing::kWidth;
using stream_testing::moving_hand;
using stream_testing::offline;
using stream_testing::small_config;
using stream_testing::stream_all;

// The model's window of 60 frames ending at `end` cut from keypoints `kp` [frames, 21, 3] in
// pixels (frames before 0 are frame 0), in the model's units: [1, 42, 60].
torch::Tensor window_ending_at(const torch::Tensor& kp, const ModelConfig& c, int64_t end) {
  const torch::Tensor pose = kp.narrow(2, 0, 2).clone();
  pose.select(2, 0).mul_(1.0 / kWidth / c.pose.scale[0]);
  pose.select(2, 1).mul_(1.0 / kHeight / c.pose.scale[1]);
  std::vector<torch::Tensor> frames;
  for (int64_t f = end - 59; f <= end; ++f) frames.push_back(pose[std::max<int64_t>(f, 0)].reshape({42}));
  return torch::stack(frames, 1).unsqueeze(0);
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

// Each chunk of a 100 ms hop (whole windows) is the newest 6 frames' rows of the window ending at the newest frame,
// checked against windows cut from the keypoint array here.
TEST(StreamPredictor, EachHopEmitsTheNewestRowsOfTheWindowEndingAtTheNewestFrame) {
  torch::manual_seed(7);
  EmgModel net = make_model(small_config(Modality::kPoseOnly));
  const torch::Tensor kp = moving_hand(150, 60);
  StreamOptions o;
  o.hop_s = 0.1;
  o.incremental = false;
  StreamPredictor sp(net, o);
  std::vector<EmgChunk> chunks;
  const torch::Tensor streamed = stream_all(sp, kp, 60, &chunks);
  EXPECT_EQ(streamed.size(0), 150 * 1024 / 60);
  ASSERT_GE(chunks.size(), 20u);
  torch::NoGradGuard no_grad;
  net->eval();
  for (const EmgChunk& c : chunks) {
    const int64_t end = c.window_end_frame, start = end - 59;
    ASSERT_EQ(end % 6, 5) << "windows end every 6 frames (100 ms)";
    const torch::Tensor window = net->forward(window_ending_at(kp, net->config(), end), {})[0].t();  // [1024, 6]
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

// A model without decoder state (the linear read-out): incremental hops compute only the newest
// rows plus the encoder's receptive field, and give the whole windows' rows.
TEST(StreamPredictor, IncrementalHopsOfAStatelessModelEqualWholeWindows) {
  torch::manual_seed(11);
  const EmgModel net = make_model(small_config(Modality::kPoseOnly).with_architecture("linear_readout"));
  ASSERT_TRUE(net->streams());
  const torch::Tensor kp = moving_hand(150, 30);
  for (double hop : {0.1, 1.0 / 30}) {
    StreamOptions o;
    o.hop_s = hop;
    o.incremental = false;
    StreamPredictor whole(net, o);
    o.incremental = true;
    StreamPredictor incremental(net, o);
    ASSERT_TRUE(incremental.incremental());
    std::vector<EmgChunk> chunks;
    const torch::Tensor want = stream_all(whole, kp, 30), got = stream_all(incremental, kp, 30, &chunks);
    ASSERT_EQ(got.sizes(), want.sizes());
    EXPECT_LE(testing::max_abs_diff(got, want), 1e-5) << "hop " << hop;
    ASSERT_GE(chunks.size(), 30u);
    EXPECT_FALSE(chunks.front().incremental) << "the first hop starts cold, on the whole window";
    for (size_t i = 1; i < chunks.size(); ++i) EXPECT_TRUE(chunks[i].incremental) << "hop " << i;
  }
}

// PianoKPM Net streams: each hop after the first is the decoder continued from the last row emitted,
// over the whole window's features of the newest rows (windows cut from the keypoints here).
TEST(StreamPredictor, IncrementalHopsContinueTheDecoderFromTheLastRowOverTheWindowsFeatures) {
  torch::manual_seed(12);
  const EmgModel net = make_model(small_config(Modality::kPoseOnly));
  auto* pianokpm = dynamic_cast<PianoKpmNetImpl*>(net.get());
  ASSERT_NE(pianokpm, nullptr);
  const torch::Tensor kp = moving_hand(150, 60);
  StreamOptions o;
  o.hop_s = 0.05;
  StreamPredictor sp(net, o);
  std::vector<EmgChunk> chunks;
  stream_all(sp, kp, 60, &chunks);
  ASSERT_GE(chunks.size(), 40u);
  torch::NoGradGuard no_grad;
  torch::Tensor previous;
  for (const EmgChunk& c : chunks) {
    const torch::Tensor window_pose = window_ending_at(kp, net->config(), c.window_end_frame);
    const int64_t rows = c.emg.size(0);
    torch::Tensor want;
    if (!previous.defined()) {
      EXPECT_FALSE(c.incremental);
      want = net->forward(window_pose, {})[0].t().narrow(0, 1024 - rows, rows);
    } else {
      EXPECT_TRUE(c.incremental);
      const torch::Tensor features = net->encode(window_pose, {}).narrow(2, 1024 - rows, rows);
      want = pianokpm->decoder()->forward_from(features, previous)[0].t();
    }
    EXPECT_LE(testing::max_abs_diff(c.emg, want), 1e-5) << "rows from " << c.first_sample;
    if (rows > 0) previous = c.emg[rows - 1].unsqueeze(0);
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
    o.hop_s = 0.1;
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

// Recorded keystrokes (eval --stream-hop): every sample is known at any time, so one-window hops
// give offline predict's windows, keys included; outside the recording the keys are at rest.
TEST(StreamPredictor, RecordedKeysWithAOneSecondHopEqualOfflinePredict) {
  torch::manual_seed(10);
  EmgModel net = make_model(small_config(Modality::kPoseAndKeys));
  const torch::Tensor kp = moving_hand(180, 60);
  const torch::Tensor keys = torch::rand({3072, 88});
  StreamOptions o;
  o.hop_s = 1.0;
  StreamPredictor sp(net, o, recorded_keys(keys));
  const torch::Tensor streamed = stream_all(sp, kp, 60);
  const torch::Tensor want = offline(net, kp, 60, keys);
  ASSERT_EQ(streamed.size(0), 3072);
  ASSERT_EQ(want.size(0), 3072);
  EXPECT_LE(testing::max_abs_diff(streamed, want), 1e-5);
  const torch::Tensor around_start = recorded_keys(keys)(-1.0, 2048, 1024, 0.0);
  ASSERT_EQ(around_start.sizes(), (std::vector<int64_t>{2048, 88}));
  EXPECT_EQ(around_start.narrow(0, 0, 1024).abs().max().item<double>(), 0.0);
  EXPECT_EQ(testing::max_abs_diff(around_start.narrow(0, 1024, 1024), keys.narrow(0, 0, 1024)), 0.0);
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
}  // namespace pianokpm
