// OSC rows received by a liblo server in the test: addresses, values, thinning to the rate.
#include <lo/lo.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "live/osc_output.h"
#include "test_support.h"

namespace pianokpm::live {
namespace {

struct Received {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::vector<float>>> messages;
  std::map<std::string, std::string> types;
};

int on_message(const char* path, const char* types, lo_arg** argv, int argc, lo_message, void* user) {
  auto* r = static_cast<Received*>(user);
  std::vector<float> values;
  for (int i = 0; i < argc; ++i)
    values.push_back(types[i] == 'f' ? argv[i]->f : types[i] == 'i' ? static_cast<float>(argv[i]->i) : NAN);
  std::lock_guard<std::mutex> lock(r->mutex);
  r->messages.emplace_back(path, values);
  r->types[path] = types;
  return 0;
}

// A liblo server on a free UDP port of 127.0.0.1 recording every message into `got`; null if none.
lo_server_thread start_receiver(Received& got) {
  lo_server_thread server = lo_server_thread_new_with_proto(nullptr, LO_UDP, nullptr);
  if (!server) return nullptr;
  lo_server_thread_add_method(server, nullptr, nullptr, on_message, &got);
  lo_server_thread_start(server);
  return server;
}

// Waits up to 1 s for `messages` messages (UDP on loopback), then stops and frees the server.
void stop_receiver_after(lo_server_thread server, Received& got, size_t messages) {
  for (int wait = 0; wait < 100; ++wait) {
    {
      std::lock_guard<std::mutex> lock(got.mutex);
      if (got.messages.size() >= messages) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  lo_server_thread_stop(server);
  lo_server_thread_free(server);
}

TEST(OscOutput, SendsEachThinnedRowToTheDocumentedAddresses) {
  Received got;
  lo_server_thread server = start_receiver(got);
  ASSERT_NE(server, nullptr);
  OscOptions o;
  o.port = std::to_string(lo_server_thread_get_port(server));
  o.rate_hz = 64;  // every 16th row of 1024 Hz
  OscOutput out(o);

  torch::manual_seed(2);
  EmgRows rows;
  rows.chunk.first_sample = 0;
  rows.chunk.emg = torch::rand({256, 6});
  for (int r = 0; r < 256; ++r) {
    rows.chunk.times_s.push_back(r / 1024.0);
    rows.latency_ms.push_back(80.f + static_cast<float>(r) / 10);
  }
  LiveStats stats;
  stats.media_time_s = 0.25;
  stats.fps = 29.5;
  stats.frames_dropped = 3;
  stats.frames_with_hand = 7;
  out.on_emg(rows, stats);
  stop_receiver_after(server, got, 16 * 7 + 1);  // the 16 bundles and the status

  EXPECT_EQ(out.bundles_sent(), 16);
  EXPECT_EQ(got.types["/pianokpm/emg"], "ffffffff");
  EXPECT_EQ(got.types["/pianokpm/muscle/4DI"], "f");
  EXPECT_EQ(got.types["/pianokpm/status"], "ffii");
  std::vector<std::vector<float>> emg;
  std::map<std::string, std::vector<float>> muscle;
  for (const auto& [path, v] : got.messages) {
    if (path == "/pianokpm/emg") emg.push_back(v);
    if (path.rfind("/pianokpm/muscle/", 0) == 0) muscle[path.substr(17)].push_back(v[0]);
    if (path == "/pianokpm/status") {
      EXPECT_FLOAT_EQ(v[0], 0.25f);
      EXPECT_FLOAT_EQ(v[1], 29.5f);
      EXPECT_EQ(v[2], 3);
      EXPECT_EQ(v[3], 7);
    }
  }
  ASSERT_EQ(emg.size(), 16u);
  const auto a = rows.chunk.emg.accessor<float, 2>();
  for (size_t k = 0; k < emg.size(); ++k) {
    const int row = static_cast<int>(16 * k);  // rows 0, 16, 32, ...: 64 per second
    EXPECT_FLOAT_EQ(emg[k][0], static_cast<float>(row / 1024.0));
    EXPECT_FLOAT_EQ(emg[k][1], rows.latency_ms[static_cast<size_t>(row)]);
    for (int c = 0; c < 6; ++c) EXPECT_FLOAT_EQ(emg[k][2 + c], a[row][c]);
    EXPECT_FLOAT_EQ(muscle["ADM"][k], a[row][0]);
    EXPECT_FLOAT_EQ(muscle["4DI"][k], a[row][5]);
  }
}

// Two hands followed: each hand's rows under its own addresses, each thinned on its own.
TEST(OscOutput, TwoHandsEachHaveTheirOwnAddresses) {
  Received got;
  lo_server_thread server = start_receiver(got);
  ASSERT_NE(server, nullptr);
  OscOptions o;
  o.port = std::to_string(lo_server_thread_get_port(server));
  o.rate_hz = 64;
  OscOutput out(o);
  SourceInfo source;
  source.hands = {"left", "right"};
  out.on_start(source);
  for (const std::string hand : {"left", "right"}) {
    EmgRows rows;
    rows.hand = hand;
    rows.chunk.emg = torch::full({64, 6}, hand == "left" ? 0.25f : 0.75f);
    for (int r = 0; r < 64; ++r) {
      rows.chunk.times_s.push_back(r / 1024.0);
      rows.latency_ms.push_back(30.f);
    }
    out.on_emg(rows, LiveStats{});
  }
  stop_receiver_after(server, got, 2 * 4 * 7 + 2);  // 4 bundles of 7 messages per hand, 2 statuses
  EXPECT_EQ(out.bundles_sent(), 8);
  std::map<std::string, int> count;
  for (const auto& [path, v] : got.messages) {
    ++count[path];
    if (path == "/pianokpm/left/emg") {
      EXPECT_FLOAT_EQ(v[2], 0.25f);
    }
    if (path == "/pianokpm/right/muscle/4DI") {
      EXPECT_FLOAT_EQ(v[0], 0.75f);
    }
  }
  EXPECT_EQ(count["/pianokpm/left/emg"], 4);
  EXPECT_EQ(count["/pianokpm/right/emg"], 4);
  EXPECT_EQ(count["/pianokpm/right/muscle/ADM"], 4);
  EXPECT_EQ(count["/pianokpm/emg"], 0) << "one-hand addresses are not used with two hands";
  EXPECT_EQ(count["/pianokpm/status"], 2);
}

TEST(OscOutput, RefusesABadTarget) {
  EXPECT_THROW(OscOutput(parse_osc_target("127.0.0.1:99999")), std::invalid_argument);
  EXPECT_THROW(OscOutput(parse_osc_target("127.0.0.1:port")), std::invalid_argument);
  EXPECT_EQ(parse_osc_target("9001").host, "127.0.0.1");
  EXPECT_EQ(parse_osc_target("10.0.0.2:9001").port, "9001");
}

}  // namespace
}  // namespace pianokpm::live
