// The stream layout: rates in Hz, counts per window derived from them, and its checks.
#include "core/stream_layout.h"

#include <gtest/gtest.h>

namespace pianokpm {
namespace {

// The release's numbers, usable where a constant is needed.
static_assert(kReleaseLayout.pose_frames() == 60 && kReleaseLayout.window_samples() == 1024);
static_assert(kReleaseLayout.pose_channels() == 2 * 21 * 2);

TEST(StreamLayout, CountsComeFromRatesAndTheWindow) {
  StreamLayout l;
  l.pose_rate_hz = 30;
  l.emg_rate_hz = 2000;
  l.window_seconds = 0.5;
  EXPECT_EQ(l.pose_frames(), 15);
  EXPECT_EQ(l.window_samples(), 1000);
  l.num_views = 1;
  EXPECT_EQ(l.pose_channels(), 42);
  EXPECT_NO_THROW(l.check());
  l.pose_rate_hz = 29.97;  // a camera's NTSC rate: 14.985 frames rounds to 15
  EXPECT_EQ(l.pose_frames(), 15);
}

TEST(StreamLayout, CheckNamesTheBadField) {
  auto error_of = [](const StreamLayout& l) -> std::string {
    try {
      l.check();
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  StreamLayout l;
  l.window_seconds = 0;
  EXPECT_NE(error_of(l).find("window_seconds"), std::string::npos);
  l = StreamLayout{};
  l.pose_rate_hz = 1;  // one frame per 1-s window
  EXPECT_NE(error_of(l).find("at least 2 pose frames"), std::string::npos);
  l = StreamLayout{};
  l.num_views = 0;
  EXPECT_NE(error_of(l).find("num_views"), std::string::npos);
  EXPECT_EQ(muscle_names().size(), static_cast<size_t>(kReleaseLayout.emg_channels));
}

}  // namespace
}  // namespace pianokpm
