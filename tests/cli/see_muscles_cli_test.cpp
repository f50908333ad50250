// render, analyze, report and plot on EMG outside any corpus (as predict writes it), and their
// answers to bad input: one line naming the file, exit code 2, no output left behind.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "io/array_file.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::run_cli;
using testing::ScratchDir;

// A 12-s synthetic performance in `dir`/corpus; its EMG as the CSV predict writes (header ADM,...).
std::string synthetic_emg_csv(const ScratchDir& dir) {
  const auto r = run_cli("synth --out " + (dir / "corpus") + " --pianists 1 --tasks 1 --takes 1 --seconds 12 --seed 3");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string path = dir / "emg.csv";
  write_array(path, read_array(dir / "corpus/emg_data/t1_p1_1.pkl").to(torch::kFloat), {"ADM", "PB", "1DI", "2DI", "3DI", "4DI"});
  return path;
}

std::string grey_video(const ScratchDir& dir, int frames) {
  const std::string path = dir / "grey.avi";
  cv::VideoWriter w(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30, cv::Size(320, 240));
  const cv::Mat frame(240, 320, CV_8UC3, cv::Scalar(128, 128, 128));
  for (int i = 0; i < frames; ++i) w.write(frame);
  return path;
}

size_t files_in(const ScratchDir& dir) {
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir.path()), {}));
}

void expect_input_error(const testing::CommandResult& r, const std::string& names) {
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("error: " + names), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

TEST(SeeMusclesCli, AnalyzeReportPlotRenderOnAPredictionCsv) {
  ScratchDir dir;
  const std::string emg = synthetic_emg_csv(dir);
  const std::string perf = dir / "corpus";
  const std::string keys = perf + "/keystroke_data/t1_p1_1.pkl";
  auto r = run_cli("analyze --emg " + emg + " --keys " + keys + " --out " + (dir / "a.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto a = nlohmann::json::parse(testing::read_bytes(dir / "a.json"));
  EXPECT_EQ(a.at("muscles").size(), 6u);
  EXPECT_GT(a.at("keystrokes").at("count").get<int>(), 10);
  EXPECT_GT(a.at("muscles")[1].at("burst_count").get<int>(), 3);

  r = run_cli("report --emg " + emg + " --keys " + keys + " --out " + (dir / "r.html"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string html = testing::read_bytes(dir / "r.html");
  EXPECT_NE(html.find("abductor digiti minimi"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);

  r = run_cli("plot --emg " + emg + " --keys " + keys + " --from 2 --seconds 4 --out " + (dir / "p.png"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const cv::Mat png = cv::imread(dir / "p.png");
  ASSERT_FALSE(png.empty());
  cv::Scalar mean, sd;
  cv::meanStdDev(png, mean, sd);
  EXPECT_GT(sd[0] + sd[1] + sd[2], 10.0) << "plot is blank";

  r = run_cli("render --emg " + emg + " --pose " + perf + "/hand_data/keyp_top/t1_p1_1.pkl --out " + (dir / "o.mp4"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  cv::VideoCapture v(dir / "o.mp4");
  const auto pose_frames = read_array(perf + "/hand_data/keyp_top/t1_p1_1.pkl").size(0);
  EXPECT_EQ(static_cast<int64_t>(v.get(cv::CAP_PROP_FRAME_COUNT)), pose_frames);
  EXPECT_NEAR(v.get(cv::CAP_PROP_FPS), 60.0, 1e-6);
}

TEST(SeeMusclesCli, WrongChannelsAndNaN) {
  ScratchDir dir;
  write_array(dir / "five.npy", torch::rand({2048, 5}));
  expect_input_error(run_cli("analyze --emg " + (dir / "five.npy") + " --out " + (dir / "a.json")), dir / "five.npy");
  expect_input_error(run_cli("report --emg " + (dir / "five.npy") + " --out " + (dir / "r.html")), dir / "five.npy");
  testing::write_bytes(dir / "nan.csv", "ADM,PB,1DI,2DI,3DI,4DI\n0.1,0.2,0.3,0.4,0.5,0.6\n0.1,nan,0.3,0.4,0.5,0.6\n");
  expect_input_error(run_cli("analyze --emg " + (dir / "nan.csv") + " --out " + (dir / "a.json")), dir / "nan.csv");
  testing::write_bytes(dir / "short.csv", "ADM,PB,1DI\n0.1,0.2,0.3\n");
  expect_input_error(run_cli("report --emg " + (dir / "short.csv") + " --out " + (dir / "r.html")), dir / "short.csv");
  // Per-finger attribution needs the keyboard's place in the image.
  write_array(dir / "six.npy", torch::rand({2048, 6}));
  write_array(dir / "keys.npy", torch::zeros({2048, 88}));
  write_array(dir / "pose.npy", torch::rand({120, 21, 3}));
  expect_input_error(run_cli("analyze --emg " + (dir / "six.npy") + " --keys " + (dir / "keys.npy") + " --pose " +
                             (dir / "pose.npy") + " --out " + (dir / "a.json")),
                     "--keyboard");
  EXPECT_EQ(files_in(dir), 6u) << "only the inputs";
}

TEST(SeeMusclesCli, VideoProblems) {
  ScratchDir dir;
  const std::string video = grey_video(dir, 60);  // 2 s
  write_array(dir / "long.npy", torch::rand({10 * 1024, 6}));
  write_array(dir / "hand.npy", torch::rand({60, 21, 3}) * 200);
  // 10 s of EMG for a 2-s video.
  expect_input_error(run_cli("render --emg " + (dir / "long.npy") + " --video " + video + " --pose " + (dir / "hand.npy") +
                             " --pose-rate 30 --out " + (dir / "o.mp4")),
                     dir / "long.npy");
  testing::write_bytes(dir / "broken.mp4", "this is not a video");
  expect_input_error(
      run_cli("render --emg " + (dir / "long.npy") + " --video " + (dir / "broken.mp4") + " --out " + (dir / "o.mp4")),
      dir / "broken.mp4");
  // No hand anywhere: an error that names the fix, not a file of zeros.
  write_array(dir / "two.npy", torch::rand({2048, 6}));
  const auto r = run_cli("render --emg " + (dir / "two.npy") + " --video " + video + " --out " + (dir / "o.mp4"));
  expect_input_error(r, video);
  EXPECT_NE(r.output.find("--hand"), std::string::npos) << r.output;
  EXPECT_EQ(files_in(dir), 5u) << "only the inputs";
}

TEST(SeeMusclesCli, OneCameraOutOfTheBox) {
  ScratchDir dir;
  synthetic_emg_csv(dir);
  // Top-camera keypoints alone, no --model: the shipped one-camera, pose-only model.
  auto r = run_cli("predict --pose-top " + (dir / "corpus/hand_data/keyp_top/t1_p1_1.pkl") + " --out " + (dir / "e.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("synthetic_any_camera.pt"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("trained on synthetic data"), std::string::npos) << r.output;
  const torch::Tensor emg = read_array(dir / "corpus/emg_data/t1_p1_1.pkl");
  r = run_cli("analyze --emg " + (dir / "e.csv") + " --out " + (dir / "a.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto a = nlohmann::json::parse(testing::read_bytes(dir / "a.json"));
  EXPECT_NEAR(a.at("emg").at("samples").get<double>(), static_cast<double>(emg.size(0)), 1024.0 / 60 + 1);
  // A video of a real hand (12 s at 30 fps), nothing else: EMG for its whole length.
  const std::string video = testing::fixture("../../assets/demo/hand_moving.mp4");
  r = run_cli("predict --video-top " + video + " --hand any --pose-model lite --out " + (dir / "v.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_cli("analyze --emg " + (dir / "v.csv") + " --out " + (dir / "v.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(nlohmann::json::parse(testing::read_bytes(dir / "v.json")).at("emg").at("duration_s").get<double>(), 12.0, 0.1);
}

}  // namespace
}  // namespace pianokpm
