#include "data/performance.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>

#include "data/midi_keystrokes.h"
#include "io/array_file.h"
#include "core/input_error.h"
#include "io/keypoint_text.h"

namespace pianokpm {

namespace {

std::string shape_text(const torch::Tensor& t) { return fmt::format("[{}]", fmt::join(t.sizes(), ", ")); }

void require_finite(const torch::Tensor& t, const std::string& path, const char* what) {
  // A block of rows at a time: a mask of the whole of an hour's keystrokes would be 330 MB.
  constexpr int64_t kRowsPerCheck = 1 << 16;
  for (int64_t first = 0; first < (t.dim() ? t.size(0) : 0); first += kRowsPerCheck) {
    const auto block = t.narrow(0, first, std::min(kRowsPerCheck, t.size(0) - first));
    if (!torch::isfinite(block).all().item<bool>()) {
      const auto bad = torch::nonzero(~torch::isfinite(block)).select(1, 0)[0].item<int64_t>();
      throw InputError(path, fmt::format("{} contain NaN or Inf (first at row {})", what, first + bad));
    }
  }
}

}  // namespace

torch::Tensor read_pose_array(const std::string& path, const StreamLayout& layout) {
  torch::Tensor a = is_keypoint_text_path(path) ? read_keypoints_text(path, layout.num_keypoints) : read_array(path);
  if (a.dim() != 3 || a.size(1) != layout.num_keypoints || a.size(2) < 2) {
    throw InputError(path, fmt::format("pose has shape {}, expected [T, {}, C>=2]", shape_text(a), layout.num_keypoints));
  }
  if (a.size(0) == 0) throw InputError(path, "pose has no frames");
  a = a.to(torch::kFloat).contiguous();
  require_finite(a.narrow(2, 0, 2), path, "keypoints");
  return a;
}

torch::Tensor load_pose_view(const std::string& path, const StreamLayout& layout) {
  const torch::Tensor a = read_pose_array(path, layout);
  return a.narrow(2, 0, 2).reshape({a.size(0), layout.num_keypoints * 2}).contiguous();
}

torch::Tensor load_keys(const std::string& path, const StreamLayout& layout, double duration_s, bool from_midi) {
  if (from_midi || is_midi_path(path)) {
    MidiKeystrokeOptions options;
    options.rate_hz = layout.emg_rate_hz;
    options.duration_s = duration_s;
    const MidiFile midi = read_midi(path);
    constexpr double kMaxMidiHours = 24;  // a corrupt delta time must not allocate terabytes
    if (duration_s <= 0 && midi.duration_s > kMaxMidiHours * 3600) {
      throw InputError(
          path, fmt::format("MIDI file lasts {:.0f} h; files over {:.0f} h are refused", midi.duration_s / 3600, kMaxMidiHours));
    }
    // Rendered over the other streams' duration: notes past it would be cut silently, so a file
    // whose notes end more than one window later is refused like a key-depth file of that length.
    // One that ends earlier is padded with keys at rest (the last note-off may well come before
    // the recording stops).
    double notes_end_s = 0;
    for (const auto& n : midi.notes) notes_end_s = std::max(notes_end_s, n.note.off_s);
    if (duration_s > 0 && notes_end_s > duration_s + layout.window_seconds) {
      throw InputError(path, fmt::format("MIDI notes last {:.2f} s but the other streams last {:.2f} s "
                                         "(more than {:g} s longer)",
                                         notes_end_s, duration_s, layout.window_seconds));
    }
    return midi_to_key_depth(midi, options);
  }
  torch::Tensor a = read_array(path);
  if (a.dim() != 2 || a.size(1) != layout.num_keys) {
    throw InputError(path, fmt::format("keystrokes have shape {}, expected [N, {}]", shape_text(a), layout.num_keys));
  }
  if (a.size(0) == 0) throw InputError(path, "keystrokes have no samples");
  a = a.to(torch::kFloat).contiguous();
  require_finite(a, path, "key depths");
  return a;
}

PerformanceStreams load_performance(const PerformancePaths& paths, const StreamLayout& layout) {
  PerformanceStreams s;
  if (uses_pose(layout.modality)) {
    if (static_cast<int>(paths.pose_views.size()) != layout.num_views) {
      throw InputError(paths.pose_views_option,
                       fmt::format("this {} model needs {} pose view(s), got {}", to_string(layout.modality), layout.num_views,
                                   paths.pose_views.size()));
    }
    std::vector<torch::Tensor> views;
    int64_t frames = -1;
    for (size_t i = 0; i < paths.pose_views.size(); ++i) {
      const std::string& p = paths.pose_views[i];
      if (i < paths.pose_view_arrays.size() && paths.pose_view_arrays[i].defined()) {
        const torch::Tensor& a = paths.pose_view_arrays[i];
        if (a.dim() != 3 || a.size(1) != layout.num_keypoints || a.size(2) < 2 || a.size(0) == 0)
          throw InputError(p, fmt::format("pose has shape {}, expected [T, {}, C>=2]", shape_text(a), layout.num_keypoints));
        views.push_back(a.narrow(2, 0, 2).reshape({a.size(0), layout.num_keypoints * 2}).to(torch::kFloat).contiguous());
        require_finite(views.back(), p, "keypoints");
      } else {
        views.push_back(load_pose_view(p, layout));
      }
      const int64_t t = views.back().size(0);
      if (frames >= 0 && std::llabs(t - frames) > layout.pose_frames()) {
        throw InputError(p, fmt::format("has {} frames but the first view has {} (more than one window apart)", t, frames));
      }
      frames = frames < 0 ? t : std::min(frames, t);
    }
    for (auto& v : views) v = v.narrow(0, 0, frames);
    s.pose = torch::cat(views, 1).contiguous();
  }
  if (uses_keys(layout.modality)) {
    if (paths.keys.empty() && !paths.keys_array.defined()) {
      throw InputError(paths.keys_option, fmt::format("this {} model needs a keystroke file", to_string(layout.modality)));
    }
    if (paths.keys_array.defined()) {
      const std::string name = paths.keys.empty() ? "keys" : paths.keys;
      const torch::Tensor& a = paths.keys_array;
      if (a.dim() != 2 || a.size(1) != layout.num_keys || a.size(0) == 0)
        throw InputError(name, fmt::format("keystrokes have shape {}, expected [N, {}]", shape_text(a), layout.num_keys));
      s.keys = a.to(torch::kFloat).contiguous();
      require_finite(s.keys, name, "key depths");
    } else {
      // MIDI has no length of its own beyond its last event: render it over the pose's duration.
      const double pose_s = s.pose.defined() ? static_cast<double>(s.pose.size(0)) / layout.pose_rate_hz : 0.0;
      s.keys = load_keys(paths.keys, layout, pose_s, paths.keys_from_midi);
    }
  }
  if (s.pose.defined() && s.keys.defined()) {
    // Compare durations in "sample x frame" units to stay in integers.
    const int64_t pose_len = s.pose.size(0) * layout.window_samples();
    const int64_t keys_len = s.keys.size(0) * layout.pose_frames();
    if (std::llabs(pose_len - keys_len) > int64_t{layout.window_samples()} * layout.pose_frames()) {
      const double pose_s = static_cast<double>(s.pose.size(0)) / layout.pose_rate_hz;
      const double keys_s = static_cast<double>(s.keys.size(0)) / layout.emg_rate_hz;
      throw InputError(paths.keys, fmt::format("keystrokes last {:.2f} s but the pose lasts {:.2f} s "
                                               "(they must agree within one window)",
                                               keys_s, pose_s));
    }
  }
  return s;
}

}  // namespace pianokpm
