#include "cli/render_overlay.h"

#include <fmt/format.h>

#include <optional>

#include "cli/progress_bar.h"
#include "io/input_error.h"

namespace pianokpm {

render::OverlayVideoResult render_overlay_with_progress(const render::OverlayVideoInput& input,
                                                        const render::OverlayVideoOptions& options, const std::string& out) {
  std::optional<ProgressBar> bar;  // made at the first frame, when the total is known
  const auto r = render::render_overlay_video(input, options, out, [&](int64_t done, int64_t total) {
    if (!bar) bar.emplace("render", "frames", total);
    bar->update(done);
  });
  if (bar) bar->finish();
  return r;
}

void require_hand_found(const std::string& video, const pose::VideoPose& p, const std::string& hand) {
  if (p.frames_with_hand > 0) return;
  if (p.frames_with_other_hand > 0) {
    const std::string other = hand == "right" ? "left" : "right";
    throw InputError(video, fmt::format("no {} hand in any of its {} frames, but a {} hand in {}: use --hand {} (or --hand any)",
                                        hand, p.source_frames, other, p.frames_with_other_hand, other));
  }
  throw InputError(video, fmt::format("no hand was found in any of its {} frames (is the hand in view and lit? "
                                      "--hand {} was asked; --hand left|right|any chooses the side)",
                                      p.source_frames, hand));
}

std::string synthetic_overlay_note() { return "EMG estimated by a model trained on synthetic data"; }

}  // namespace pianokpm
