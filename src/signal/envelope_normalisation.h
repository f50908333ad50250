#pragma once
// Scaling an EMG envelope to the 0..1 range the model is trained on, per channel: by a maximum
// voluntary contraction (MVC) reference measured in the same session, by a percentile of the
// recording itself, or by its maximum.
#include <string>
#include <vector>

namespace pianokpm {

enum class NormalisationKind { kNone, kMax, kPercentile, kMvc };

NormalisationKind parse_normalisation(const std::string& text);  // none | max | percentile | mvc
std::string to_string(NormalisationKind kind);

struct EnvelopeNormalisation {
  NormalisationKind kind = NormalisationKind::kMax;
  double percentile = 99.0;  // for kPercentile, in (0, 100]
  std::vector<double> mvc;   // for kMvc: one reference envelope value per channel
  bool clip_to_unit = true;  // clamp the result to 0..1 (what the model sees)

  void check(size_t channels) const;  // throws std::invalid_argument
};

// The divisor for one channel's envelope (1 for kNone); linear-interpolated percentile.
double normalisation_reference(const std::vector<double>& envelope, const EnvelopeNormalisation& n, size_t channel);
// Divides (and clips) in place; returns the divisor used.
double normalise_envelope(std::vector<double>& envelope, const EnvelopeNormalisation& n, size_t channel);

}  // namespace pianokpm
