// The error for a video in which the chosen hand never appears names the fix.
#include <gtest/gtest.h>

#include "core/input_error.h"
#include "pose/video_pose.h"

namespace pianokpm::pose {
namespace {

std::string message(const VideoPose& p, const std::string& hand) {
  try {
    require_hand_found("take.mp4", p, hand);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(HandFound, NamesTheFix) {
  VideoPose p;
  p.source_frames = 300;
  p.frames_with_hand = 12;
  EXPECT_EQ(message(p, "right"), "");
  p.frames_with_hand = 0;
  p.frames_with_other_hand = 280;  // only a left hand was seen
  const std::string left = message(p, "right");
  EXPECT_NE(left.find("take.mp4"), std::string::npos) << left;
  EXPECT_NE(left.find("no right hand was found in any of its 300 frames"), std::string::npos) << left;
  EXPECT_NE(left.find("use --hand left"), std::string::npos) << left;
  EXPECT_NE(message(p, "left").find("use --hand right"), std::string::npos);
  p.frames_with_other_hand = 0;  // no hand at all
  const std::string none = message(p, "right");
  EXPECT_NE(none.find("--hand left|right|any"), std::string::npos) << none;
  EXPECT_NE(message(p, "any").find("no hand was found"), std::string::npos);
}

TEST(HandFound, NamesTheFixAsTheCallerSetsTheHand) {
  VideoPose p;
  p.source_frames = 300;
  p.frames_with_other_hand = 280;
  try {
    require_hand_found("take.mp4", p, "right", "hand=\"{}\"");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("use hand=\"left\" (or hand=\"any\")"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pianokpm::pose
