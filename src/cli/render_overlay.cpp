#include "cli/render_overlay.h"

#include <fmt/format.h>

#include <optional>

#include "cli/progress_bar.h"
#include "core/input_error.h"

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

std::string synthetic_overlay_note() { return "EMG estimated by a model trained on synthetic data"; }

}  // namespace pianokpm
