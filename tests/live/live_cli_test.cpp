// pianokpm live end to end on 127.0.0.1: a fixture video streamed over HTTP by Debian's ffmpeg,
// read live, compared with offline `pose` on the same frames; rows as NDJSON and over OSC; the
// recording; and the faults: a server killed mid-way, a run of corrupt packets, a camera or file
// that does not exist, a kill -9 while recording.
#include <arpa/inet.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/videoio.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "io/array_file.h"
#include "io/signal_recording.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::run_cli;
using testing::ScratchDir;

const std::string kDemo = std::string(PIANOKPM_FIXTURES) + "/../../assets/demo/hand_moving.mp4";

bool have_ffmpeg() { return std::system("ffmpeg -version >/dev/null 2>&1") == 0; }

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t n = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Serves `file` once over HTTP at real-time pace (ffmpeg -re, packets copied, not re-encoded),
// in the background; its pid goes to `pid_file`.
std::string serve_with_ffmpeg(const std::string& file, int port, const std::string& pid_file) {
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const std::string cmd = "ffmpeg -nostdin -loglevel quiet -re -i " + file + " -c copy -f mpegts -listen 1 " + url +
                          " >/dev/null 2>&1 & echo $! > " + pid_file;
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // until it listens
  return url;
}

std::string clip(const ScratchDir& dir, double seconds) {
  const std::string path = dir / "clip.mp4";
  const std::string cmd =
      "ffmpeg -nostdin -loglevel error -y -i " + kDemo + " -t " + std::to_string(seconds) + " -c copy " + path;
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return path;
}

std::vector<nlohmann::json> ndjson_lines(const std::string& path) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

void expect_monotone_finite_rows(const std::vector<nlohmann::json>& rows) {
  ASSERT_FALSE(rows.empty());
  double previous = -1;
  for (const auto& r : rows) {
    const double t = r.at("time_s").get<double>();
    ASSERT_GT(t, previous);
    previous = t;
    EXPECT_GE(r.at("latency_ms").get<double>(), 0.0);
    ASSERT_EQ(r.at("emg").size(), 6u);
    for (const auto& [muscle, v] : r.at("emg").items()) ASSERT_TRUE(std::isfinite(v.get<double>())) << muscle;
  }
}

struct OscCount {
  std::atomic<int> emg{0};
  std::atomic<int> status{0};
};

int count_osc(const char* path, const char*, lo_arg**, int, lo_message, void* user) {
  auto* c = static_cast<OscCount*>(user);
  if (std::string(path) == "/pianokpm/emg") ++c->emg;
  if (std::string(path) == "/pianokpm/status") ++c->status;
  return 0;
}

TEST(LiveCli, StreamOverHttpMatchesOfflinePoseAndReachesTextOscAndTheRecording) {
  if (!have_ffmpeg()) GTEST_SKIP() << "no ffmpeg (apt-get install ffmpeg)";
  ScratchDir dir;
  const std::string video = clip(dir, 4);
  int clip_frames = 0;
  {
    cv::VideoCapture v(video);
    for (cv::Mat f; v.read(f);) ++clip_frames;
  }
  ASSERT_GE(clip_frames, 115);
  auto r = run_cli("pose --video " + video + " --hand any --max-hands 1 --out " + (dir / "offline.npy"));
  ASSERT_EQ(r.exit_code, 0) << r.output;

  OscCount osc;
  lo_server_thread receiver = lo_server_thread_new_with_proto(nullptr, LO_UDP, nullptr);
  ASSERT_NE(receiver, nullptr);
  lo_server_thread_add_method(receiver, nullptr, nullptr, count_osc, &osc);
  lo_server_thread_start(receiver);
  const std::string url = serve_with_ffmpeg(video, free_port(), dir / "ffmpeg.pid");
  // A queue long enough that no frame is dropped even on a loaded machine: the comparison is
  // frame by frame.
  r = run_cli("live --source " + url + " --hand any --queue 1000 --format ndjson --out " + (dir / "rows.ndjson") +
              " --osc 127.0.0.1:" + std::to_string(lo_server_thread_get_port(receiver)) + " --record " + (dir / "rec") +
              " --stats " + (dir / "stats.json"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  lo_server_thread_stop(receiver);
  lo_server_thread_free(receiver);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("the source ended"), std::string::npos) << r.output;

  const auto stats = nlohmann::json::parse(testing::read_bytes(dir / "stats.json"));
  EXPECT_EQ(stats.at("frames_read").get<int>(), clip_frames);
  EXPECT_EQ(stats.at("frames_dropped").get<int>(), 0);
  EXPECT_GT(stats.at("frames_with_hand").get<int>(), clip_frames - 10);

  // Keypoints: the recording's 60-Hz track equals offline pose on the same frames.
  const auto session = nlohmann::json::parse(testing::read_bytes(dir / "rec/session.json"));
  EXPECT_TRUE(session.at("complete").get<bool>());
  const std::string name = session.at("name");
  const torch::Tensor live_kp = read_array(dir / ("rec/hand_data/keyp_top/" + name + ".pkl"));
  const torch::Tensor offline_kp = read_array(dir / "offline.npy");
  ASSERT_EQ(live_kp.sizes(), offline_kp.sizes());
  EXPECT_LE(testing::max_abs_diff(live_kp.narrow(2, 0, 2), offline_kp.narrow(2, 0, 2)), 1e-3 * 640);

  // Rows: every 1/1024 s from 0 to the end of the last 60-Hz frame (1/60 s after it), finite,
  // with their latency.
  const auto rows = ndjson_lines(dir / "rows.ndjson");
  expect_monotone_finite_rows(rows);
  EXPECT_EQ(rows.front().at("time_s").get<double>(), 0.0);
  EXPECT_EQ(static_cast<int64_t>(rows.size()), stats.at("rows").get<int64_t>());
  EXPECT_NEAR(rows.back().at("time_s").get<double>(), (clip_frames - 1) / 30.0 + 1 / 60.0, 0.002);
  const torch::Tensor recorded = read_array(dir / ("rec/emg_estimated/" + name + ".pkl"));
  EXPECT_EQ(recorded.size(0), static_cast<int64_t>(rows.size()));
  EXPECT_NEAR(recorded[100][2].item<double>(), rows[100].at("emg").at("1DI").get<double>(), 1e-6);
  cv::VideoCapture recorded_video(dir / ("rec/video/" + name + ".mkv"));
  ASSERT_TRUE(recorded_video.isOpened());
  int frames = 0;
  for (cv::Mat f; recorded_video.read(f);) ++frames;
  EXPECT_EQ(frames, clip_frames);

  // OSC: up to 60 rows a second and a status per model run (a loaded machine runs fewer, jumping
  // to the newest hop).
  EXPECT_GE(osc.emg.load(), 100);
  EXPECT_GE(osc.status.load(), 10);
}

TEST(LiveCli, AServerKilledMidWayEndsTheSessionCleanly) {
  if (!have_ffmpeg()) GTEST_SKIP() << "no ffmpeg";
  ScratchDir dir;
  const std::string url = serve_with_ffmpeg(kDemo, free_port(), dir / "ffmpeg.pid");
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(3500));
    std::system(("kill -9 $(cat " + (dir / "ffmpeg.pid") + ")").c_str());
  });
  const auto r = run_cli("live --source " + url + " --hand any --format ndjson --out " + (dir / "rows.ndjson") + " --record " +
                         (dir / "rec") + " --bids " + (dir / "bids"));
  killer.join();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("the source ended"), std::string::npos) << r.output;
  const auto rows = ndjson_lines(dir / "rows.ndjson");
  expect_monotone_finite_rows(rows);
  EXPECT_LT(rows.back().at("time_s").get<double>(), 11.0) << "the stream was cut before its end";
  const auto session = nlohmann::json::parse(testing::read_bytes(dir / "rec/session.json"));
  EXPECT_TRUE(session.at("complete").get<bool>());
  EXPECT_EQ(session.at("emg_rows").get<size_t>(), rows.size());
  // --bids: the recording's EMG as BIDS-EMG, read back through libbiosig: every recorded row.
  if (!have_biosig()) return;
  const std::string name = session.at("name");
  const torch::Tensor emg = read_array(dir / ("rec/emg_estimated/" + name + ".pkl"));
  const SignalRecording edf = read_signals(dir / "bids/sub-01/emg/sub-01_task-piano_desc-estimated_emg.edf", {});
  ASSERT_EQ(edf.channels.size(), 6u);
  EXPECT_EQ(edf.channels[0].label, "ADM");
  EXPECT_DOUBLE_EQ(edf.channels[0].rate_hz, 1024);
  ASSERT_GE(edf.channels[0].samples.size(), static_cast<size_t>(emg.size(0)));
  for (int c = 0; c < 6; ++c) {
    const torch::Tensor col = emg.select(1, c).to(torch::kDouble);
    const double step = (col.max().item<double>() - col.min().item<double>()) / 65535;
    for (int64_t i = 0; i < emg.size(0); i += 97) ASSERT_NEAR(edf.channels[c].samples[i], col[i].item<double>(), step + 1e-7);
  }
}

TEST(LiveCli, ARunOfCorruptPacketsIsSurvived) {
  if (!have_ffmpeg()) GTEST_SKIP() << "no ffmpeg";
  ScratchDir dir;
  const std::string ts = dir / "clip.ts";
  ASSERT_EQ(std::system(("ffmpeg -nostdin -loglevel error -y -i " + clip(dir, 6) + " -c copy -f mpegts " + ts).c_str()), 0);
  std::string bytes = testing::read_bytes(ts);
  ASSERT_GT(bytes.size(), 50000u);
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + bytes.size() / 10; ++i)
    bytes[i] = static_cast<char>((i * 2654435761u) >> 13);
  testing::write_bytes(ts, bytes);
  const std::string url = serve_with_ffmpeg(ts, free_port(), dir / "ffmpeg.pid");
  const auto r = run_cli("live --source " + url + " --hand any --queue 1000 --format ndjson --out " + (dir / "rows.ndjson"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const auto rows = ndjson_lines(dir / "rows.ndjson");
  expect_monotone_finite_rows(rows);
  EXPECT_GT(rows.back().at("time_s").get<double>(), 4.5) << "the session went on past the damage";
}

TEST(LiveCli, SourcesThatDoNotExistAndBadOptionsAreClearErrors) {
  ScratchDir dir;
  auto r = run_cli("live --source /dev/video99 --out " + (dir / "rows.csv"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("error: /dev/video99: no such camera device"), std::string::npos) << r.output;
  r = run_cli("live --source /dev/video99 --serve " + std::to_string(free_port()) + " --out " + (dir / "rows.csv"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output.find("live view:"), std::string::npos) << "no address printed for a source that never opened\n" << r.output;
  r = run_cli("live --source " + (dir / "missing.mp4"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("missing.mp4: no such video file"), std::string::npos) << r.output;
  r = run_cli("live --source http://127.0.0.1:" + std::to_string(free_port()) + "/nothing");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("the stream cannot be opened"), std::string::npos) << r.output;
  for (const std::string hop : {"0.013", "1/0", "1/x", "1/"}) {
    r = run_cli("live --source " + kDemo + " --hop " + hop);
    EXPECT_EQ(r.exit_code, 2) << hop << ": " << r.output;
    EXPECT_NE(r.output.find("--hop"), std::string::npos) << r.output;
  }
  r = run_cli("live --source " + kDemo + " --serve 127.0.0.1:notaport");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = run_cli("live --source " + kDemo + " --model " + std::string(PIANOKPM_FIXTURES) +
              "/../../assets/models/synthetic_pianokpm.pt");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("one camera"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "rows.csv")) << "nothing written for a source that does not exist";
}

TEST(LiveCli, AKillWhileRecordingLeavesAReadableRecording) {
  ScratchDir dir;
  const std::string cmd = std::string(PIANOKPM_BIN) + " live --source " + kDemo + " --realtime --hand any --out " +
                          (dir / "rows.csv") + " --record " + (dir / "rec") +
                          " >/dev/null 2>&1 & pid=$!; sleep 10; kill -9 $pid; wait $pid 2>/dev/null; true";
  ASSERT_EQ(std::system(("bash -c '" + cmd + "'").c_str()), 0);
  const auto session = nlohmann::json::parse(testing::read_bytes(dir / "rec/session.json"));
  EXPECT_FALSE(session.at("complete").get<bool>());
  const std::string name = session.at("name");
  const torch::Tensor kp = read_array(dir / ("rec/hand_data/keyp_top/" + name + ".pkl"));
  EXPECT_EQ(kp.size(1), 21);
  EXPECT_GT(kp.size(0), 60) << "the second checkpoint's keypoints (1 s and 6 s after the source opened)";
  const torch::Tensor emg = read_array(dir / ("rec/emg_estimated/" + name + ".pkl"));
  EXPECT_EQ(emg.size(1), 6);
  cv::VideoCapture video(dir / ("rec/video/" + name + ".mkv"));
  ASSERT_TRUE(video.isOpened());
  int frames = 0;
  for (cv::Mat f; video.read(f);) ++frames;
  EXPECT_GT(frames, 60) << "the video up to the kill";
  // The text output up to the kill: whole lines, the last possibly cut.
  std::ifstream rows(dir / "rows.csv");
  std::string header;
  std::getline(rows, header);
  EXPECT_EQ(header, "time_s,latency_ms,ADM,PB,1DI,2DI,3DI,4DI");
}

// --hand both: the left and the right hand each with its own stream, every row of each in time
// order with its hand named; the recording and the view (one hand each) refuse it.
TEST(LiveCli, BothHandsGiveTwoStreamsEachWithEveryRow) {
  if (!have_ffmpeg()) GTEST_SKIP() << "no ffmpeg";
  ScratchDir dir;
  const std::string video = clip(dir, 3);
  // a hop written as a fraction: every 3 frames of the 60-Hz timeline
  auto r = run_cli("live --source " + video + " --hand both --hop 1/20 --out " + (dir / "rows.csv") + " --stats " +
                   (dir / "stats.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(dir / "rows.csv");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "time_s,latency_ms,hand,ADM,PB,1DI,2DI,3DI,4DI");
  std::map<std::string, std::vector<double>> times;
  std::map<std::string, double> lowest, highest;
  int64_t lines = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string field; std::getline(ss, field, ',');) f.push_back(field);
    ASSERT_EQ(f.size(), 9u) << line;
    times[f[2]].push_back(std::stod(f[0]));
    for (size_t c = 3; c < 9; ++c) {
      const double v = std::stod(f[c]);
      ASSERT_TRUE(std::isfinite(v)) << line;
      lowest.try_emplace(f[2], v).first->second = std::min(lowest[f[2]], v);
      highest.try_emplace(f[2], v).first->second = std::max(highest[f[2]], v);
    }
    ++lines;
  }
  ASSERT_EQ(times.size(), 2u);
  ASSERT_TRUE(times.count("left") && times.count("right"));
  for (const auto& [hand, t] : times) {
    ASSERT_GT(t.size(), 2000u) << hand;
    for (size_t i = 0; i < t.size(); ++i) ASSERT_NEAR(t[i], static_cast<double>(i) / 1024, 1e-6) << hand << " row " << i;
  }
  EXPECT_EQ(times["left"].size(), times["right"].size());
  const auto stats = nlohmann::json::parse(testing::read_bytes(dir / "stats.json"));
  EXPECT_EQ(stats.at("rows").get<int64_t>(), lines);
  EXPECT_GT(stats.at("frames_with_hand").get<int>(), 0);
  EXPECT_DOUBLE_EQ(stats.at("hop_s").get<double>(), 0.05);
  // the clip's hand moves: whichever stream follows it is not flat
  EXPECT_GT(std::max(highest["left"] - lowest["left"], highest["right"] - lowest["right"]), 1e-3);

  for (const std::string& refused :
       std::vector<std::string>{" --record " + (dir / "rec"), " --serve " + std::to_string(free_port())}) {
    r = run_cli("live --source " + video + " --hand both" + refused);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("error: --hand both:"), std::string::npos) << r.output;
  }
}

// Keystrokes from a MIDI file played in time reach the keys model and the recording; a MIDI
// port that is not there is a clear error.
TEST(LiveCli, MidiFileKeystrokesReachTheKeysModelAndTheRecording) {
  if (!have_ffmpeg()) GTEST_SKIP() << "no ffmpeg";
  ScratchDir dir;
  const std::string midi = std::string(PIANOKPM_FIXTURES) + "/midi/04-FrereJacques.mid";
  auto r = run_cli("live --source " + clip(dir, 4) + " --hand any --midi-file " + midi + " --format ndjson --out " +
                   (dir / "rows.ndjson") + " --record " + (dir / "rec"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("synthetic_any_camera_keys.pt"), std::string::npos) << "the keys model is the default with MIDI";
  expect_monotone_finite_rows(ndjson_lines(dir / "rows.ndjson"));
  const auto session = nlohmann::json::parse(testing::read_bytes(dir / "rec/session.json"));
  const std::string name = session.at("name");
  const torch::Tensor keys = read_array(dir / ("rec/keystroke_data/" + name + ".pkl"));
  EXPECT_EQ(keys.size(1), 88);
  EXPECT_EQ(keys.size(0), session.at("emg_rows").get<int64_t>());
  EXPECT_GT(keys.max().item<double>(), 0.9) << "keys pressed within the first seconds";

  r = run_cli("live --source " + kDemo + " --midi-in no-such-port-here");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("error: --midi-in no-such-port-here"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace pianokpm
