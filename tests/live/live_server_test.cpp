// The live view's server on 127.0.0.1: its page and streams, many viewers and a stuck one, bad
// requests, and that it listens on loopback only. Bounded loops; nothing here waits forever.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "live/live_server.h"
#include "test_support.h"

namespace pianokpm::live {
namespace {

using namespace std::chrono_literals;

// A raw TCP client: sends `request` and reads for at most `read_for`.
std::string http_exchange(int port, const std::string& request, std::chrono::milliseconds read_for = 1500ms, bool read = true) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return "connect failed";
  }
  timeval tv{0, 100000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string got;
  const auto until = std::chrono::steady_clock::now() + read_for;
  char buf[65536];
  if (!read) std::this_thread::sleep_until(until);  // connected, asking, never reading
  while (read && std::chrono::steady_clock::now() < until) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0) break;
    if (n > 0) got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return got;
}

std::string get(int port, const std::string& path, std::chrono::milliseconds read_for = 1500ms) {
  return http_exchange(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", read_for);
}

int status_of(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0) return -1;
  return std::stoi(response.substr(9, 3));
}

TrackedFrame test_frame(int64_t index) {
  TrackedFrame f;
  f.index = index;
  f.media_time_s = static_cast<double>(index) / 30;
  f.bgr = cv::Mat(480, 640, CV_8UC3, cv::Scalar(40, 80, 120));
  FollowedHand h;
  h.found = true;
  for (int k = 0; k < 21; ++k) {
    h.keypoints[3 * k] = 300.f + 10.f * static_cast<float>(k % 5) + 30.f * static_cast<float>(k / 5);
    h.keypoints[3 * k + 1] = 350.f - 12.f * static_cast<float>(k);
    h.keypoints[3 * k + 2] = 1.f;
  }
  f.hands.push_back(h);
  return f;
}

EmgRows test_rows(int64_t chunk_index) {
  EmgRows rows;
  rows.chunk.first_sample = chunk_index * 102;
  rows.chunk.emg = torch::rand({102, 6});
  for (int64_t r = 0; r < 102; ++r) {
    rows.chunk.times_s.push_back(static_cast<double>(rows.chunk.first_sample + r) / 1024);
    rows.latency_ms.push_back(50.f + static_cast<float>(r));
  }
  return rows;
}

// Publishes like the pipeline (30 frames and 10 model runs per second) for `seconds`, returning
// the longest time one call took.
std::chrono::microseconds publish(LiveServer& server, double seconds) {
  std::chrono::microseconds worst{0};
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < static_cast<int64_t>(seconds * 30); ++i) {
    std::this_thread::sleep_until(start + i * 33333us);
    auto t0 = std::chrono::steady_clock::now();
    server.on_frame(test_frame(i));
    if (i % 3 == 0) {
      LiveStats s;
      s.frames_tracked = i + 1;
      server.on_emg(test_rows(i / 3), s);
    }
    worst = std::max(worst, std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0));
  }
  return worst;
}

LiveServerOptions test_options() {
  LiveServerOptions o;
  o.port = 0;
  o.max_viewers = 4;
  return o;
}

TEST(LiveServer, ServesItsPageEventsAndVideo) {
  LiveServer server(test_options());
  server.start();
  std::thread publisher([&] { publish(server, 2.0); });
  const std::string page = get(server.port(), "/");
  EXPECT_EQ(status_of(page), 200);
  EXPECT_NE(page.find("uPlot"), std::string::npos) << "uPlot is inlined";
  EXPECT_NE(page.find("\"muscles\""), std::string::npos);
  EXPECT_EQ(page.find("http://"), std::string::npos) << "the page loads nothing from elsewhere";
  const std::string events = get(server.port(), "/events", 800ms);
  EXPECT_EQ(status_of(events), 200);
  EXPECT_NE(events.find("text/event-stream"), std::string::npos);
  EXPECT_NE(events.find("data: {"), std::string::npos);
  EXPECT_NE(events.find("\"last\":["), std::string::npos);
  const std::string video = get(server.port(), "/video.mjpg", 800ms);
  EXPECT_EQ(status_of(video), 200);
  const size_t jpeg = video.find("\r\n\r\n\xff\xd8", video.find("Content-Type: image/jpeg"));
  EXPECT_NE(jpeg, std::string::npos) << "a JPEG part follows its headers";
  const std::string status = get(server.port(), "/status.json");
  EXPECT_NE(status.find("\"frames_tracked\""), std::string::npos);
  EXPECT_NE(status.find("\"familiarity_last_window\":null"), std::string::npos) << "chunks without a score: null";
  EXPECT_NE(events.find("\"familiarity\":null"), std::string::npos);
  publisher.join();
  EXPECT_GT(server.frames_encoded(), 0);
  server.stop();
}

TEST(LiveServer, ThePageSaysWhatTheModelGivesWhereTheInputIsUnfamiliar) {
  LiveServerOptions o = test_options();
  EXPECT_NE(LiveServer(o).page().find("\"unfamiliar_fallback\":\"\""), std::string::npos) << "none by default";
  o.unfamiliar_fallback = "the estimate </script> instead";
  const std::string page = LiveServer(o).page();
  EXPECT_NE(page.find("\"unfamiliar_fallback\":\"the estimate \\u003c/script> instead\""), std::string::npos)
      << "in the page's config, escaped for its script element";
  EXPECT_NE(page.find("id=\"familiarity-consequence\""), std::string::npos) << "where the page's script puts it";
}

TEST(LiveServer, ListensOnLoopbackOnly) {
  LiveServer server(test_options());
  server.start();
  std::ifstream tcp("/proc/net/tcp");
  std::stringstream all;
  all << tcp.rdbuf();
  char port_hex[8];
  std::snprintf(port_hex, sizeof(port_hex), "%04X", server.port());
  const std::string listen_loopback = std::string("0100007F:") + port_hex;
  const std::string listen_any = std::string("00000000:") + port_hex;
  EXPECT_NE(all.str().find(listen_loopback), std::string::npos);
  EXPECT_EQ(all.str().find(listen_any), std::string::npos);
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_EQ(parse_serve_target("8080").host, "127.0.0.1");
  EXPECT_THROW(parse_serve_target("host:port"), std::invalid_argument);
  server.stop();
}

TEST(LiveServer, RefusesBadRequestsUnknownPathsAndEscapes) {
  LiveServer server(test_options());
  server.start();
  const int port = server.port();
  EXPECT_EQ(status_of(get(port, "/nothing-here")), 404);
  for (const char* escape : {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "//etc/passwd"}) {
    const std::string r = get(port, escape);
    EXPECT_TRUE(status_of(r) == 404 || status_of(r) == 400) << escape << ": " << r.substr(0, 40);
    EXPECT_EQ(r.find("root:"), std::string::npos) << escape;
  }
  EXPECT_EQ(status_of(http_exchange(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")),
            405);
  const std::string long_uri = "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const std::string too_long = http_exchange(port, long_uri);
  EXPECT_TRUE(too_long.empty() || status_of(too_long) >= 400) << too_long.substr(0, 40);
  const std::string big_header =
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'b') + "\r\nConnection: close\r\n\r\n";
  const std::string big = http_exchange(port, big_header);
  EXPECT_TRUE(big.empty() || status_of(big) >= 400) << big.substr(0, 40);
  const std::string body = "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\nxx";
  EXPECT_GE(status_of(http_exchange(port, body)), 400);
  const std::string garbage = http_exchange(port, std::string("\x16\x03\x01\x02\x00garbage\r\n\r\n", 16));
  EXPECT_TRUE(garbage.empty() || status_of(garbage) == 400) << garbage.substr(0, 40);
  // Still serving after all that.
  EXPECT_EQ(status_of(get(port, "/")), 200);
  server.stop();
}

// Fifty viewers at once (above the limit of four) and one that never reads: the pipeline's calls
// stay short, the viewers within the limit get events, the others a 503, and the stuck viewer is
// dropped without holding anyone up.
TEST(LiveServer, ManyViewersAndAStuckOneDoNotSlowThePipeline) {
  LiveServer server(test_options());
  server.start();
  const int port = server.port();
  // The stuck viewer: asks for both streams and never reads.
  std::thread stuck_video([&] { http_exchange(port, "GET /video.mjpg HTTP/1.1\r\nHost: x\r\n\r\n", 4000ms, false); });
  std::atomic<int> served{0}, refused{0}, other{0};
  std::vector<std::thread> viewers;
  std::chrono::microseconds worst{0};
  std::thread publisher([&] { worst = publish(server, 4.0); });
  std::this_thread::sleep_for(300ms);
  for (int i = 0; i < 50; ++i) {
    viewers.emplace_back([&, i] {
      const std::string r = get(port, i % 2 ? "/events" : "/video.mjpg", 1500ms);
      const int s = status_of(r);
      if (s == 200 && (r.find("data: {") != std::string::npos || r.find("image/jpeg\r\nContent-Length") != std::string::npos))
        ++served;
      else if (s == 503)
        ++refused;
      else
        ++other;
    });
  }
  for (auto& v : viewers) v.join();
  publisher.join();
  stuck_video.join();
  EXPECT_LT(worst.count(), 50000) << "the pipeline waited " << worst.count() << " us in one call";
  EXPECT_GE(served.load(), 4);
  EXPECT_GE(refused.load(), 25);
  EXPECT_EQ(served + refused + other, 50);
  EXPECT_EQ(server.viewers_refused(), refused.load());
  // After they have all gone, a new viewer is served again.
  std::this_thread::sleep_for(2500ms);
  std::thread more([&] { publish(server, 1.5); });
  EXPECT_EQ(status_of(get(port, "/events", 800ms)), 200);
  more.join();
  server.stop();
}

}  // namespace
}  // namespace pianokpm::live
