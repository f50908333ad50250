#pragma once
// Shared by render and predict --overlay: the overlay video with a progress bar, the check that the
// chosen hand was found in a video, and the note that marks synthetic-data estimates.
#include <string>

#include "pose/video_pose.h"
#include "render/overlay_video.h"

namespace pianokpm {

render::OverlayVideoResult render_overlay_with_progress(const render::OverlayVideoInput& input,
                                                        const render::OverlayVideoOptions& options, const std::string& out);

// InputError naming the video when the `hand` side was never found, with the fix (--hand).
void require_hand_found(const std::string& video, const pose::VideoPose& pose, const std::string& hand);

std::string synthetic_overlay_note();

}  // namespace pianokpm
