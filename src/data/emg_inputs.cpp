#include "data/emg_inputs.h"

#include <fmt/format.h>

#include <cmath>

#include "data/performance.h"
#include "io/emg_table.h"
#include "core/input_error.h"
#include "core/stream_layout.h"

namespace pianokpm {

EmgInputs read_emg_inputs(const std::string& emg_path, const std::string& keys, const std::string& midi, double rate_hz,
                          double max_gap_s) {
  if (!(rate_hz > 0)) throw InputError("--rate", "the EMG rate must be positive");
  EmgInputs in;
  EmgWithInterval table = read_emg_with_interval(emg_path);
  in.emg = table.emg;
  in.lower = table.lower;
  in.upper = table.upper;
  const std::string key_path = midi.empty() ? keys : midi;
  if (key_path.empty()) return in;
  StreamLayout at_emg_rate = kReleaseLayout;  // keys rendered at the EMG's rate: 1-s windows of rate_hz samples
  at_emg_rate.emg_rate_hz = rate_hz;
  const double emg_s = static_cast<double>(in.emg.size(0)) / rate_hz;
  in.keys = load_keys(key_path, at_emg_rate, emg_s, !midi.empty());  // the duration applies to MIDI only
  if (in.keys.dim() != 2 || in.keys.size(1) != at_emg_rate.num_keys)
    throw InputError(key_path, fmt::format("keys must be [N, {}] key depth, not [{}]", at_emg_rate.num_keys,
                                           fmt::join(in.keys.sizes(), ", ")));
  if (!torch::isfinite(in.keys).all().item<bool>()) throw InputError(key_path, "keys hold values that are not finite");
  const double keys_s = static_cast<double>(in.keys.size(0)) / rate_hz;
  if (std::abs(keys_s - emg_s) > max_gap_s)
    throw InputError(key_path, fmt::format("keys last {:.2f} s but the EMG ({}) lasts {:.2f} s (more than {} s apart)", keys_s,
                                           emg_path, emg_s, max_gap_s));
  return in;
}

}  // namespace pianokpm
