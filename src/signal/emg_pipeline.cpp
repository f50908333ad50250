#include "signal/emg_pipeline.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <stdexcept>

#include "core/input_error.h"

namespace pianokpm {

ProcessedEmg process_emg(const SignalRecording& rec, const EmgEnvelopeOptions& envelope,
                         const EnvelopeNormalisation& normalisation) {
  const size_t n_channels = rec.channels.size();
  try {
    normalisation.check(n_channels);
    for (const auto& c : rec.channels) envelope.check(c.rate_hz);
  } catch (const std::invalid_argument& e) {
    throw InputError(rec.source, e.what());
  }
  std::vector<std::vector<double>> env(n_channels);
  ProcessedEmg out;
  out.references.resize(n_channels);
  at::parallel_for(0, static_cast<int64_t>(n_channels), 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      const auto& ch = rec.channels[static_cast<size_t>(c)];
      env[c] = emg_envelope(ch.samples, ch.rate_hz, envelope);
      out.references[c] = normalise_envelope(env[c], normalisation, static_cast<size_t>(c));
    }
  });
  size_t rows = env.empty() ? 0 : env[0].size();
  for (const auto& e : env) rows = std::min(rows, e.size());
  if (rows == 0) throw InputError(rec.source, "the recording is shorter than one output sample");
  out.envelope = torch::empty({static_cast<int64_t>(rows), static_cast<int64_t>(n_channels)});
  float* p = out.envelope.data_ptr<float>();
  for (size_t c = 0; c < n_channels; ++c) {
    out.labels.push_back(rec.channels[c].label);
    for (size_t i = 0; i < rows; ++i) p[i * n_channels + c] = static_cast<float>(env[c][i]);
  }
  return out;
}

}  // namespace pianokpm
