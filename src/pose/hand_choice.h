#pragma once
// Which tracked hand a one-hand output follows, and its keypoints in image pixels.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "pose/hand_tracker.h"

namespace pianokpm::pose {

// Whether a tracked hand is a right hand: the side of most of the frames it has been followed for
// (this frame's handedness on a tie), not this frame's alone.
bool is_right_hand(const TrackedHand& hand);

// The most present hand of `side` ("right", "left" or "any"), if any was tracked.
std::optional<size_t> pick_hand(const std::vector<TrackedHand>& hands, const std::string& side);

// x, y in pixels of a width x height image and the hand's presence as confidence, per landmark
// (x0, y0, c0, x1, ...).
std::array<float, kHandLandmarks * 3> hand_pixels(const HandLandmarks& hand, int width, int height);

}  // namespace pianokpm::pose
