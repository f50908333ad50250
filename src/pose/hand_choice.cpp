#include "pose/hand_choice.h"

namespace pianokpm::pose {

bool is_right_hand(const TrackedHand& hand) {
  const int64_t left_frames = hand.track_frames - hand.track_right_frames;
  if (hand.track_right_frames != left_frames) return hand.track_right_frames > left_frames;
  return hand.landmarks.right_hand > 0.5f;
}

std::optional<size_t> pick_hand(const std::vector<TrackedHand>& hands, const std::string& side) {
  std::optional<size_t> best;
  for (size_t i = 0; i < hands.size(); ++i) {
    const HandLandmarks& h = hands[i].landmarks;
    if (side != "any" && is_right_hand(hands[i]) != (side == "right")) continue;
    if (!best || h.presence > hands[*best].landmarks.presence) best = i;
  }
  return best;
}

std::array<float, kHandLandmarks * 3> hand_pixels(const HandLandmarks& hand, int width, int height) {
  std::array<float, kHandLandmarks * 3> frame{};
  for (int k = 0; k < kHandLandmarks; ++k) {
    frame[3 * k] = hand.points[k][0] * static_cast<float>(width);
    frame[3 * k + 1] = hand.points[k][1] * static_cast<float>(height);
    frame[3 * k + 2] = hand.presence;
  }
  return frame;
}

}  // namespace pianokpm::pose
