// The recorder appends (io/growing_pickle.h) at each checkpoint: what it leaves must equal what
// rewriting the whole session at the end gave, row for row.
#include "live/recorder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "io/array_file.h"
#include "test_support.h"

namespace pianokpm::live {
namespace {

TEST(Recorder, AppendedCheckpointsEqualTheWholeSessionResampledAtTheEnd) {
  testing::ScratchDir dir;
  RecorderOptions o;
  o.dir = dir / "rec";
  o.name = "take";
  o.checkpoint_s = 0.01;  // many checkpoints, each landing between frames
  Recorder recorder(o);
  SourceInfo source;
  source.fps = 30;
  recorder.on_start(source);

  std::mt19937 rng(7);
  std::uniform_real_distribution<float> pixel(0, 640), jitter(-0.004f, 0.004f);
  pose::PoseTrack track;   // what was tracked, for the reference
  std::vector<float> emg;  // rows the recorder should hold, with its zeros where rows were skipped
  int64_t sample = 0;
  const cv::Mat image(48, 64, CV_8UC3, cv::Scalar(90, 90, 90));
  for (int i = 0; i < 150; ++i) {
    TrackedFrame f;
    f.index = i;
    f.media_time_s = i / 30.0 + jitter(rng);  // a camera's uneven timing
    f.bgr = image;
    FollowedHand hand;
    hand.found = i % 40 < 35;  // the hand is lost now and then
    for (size_t k = 0; k < hand.keypoints.size(); ++k) hand.keypoints[k] = hand.found ? pixel(rng) : 0.f;
    f.hands.push_back(hand);
    track.add(f.media_time_s, hand.keypoints);
    recorder.on_frame(f);

    EmgRows rows;
    rows.chunk.first_sample = sample + (i == 70 ? 100 : 0);  // the model skipped 100 rows once
    if (i == 70) emg.insert(emg.end(), 100 * 6, 0.f);
    const torch::Tensor chunk = torch::rand({34, 6});
    rows.chunk.emg = chunk;
    emg.insert(emg.end(), chunk.data_ptr<float>(), chunk.data_ptr<float>() + chunk.numel());
    sample = rows.chunk.first_sample + 34;
    recorder.on_emg(rows, {});
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  recorder.on_end({});

  const torch::Tensor keypoints = read_array(dir / "rec/hand_data/keyp_top/take.pkl");
  const torch::Tensor expected = pose::resample(track, 60).to_tensor();
  ASSERT_EQ(keypoints.sizes(), expected.sizes());
  EXPECT_TRUE(torch::equal(keypoints, expected));
  const torch::Tensor recorded = read_array(dir / "rec/emg_estimated/take.pkl");
  ASSERT_EQ(recorded.size(0), static_cast<int64_t>(emg.size() / 6));
  EXPECT_TRUE(torch::equal(recorded, torch::from_blob(emg.data(), {recorded.size(0), 6}, torch::kFloat32)));
}

}  // namespace
}  // namespace pianokpm::live
