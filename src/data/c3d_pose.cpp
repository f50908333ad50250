#include "data/c3d_pose.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "core/input_error.h"
#include "io/atomic_file.h"
#include "io/c3d_reader.h"

namespace pianokpm {

namespace {

struct MarkerMapping {
  std::vector<std::string> labels;
  int up = 2;               // index of the vertical axis
  double max_gap_s = 0.25;  // longest loss of a marker bridged by interpolation
};

MarkerMapping read_mapping(const std::string& path, int keypoints) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, std::string("not valid JSON: ") + e.what());
  }
  MarkerMapping m;
  if (!j.is_object() || !j.contains("keypoints") || !j["keypoints"].is_array()) {
    throw InputError(path, "expected {\"keypoints\": [marker labels], \"up\": \"z\", \"max_gap_s\": 0.25}");
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "keypoints" && key != "up" && key != "max_gap_s")
      throw InputError(path, "unknown key '" + key + "' (keypoints, up, max_gap_s)");
  }
  for (const auto& label : j["keypoints"]) {
    if (!label.is_string()) throw InputError(path, "keypoints: every entry must be a marker label (a string)");
    m.labels.push_back(label.get<std::string>());
  }
  if (static_cast<int>(m.labels.size()) != keypoints) {
    throw InputError(path, fmt::format("keypoints lists {} markers; the hand has {} keypoints", m.labels.size(), keypoints));
  }
  if (j.contains("up")) {
    const auto& up = j["up"];
    if (!up.is_string() || (up != "x" && up != "y" && up != "z")) throw InputError(path, "up must be \"x\", \"y\" or \"z\"");
    m.up = up.get<std::string>()[0] - 'x';
  }
  if (j.contains("max_gap_s")) {
    if (!j["max_gap_s"].is_number() || !(j["max_gap_s"].get<double>() >= 0))
      throw InputError(path, "max_gap_s must be a number of seconds >= 0");
    m.max_gap_s = j["max_gap_s"].get<double>();
  }
  return m;
}

// Fills frames where the marker was not seen by linear interpolation (constant before the first
// and after the last sighting). Returns the longest run of frames filled.
int64_t fill_gaps(std::vector<std::array<double, 2>>& xy, const std::vector<bool>& seen) {
  int64_t previous = -1, longest = 0;
  const auto n = static_cast<int64_t>(xy.size());
  for (int64_t t = 0; t < n; ++t) {
    if (!seen[t]) continue;
    for (int64_t g = previous + 1; g < t; ++g) {
      const double w = previous < 0 ? 1.0 : static_cast<double>(g - previous) / static_cast<double>(t - previous);
      for (int k = 0; k < 2; ++k) xy[g][k] = previous < 0 ? xy[t][k] : (1 - w) * xy[previous][k] + w * xy[t][k];
    }
    longest = std::max(longest, t - previous - 1);
    previous = t;
  }
  for (int64_t g = previous + 1; g < n; ++g) xy[g] = xy[previous];
  return std::max(longest, n - previous - 1);
}

std::string some_labels(const std::vector<std::string>& labels) {
  std::string out;
  for (size_t i = 0; i < labels.size() && i < 12; ++i) out += (i ? ", " : "") + labels[i];
  return out + (labels.size() > 12 ? ", ..." : "");
}

}  // namespace

torch::Tensor read_c3d_pose(const std::string& c3d_path, int view, const std::string& mapping_path, const StreamLayout& layout) {
  if (view != 0) throw InputError(c3d_path, "C3D markers give the top view only (seen from above), not the right camera's");
  if (mapping_path.empty())
    throw InputError(c3d_path, "keypoints from a C3D file need --c3d-markers (which marker is which keypoint)");
  const MarkerMapping mapping = read_mapping(mapping_path, layout.num_keypoints);
  const C3dFile c3d = read_c3d(c3d_path);
  if (c3d.frames < 2) throw InputError(c3d_path, "the C3D file has fewer than 2 frames");
  if (c3d.point_labels.empty()) throw InputError(c3d_path, "the C3D file has no markers");
  const int a = mapping.up == 0 ? 1 : 0, b = mapping.up == 2 ? 1 : 2;  // the two horizontal axes, in order
  std::vector<std::vector<std::array<double, 2>>> tracks;
  for (const std::string& label : mapping.labels) {
    const auto it = std::find(c3d.point_labels.begin(), c3d.point_labels.end(), label);
    if (it == c3d.point_labels.end()) {
      throw InputError(c3d_path, fmt::format("no marker '{}' (named in {}); its markers: {}", label, mapping_path,
                                             some_labels(c3d.point_labels)));
    }
    const auto p = static_cast<size_t>(it - c3d.point_labels.begin());
    std::vector<std::array<double, 2>> xy(static_cast<size_t>(c3d.frames));
    std::vector<bool> seen(static_cast<size_t>(c3d.frames));
    for (int t = 0; t < c3d.frames; ++t) {
      seen[t] = c3d.valid[t][p];
      xy[t] = {c3d.points[t][p][a], c3d.points[t][p][b]};
    }
    if (std::none_of(seen.begin(), seen.end(), [](bool s) { return s; })) {
      throw InputError(c3d_path, fmt::format("marker '{}' is never seen", label));
    }
    const double gap_s = static_cast<double>(fill_gaps(xy, seen)) / c3d.point_rate_hz;
    if (gap_s > mapping.max_gap_s + 1e-9) {
      throw InputError(c3d_path, fmt::format("marker '{}' is lost for {:.2f} s at once, longer than max_gap_s {:g} s (raise it "
                                             "in {} to bridge such losses by straight lines)",
                                             label, gap_s, mapping.max_gap_s, mapping_path));
    }
    tracks.push_back(std::move(xy));
  }
  // Linear resampling from the file's frame rate to the pose rate, over the file's duration.
  const double duration = static_cast<double>(c3d.frames - 1) / c3d.point_rate_hz;
  const auto frames = static_cast<int64_t>(std::floor(duration * layout.pose_rate_hz + 1e-9)) + 1;
  torch::Tensor out = torch::empty({frames, layout.num_keypoints, 2});
  float* o = out.data_ptr<float>();
  for (int64_t f = 0; f < frames; ++f) {
    const double x = static_cast<double>(f) / layout.pose_rate_hz * c3d.point_rate_hz;
    const auto i = std::min<int64_t>(static_cast<int64_t>(x), c3d.frames - 2);
    const double w = x - static_cast<double>(i);
    for (int k = 0; k < layout.num_keypoints; ++k) {
      for (int c = 0; c < 2; ++c) {
        o[(f * layout.num_keypoints + k) * 2 + c] = static_cast<float>((1 - w) * tracks[k][i][c] + w * tracks[k][i + 1][c]);
      }
    }
  }
  return out;
}

}  // namespace pianokpm
