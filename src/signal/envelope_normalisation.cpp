#include "signal/envelope_normalisation.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pianokpm {

NormalisationKind parse_normalisation(const std::string& text) {
  if (text == "none") return NormalisationKind::kNone;
  if (text == "max") return NormalisationKind::kMax;
  if (text == "percentile") return NormalisationKind::kPercentile;
  if (text == "mvc") return NormalisationKind::kMvc;
  throw std::invalid_argument("normalisation must be none, max, percentile or mvc, not '" + text + "'");
}

std::string to_string(NormalisationKind kind) {
  switch (kind) {
    case NormalisationKind::kNone: return "none";
    case NormalisationKind::kMax: return "max";
    case NormalisationKind::kPercentile: return "percentile";
    case NormalisationKind::kMvc: return "mvc";
  }
  return "?";
}

void EnvelopeNormalisation::check(size_t channels) const {
  if (kind == NormalisationKind::kPercentile && !(percentile > 0 && percentile <= 100)) {
    throw std::invalid_argument("normalisation: percentile must lie in (0, 100]");
  }
  if (kind == NormalisationKind::kMvc) {
    if (mvc.size() != channels) {
      throw std::invalid_argument("normalisation: " + std::to_string(mvc.size()) + " MVC values for " + std::to_string(channels) +
                                  " channels");
    }
    for (double v : mvc)
      if (!(v > 0) || !std::isfinite(v)) throw std::invalid_argument("normalisation: MVC values must be positive");
  }
}

double normalisation_reference(const std::vector<double>& x, const EnvelopeNormalisation& n, size_t channel) {
  switch (n.kind) {
    case NormalisationKind::kNone: return 1.0;
    case NormalisationKind::kMvc: return n.mvc.at(channel);
    case NormalisationKind::kMax: return x.empty() ? 1.0 : *std::max_element(x.begin(), x.end());
    case NormalisationKind::kPercentile: {
      if (x.empty()) return 1.0;
      std::vector<double> sorted = x;
      std::sort(sorted.begin(), sorted.end());
      // numpy's default ("linear") percentile
      const double pos = n.percentile / 100.0 * static_cast<double>(sorted.size() - 1);
      const auto lo = static_cast<size_t>(std::floor(pos));
      const size_t hi = std::min(lo + 1, sorted.size() - 1);
      return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
    }
  }
  return 1.0;
}

double normalise_envelope(std::vector<double>& x, const EnvelopeNormalisation& n, size_t channel) {
  const double ref = normalisation_reference(x, n, channel);
  if (n.kind == NormalisationKind::kNone) return ref;
  for (double& v : x) {
    v = ref > 0 ? v / ref : 0.0;  // a silent channel (reference 0) stays 0 rather than NaN
    if (n.clip_to_unit) v = std::clamp(v, 0.0, 1.0);
  }
  return ref;
}

}  // namespace pianokpm
