// pianokpm pose end to end: a photo, a video made from it (tracked, resampled to 60 Hz, overlay),
// a video with no hand, and broken input (one line naming the file, exit 2, no output).
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <filesystem>

#include "io/array_file.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::run_cli;

std::string photo() { return testing::fixture("hands/nocurl.jpg"); }

// A 30 fps MJPEG video: the photo sliding right by 4 px a frame (for 10 frames, then again), or noise when `with_hand` is false.
void write_video(const std::string& path, int frames, bool with_hand) {
  const cv::Mat image = cv::imread(photo());
  cv::VideoWriter video(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30, cv::Size(image.cols + 40, image.rows));
  ASSERT_TRUE(video.isOpened());
  for (int i = 0; i < frames; ++i) {
    cv::Mat frame;
    if (with_hand) {
      const int shift = 4 * (i % 11);  // back to the start after 10 moves
      cv::copyMakeBorder(image, frame, 0, 0, shift, 40 - shift, cv::BORDER_REPLICATE);
    } else {
      frame = cv::Mat(image.rows, image.cols + 40, CV_8UC3);
      cv::randu(frame, cv::Scalar::all(90), cv::Scalar::all(110));
    }
    video.write(frame);
  }
}

void expect_error(const std::string& args, const std::string& out, const std::string& fragment) {
  const auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(fragment), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out)) << out;
}

TEST(PoseCli, OnePhotoToCsv) {
  testing::ScratchDir dir;
  const auto r = run_cli("pose --video " + photo() + " --out " + dir / "k.csv" + " --hand any --overlay " + dir / "o.png");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string csv = testing::read_bytes(dir / "k.csv");
  EXPECT_EQ(csv.rfind("k0_x,k0_y,k0_confidence,k1_x", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2);  // header and one frame
  EXPECT_FALSE(cv::imread(dir / "o.png").empty());
}

TEST(PoseCli, VideoIsTrackedAndResampledTo60Hz) {
  testing::ScratchDir dir;
  write_video(dir / "v.avi", 10, true);
  const auto r = run_cli("pose --video " + dir / "v.avi" + " --out " + dir / "k.npy" + " --hand any --model lite --overlay " +
                         dir / "o.avi");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const torch::Tensor k = read_array(dir / "k.npy");
  ASSERT_EQ(k.sizes().vec(), (std::vector<int64_t>{19, 21, 3}));  // 10 frames at 30 fps: 0 .. 0.3 s at 60 Hz
  EXPECT_GT(k.select(2, 2).min().item<float>(), 0.5f);
  // The wrist follows the 36 px the photo moved.
  EXPECT_NEAR(k[18][0][0].item<float>() - k[0][0][0].item<float>(), 36.f, 8.f);
  cv::VideoCapture overlay(dir / "o.avi");
  ASSERT_TRUE(overlay.isOpened());
  EXPECT_EQ(static_cast<int>(overlay.get(cv::CAP_PROP_FRAME_COUNT)), 10);
  // --rate 0 keeps the source frames.
  ASSERT_EQ(
      run_cli("pose --video " + dir / "v.avi" + " --out " + dir / "raw.npy" + " --hand any --model lite --rate 0").exit_code, 0);
  EXPECT_EQ(read_array(dir / "raw.npy").size(0), 10);
}

TEST(PoseCli, ImageFolderAtAGivenRate) {
  testing::ScratchDir dir;
  std::filesystem::create_directories(dir / "frames");
  for (const char* name : {"b.jpg", "a.jpg", "c.jpg"}) std::filesystem::copy_file(photo(), dir / (std::string("frames/") + name));
  testing::write_bytes(dir / "frames/notes.txt", "not an image");
  const auto r = run_cli("pose --video " + dir / "frames" + " --fps 30 --out " + dir / "k.npy" + " --hand any --model lite");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_array(dir / "k.npy").size(0), 5);  // frames at 0, 1/30, 2/30 s -> 60 Hz: 0 .. 4/60
  std::filesystem::create_directories(dir / "empty");
  expect_error("pose --video " + dir / "empty" + " --fps 30 --out " + dir / "e.npy", dir / "e.npy", "holds no image files");
  expect_error("pose --video " + dir / "frames" + " --out " + dir / "e.npy", dir / "e.npy", "needs a frame rate");
}

TEST(PoseCli, VideoWithoutHandsGivesConfidenceZero) {
  testing::ScratchDir dir;
  write_video(dir / "v.avi", 4, false);
  const auto r = run_cli("pose --video " + dir / "v.avi" + " --out " + dir / "k.npy" + " --model lite --rate 0");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const torch::Tensor k = read_array(dir / "k.npy");
  ASSERT_EQ(k.size(0), 4);
  EXPECT_EQ(k.abs().max().item<float>(), 0.f);
}

TEST(PoseCli, TruncatedVideoEndsEarlyOrFailsCleanly) {
  testing::ScratchDir dir;
  write_video(dir / "v.avi", 10, true);
  const std::string bytes = testing::read_bytes(dir / "v.avi");
  for (double keep : {0.05, 0.4, 0.8}) {
    testing::write_bytes(dir / "cut.avi", bytes.substr(0, static_cast<size_t>(keep * static_cast<double>(bytes.size()))));
    std::filesystem::remove(dir / "k.npy");
    const auto r = run_cli("pose --video " + dir / "cut.avi" + " --out " + dir / "k.npy" + " --model lite --hand any --rate 0");
    if (r.exit_code == 0) {
      const auto frames = read_array(dir / "k.npy").size(0);
      EXPECT_GE(frames, 1);
      EXPECT_LE(frames, 10);
    } else {
      EXPECT_EQ(r.exit_code, 2) << "keep " << keep << ": " << r.output;
      EXPECT_NE(r.output.find("cut.avi"), std::string::npos) << r.output;
      EXPECT_FALSE(std::filesystem::exists(dir / "k.npy"));
    }
  }
}

TEST(PoseCli, PredictStraightFromOneVideo) {
  // A one-view, pose-only model trained for two steps on a tiny synthetic corpus, then predict
  // from a video: keypoints tracked, scaled to the model's units, EMG out.
  testing::ScratchDir dir;
  ASSERT_EQ(run_cli("synth --out " + dir / "c" + " --pianists 2 --tasks 2 --takes 1 --seconds 4 --seed 3").exit_code, 0);
  const auto t =
      run_cli("train --data " + dir / "c" + " --split " + dir / "c/dataset_architectural.json" + " --out " + dir / "run" +
              " --architecture neuropose --modality pose --views 1 --epochs 1 --max-batches 1 --batch 2");
  ASSERT_EQ(t.exit_code, 0) << t.output;
  write_video(dir / "v.avi", 30, true);  // 1 s at 30 fps
  const auto r = run_cli("predict --model " + dir / "run/best.pt" + " --video-top " + dir / "v.avi" +
                         " --hand any --pose-model lite --overlay " + dir / "o.avi" + " --out " + dir / "emg.npy");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const torch::Tensor emg = read_array(dir / "emg.npy");
  EXPECT_EQ(emg.size(1), 6);
  EXPECT_NEAR(static_cast<double>(emg.size(0)), 1024.0 * 59 / 60, 1024.0 / 60);  // 0 .. 29/30 s of pose at 60 Hz
  EXPECT_TRUE(torch::isfinite(emg).all().item<bool>());
  // The overlay is the muscle overlay: one frame per source frame.
  cv::VideoCapture overlay(dir / "o.avi");
  EXPECT_EQ(static_cast<int>(overlay.get(cv::CAP_PROP_FRAME_COUNT)), 30);
  // A video in which no hand is ever found is refused by name, with no output.
  write_video(dir / "empty.avi", 3, false);
  const auto none = run_cli("predict --model " + dir / "run/best.pt" + " --video-top " + dir / "empty.avi" +
                            " --pose-model lite --out " + dir / "e2.npy");
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_NE(none.output.find("empty.avi: no right hand was found"), std::string::npos) << none.output;
  EXPECT_NE(none.output.find("--hand left|right|any"), std::string::npos) << none.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "e2.npy"));
}

TEST(PoseCli, BadInputIsOneLineAndNoOutput) {
  testing::ScratchDir dir;
  testing::write_bytes(dir / "junk.mp4", std::string(5000, 'x'));
  expect_error("pose --video " + dir / "junk.mp4" + " --out " + dir / "k.npy", dir / "k.npy", "junk.mp4");
  expect_error("pose --video " + dir / "missing.mp4" + " --out " + dir / "k.npy", dir / "k.npy", "missing.mp4: no such file");
  testing::write_bytes(dir / "broken.jpg", std::string(100, '\xff'));
  expect_error("pose --video " + dir / "broken.jpg" + " --out " + dir / "k.npy", dir / "k.npy", "broken.jpg: cannot decode");
  expect_error("pose --video " + photo() + " --out " + dir / "k.npy" + " --models " + dir.path().string(), dir / "k.npy",
               "palm_detection_full.tflite");
  testing::write_bytes(dir / "palm_detection_lite.tflite", std::string(3000, '\0'));
  testing::write_bytes(dir / "hand_landmark_lite.tflite", std::string(3000, '\0'));
  expect_error("pose --video " + photo() + " --out " + dir / "k.npy" + " --model lite --models " + dir.path().string(),
               dir / "k.npy", "not a TFLite model");
  expect_error("pose --video " + photo() + " --out " + dir / "k.npy" + " --overlay " + dir / "o.mp4", dir / "k.npy",
               "must be an image file");
  expect_error("pose --video " + photo() + " --out " + dir / "k.txt", dir / "k.txt", "k.txt");
}

}  // namespace
}  // namespace pianokpm
