#include "analysis/muscles.h"

#include <iterator>
#include <stdexcept>

#include "core/stream_layout.h"

namespace pianokpm {

const std::vector<MuscleInfo>& muscle_infos() {
  static const std::vector<MuscleInfo> infos = [] {
    // Anatomical name and function of each channel, in muscle_names() order.
    static const char* const described[][2] = {
        {"abductor digiti minimi", "spreads the little finger"},
        {"abductor pollicis brevis", "moves the thumb away from the palm"},
        {"first dorsal interosseous", "spreads the index finger, pulls the thumb in"},
        {"second dorsal interosseous", "moves the middle finger towards the thumb"},
        {"third dorsal interosseous", "moves the middle finger towards the little finger"},
        {"fourth dorsal interosseous", "spreads the ring finger"},
    };
    const std::vector<std::string>& codes = muscle_names();
    if (codes.size() != std::size(described)) throw std::logic_error("muscle_infos: one description per muscle_names() entry");
    std::vector<MuscleInfo> out;
    for (size_t i = 0; i < codes.size(); ++i) out.push_back({codes[i], described[i][0], described[i][1]});
    return out;
  }();
  return infos;
}

}  // namespace pianokpm
