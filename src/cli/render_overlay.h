#pragma once
// Shared by render and predict --overlay: the overlay video with a progress bar, and the note that
// marks synthetic-data estimates.
#include <string>

#include "pose/video_pose.h"
#include "render/overlay_video.h"

namespace pianokpm {

render::OverlayVideoResult render_overlay_with_progress(const render::OverlayVideoInput& input,
                                                        const render::OverlayVideoOptions& options, const std::string& out);

std::string synthetic_overlay_note();

}  // namespace pianokpm
