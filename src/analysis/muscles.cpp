#include "analysis/muscles.h"

namespace pianokpm {

const std::vector<MuscleInfo>& muscle_infos() {
  static const std::vector<MuscleInfo> infos = {
      {"ADM", "abductor digiti minimi", "spreads the little finger"},
      {"PB", "abductor pollicis brevis", "moves the thumb away from the palm"},
      {"1DI", "first dorsal interosseous", "spreads the index finger, pulls the thumb in"},
      {"2DI", "second dorsal interosseous", "moves the middle finger towards the thumb"},
      {"3DI", "third dorsal interosseous", "moves the middle finger towards the little finger"},
      {"4DI", "fourth dorsal interosseous", "spreads the ring finger"},
  };
  return infos;
}

}  // namespace pianokpm
