#include "io/keypoint_text.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>

#include "io/atomic_file.h"
#include "io/file_names.h"
#include "core/input_error.h"

namespace pianokpm {

namespace {

torch::Tensor read_csv(const std::string& path, int k) {
  std::istringstream in(read_file(path));
  std::string line;
  if (!std::getline(in, line)) throw InputError(path, "empty keypoint CSV (a header row is needed)");
  const auto header = split_csv_line(line);
  const size_t n = header.size();
  size_t skip = 0;
  if ((n == static_cast<size_t>(2 * k + 1) || n == static_cast<size_t>(3 * k + 1))) skip = 1;  // frame/time column
  const size_t values = n - skip;
  if (values != static_cast<size_t>(2 * k) && values != static_cast<size_t>(3 * k)) {
    throw InputError(path, fmt::format("keypoint CSV has {} columns; expected {} (x, y per keypoint) or {} (x, y, "
                                       "confidence), optionally after a frame or time column",
                                       n, 2 * k, 3 * k));
  }
  std::vector<float> data;
  size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto fields = split_csv_line(line);
    if (fields.size() != n) {
      throw InputError(path, fmt::format("line {} has {} fields but the header has {}", line_number, fields.size(), n));
    }
    for (size_t c = skip; c < n; ++c) {
      char* end = nullptr;
      const double v = std::strtod(fields[c].c_str(), &end);
      while (end && (*end == ' ' || *end == '\r')) ++end;
      if (end == fields[c].c_str() || *end != '\0') {
        throw InputError(path, fmt::format("line {} field {}: '{}' is not a number", line_number, c + 1, fields[c]));
      }
      data.push_back(static_cast<float>(v));
    }
  }
  const auto frames = static_cast<int64_t>(data.size() / values);
  if (frames == 0) throw InputError(path, "keypoint CSV has no frames");
  return torch::from_blob(data.data(), {frames, k, static_cast<int64_t>(values) / k}, torch::kFloat).clone();
}

torch::Tensor read_json(const std::string& path, int k) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, std::string("not valid JSON: ") + e.what());
  }
  if (j.is_object() && j.contains("keypoints")) j = j.at("keypoints");
  if (!j.is_array() || j.empty()) throw InputError(path, "expected an array of frames (or {\"keypoints\": [...]})");
  const size_t channels = j[0].is_array() && !j[0].empty() && j[0][0].is_array() ? j[0][0].size() : 0;
  if (channels != 2 && channels != 3) throw InputError(path, "each keypoint must be [x, y] or [x, y, confidence]");
  std::vector<float> data;
  for (size_t t = 0; t < j.size(); ++t) {
    const auto& frame = j[t];
    if (!frame.is_array() || frame.size() != static_cast<size_t>(k)) {
      throw InputError(path, fmt::format("frame {} does not hold {} keypoints", t, k));
    }
    for (const auto& point : frame) {
      if (!point.is_array() || point.size() != channels) {
        throw InputError(path, fmt::format("frame {}: every keypoint must have {} numbers", t, channels));
      }
      for (const auto& v : point) {
        if (!v.is_number()) throw InputError(path, fmt::format("frame {}: keypoint values must be numbers", t));
        data.push_back(v.get<float>());
      }
    }
  }
  return torch::from_blob(data.data(), {static_cast<int64_t>(j.size()), k, static_cast<int64_t>(channels)}, torch::kFloat)
      .clone();
}

}  // namespace

torch::Tensor read_keypoints_text(const std::string& path, int num_keypoints) {
  return lowercase_extension(path) == ".json" ? read_json(path, num_keypoints) : read_csv(path, num_keypoints);
}

}  // namespace pianokpm
