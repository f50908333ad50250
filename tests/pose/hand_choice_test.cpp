// Which hand a one-hand output follows: the side of most of the frames a hand has been followed
// for, so that frames where the landmark model's handedness flips (a fist) are not lost.
#include "pose/hand_choice.h"

#include <gtest/gtest.h>

namespace pianokpm::pose {
namespace {

TrackedHand hand(float right_hand, float presence, int64_t frames, int64_t right_frames) {
  TrackedHand h;
  h.landmarks.right_hand = right_hand;
  h.landmarks.presence = presence;
  h.track_frames = frames;
  h.track_right_frames = right_frames;
  return h;
}

TEST(HandChoice, AFollowedHandKeepsTheSideOfMostOfItsFrames) {
  EXPECT_EQ(pick_hand({hand(0.8f, 0.9f, 1, 1)}, "right"), std::optional<size_t>(0));  // fresh, judged right
  EXPECT_FALSE(pick_hand({hand(0.1f, 0.9f, 1, 0)}, "right"));                         // fresh, judged left
  // Followed for 45 frames, 30 of them judged right, now a fist judged left: still the right hand.
  EXPECT_EQ(pick_hand({hand(0.1f, 0.9f, 45, 30)}, "right"), std::optional<size_t>(0));
  EXPECT_FALSE(pick_hand({hand(0.1f, 0.9f, 45, 30)}, "left"));
  EXPECT_TRUE(is_right_hand(hand(0.8f, 0.9f, 2, 1)));  // a tie: this frame decides
  EXPECT_FALSE(is_right_hand(hand(0.2f, 0.9f, 2, 1)));
  // Two hands: the right one by its track, and "any" still takes the most present.
  const std::vector<TrackedHand> two = {hand(0.3f, 0.95f, 60, 50), hand(0.9f, 0.99f, 60, 5)};
  EXPECT_EQ(pick_hand(two, "right"), std::optional<size_t>(0));
  EXPECT_EQ(pick_hand(two, "left"), std::optional<size_t>(1));
  EXPECT_EQ(pick_hand(two, "any"), std::optional<size_t>(1));
}

}  // namespace
}  // namespace pianokpm::pose
