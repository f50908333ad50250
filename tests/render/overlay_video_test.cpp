// The overlay video read back frame by frame: frame count, rate and size as the source's, and a
// muscle's colour follows a constructed activation. Bad input leaves nothing behind.
#include "render/overlay_video.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <cmath>
#include <filesystem>

#include "core/input_error.h"
#include "render/test_hand.h"
#include "test_support.h"

namespace pianokpm::render {
namespace {

// 2 s of plain grey 320x240 frames at 30 fps.
std::string grey_video(const pianokpm::testing::ScratchDir& dir) {
  const std::string path = dir / "grey.avi";
  cv::VideoWriter w(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30, cv::Size(320, 240));
  EXPECT_TRUE(w.isOpened());
  const cv::Mat frame(240, 320, CV_8UC3, cv::Scalar(128, 128, 128));
  for (int i = 0; i < 60; ++i) w.write(frame);
  return path;
}

torch::Tensor still_hand(int64_t frames) {
  torch::Tensor k = torch::ones({frames, 21, 3});
  const HandPoints h = pianokpm::testing::test_hand();
  for (int i = 0; i < 21; ++i) {
    k.select(1, i).select(1, 0).fill_(h[i].x);
    k.select(1, i).select(1, 1).fill_(h[i].y);
  }
  return k;
}

// ADM fully active for the first second, at rest for the second; the others at 0.1.
torch::Tensor step_emg(double seconds) {
  const auto n = static_cast<int64_t>(seconds * 1024);
  torch::Tensor e = torch::full({n, 6}, 0.1f);
  e.select(1, 0).fill_(0.0f);
  e.select(1, 0).narrow(0, 0, 1024).fill_(1.0f);
  return e;
}

cv::Vec3b pixel_in_muscle(const cv::Mat& frame, const MuscleShape& s) {
  // Half way along the major axis, clear of the label at the centre.
  const int x = static_cast<int>(std::lround(s.center.x + 0.5 * s.semi_major * std::cos(s.angle_rad)));
  const int y = static_cast<int>(std::lround(s.center.y + 0.5 * s.semi_major * std::sin(s.angle_rad)));
  return frame.at<cv::Vec3b>(y, x);
}

TEST(OverlayVideo, FramesAndColourFollowActivation) {
  pianokpm::testing::ScratchDir dir;
  OverlayVideoInput in;
  in.video = grey_video(dir);
  in.keypoints = still_hand(60);
  in.emg = step_emg(2.0);
  const std::string out = dir / "overlay.mp4";
  const OverlayVideoResult r = render_overlay_video(in, OverlayVideoOptions{}, out);
  EXPECT_EQ(r.frames, 60);
  EXPECT_NEAR(r.activation_scale, 1.0, 1e-6);

  cv::VideoCapture back(out);
  ASSERT_TRUE(back.isOpened());
  EXPECT_NEAR(back.get(cv::CAP_PROP_FPS), 30.0, 1e-6);
  const MuscleShape adm = muscle_shapes(pianokpm::testing::test_hand())[0];
  std::vector<cv::Mat> frames;
  cv::Mat f;
  while (back.read(f)) frames.push_back(f.clone());
  ASSERT_EQ(frames.size(), 60u);
  EXPECT_EQ(frames[0].cols, 320);
  EXPECT_EQ(frames[0].rows, 240 + OverlayStyle{}.strip_height_for(240));
  // Active (t = 0.33 s): the map's pale yellow, 75 % over grey; at rest (t = 1.67 s): its dark violet.
  const cv::Vec3b on = pixel_in_muscle(frames[10], adm), off = pixel_in_muscle(frames[50], adm);
  EXPECT_GT(on[2], 180) << "red of the active muscle";
  EXPECT_GT(on[1], 180) << "green of the active muscle";
  EXPECT_LT(off[2], 90) << "red of the resting muscle";
  EXPECT_LT(off[1], 90) << "green of the resting muscle";
  // A muscle at a constant 0.1 (PB) looks the same in both halves.
  const MuscleShape pb = muscle_shapes(pianokpm::testing::test_hand())[1];
  const cv::Vec3b pb_on = pixel_in_muscle(frames[10], pb), pb_off = pixel_in_muscle(frames[50], pb);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(pb_on[c], pb_off[c], 12) << c;
}

TEST(OverlayVideo, KeypointsAloneOnAPlainBackground) {
  pianokpm::testing::ScratchDir dir;
  OverlayVideoInput in;
  in.keypoints = still_hand(120);  // 2 s at 60 fps
  in.keypoints_rate_hz = 60;
  in.emg = step_emg(2.0);
  const OverlayVideoResult r = render_overlay_video(in, OverlayVideoOptions{}, dir / "plain.avi");
  EXPECT_EQ(r.frames, 120);
  cv::VideoCapture back(dir / "plain.avi");
  int64_t n = 0;
  cv::Mat f;
  while (back.read(f)) ++n;
  EXPECT_EQ(n, 120);
}

bool folder_is_empty_but(const std::filesystem::path& dir, const std::string& keep) {
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename() != keep) return false;
  return true;
}

TEST(OverlayVideo, BadInputLeavesNothing) {
  pianokpm::testing::ScratchDir dir;
  OverlayVideoInput in;
  in.video = grey_video(dir);
  in.keypoints = still_hand(60);
  in.emg = step_emg(5.0);  // 5 s of EMG for 2 s of video
  EXPECT_THROW(render_overlay_video(in, OverlayVideoOptions{}, dir / "out.mp4"), InputError);
  in.emg = torch::zeros({2048, 5});
  EXPECT_THROW(render_overlay_video(in, OverlayVideoOptions{}, dir / "out.mp4"), InputError);
  in.emg = step_emg(2.0);
  in.video = dir / "missing.mp4";
  EXPECT_THROW(render_overlay_video(in, OverlayVideoOptions{}, dir / "out.mp4"), InputError);
  // Interrupted half way (here by the progress callback): the partial video is removed.
  in.video = grey_video(dir);
  EXPECT_THROW(render_overlay_video(in, OverlayVideoOptions{}, dir / "out.mp4",
                                    [](int64_t done, int64_t) {
                                      if (done == 5) throw std::runtime_error("stop");
                                    }),
               std::runtime_error);
  EXPECT_TRUE(folder_is_empty_but(dir.path(), "grey.avi"));
}

}  // namespace
}  // namespace pianokpm::render
