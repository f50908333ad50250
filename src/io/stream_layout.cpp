#include "io/stream_layout.h"

#include <stdexcept>

namespace pianokpm {

Modality parse_modality(const std::string& text) {
  if (text == "pose+keys") return Modality::kPoseAndKeys;
  if (text == "pose") return Modality::kPoseOnly;
  if (text == "keys") return Modality::kKeysOnly;
  throw std::invalid_argument("modality must be pose+keys, pose or keys, not '" + text + "'");
}

std::string to_string(Modality modality) {
  switch (modality) {
    case Modality::kPoseAndKeys: return "pose+keys";
    case Modality::kPoseOnly: return "pose";
    case Modality::kKeysOnly: return "keys";
  }
  return "?";
}

const std::vector<std::string>& muscle_names() {
  static const std::vector<std::string> names = {"ADM", "PB", "1DI", "2DI", "3DI", "4DI"};
  return names;
}

}  // namespace pianokpm
