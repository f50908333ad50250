#include "cli/emg_options.h"

#include "core/input_error.h"

namespace pianokpm {

EnvelopeNormalisation EmgProcessingFlags::normalisation() const {
  EnvelopeNormalisation n;
  try {
    n.kind = parse_normalisation(normalise);
  } catch (const std::invalid_argument& e) {
    throw InputError("--normalise", e.what());
  }
  n.percentile = percentile;
  n.mvc = mvc;
  return n;
}

void add_emg_processing_options(CLI::App* cmd, EmgProcessingFlags& f) {
  cmd->add_option("--rate", f.read.rate_hz, "Raw EMG sampling rate in Hz, only for files that carry none (CSV, npy, pkl)");
  cmd->add_option("--channels", f.read.channels, "EMG channels to keep, by label or number (the first is 1), in order")
      ->delimiter(',');
  cmd->add_option("--band-low", f.envelope.band_low_hz, "Band-pass lower edge, Hz")->capture_default_str();
  cmd->add_option("--band-high", f.envelope.band_high_hz, "Band-pass upper edge, Hz")->capture_default_str();
  cmd->add_option("--band-order", f.envelope.band_order, "Band-pass Butterworth order")->capture_default_str();
  cmd->add_option("--notch", f.envelope.notch_hz, "Mains notch frequency, Hz (50 or 60; 0: none)")->capture_default_str();
  cmd->add_option("--notch-q", f.envelope.notch_q, "Notch quality factor")->capture_default_str();
  cmd->add_option("--lowpass", f.envelope.lowpass_hz, "Envelope low-pass cutoff, Hz")->capture_default_str();
  cmd->add_option("--lowpass-order", f.envelope.lowpass_order, "Low-pass Butterworth order")->capture_default_str();
  cmd->add_option("--output-rate", f.envelope.output_rate_hz, "Envelope rate, Hz (the keystroke rate)")->capture_default_str();
  cmd->add_option("--normalise", f.normalise, "none, max, percentile or mvc (per channel)")->capture_default_str();
  cmd->add_option("--percentile", f.percentile, "Percentile for --normalise percentile")->capture_default_str();
  cmd->add_option("--mvc", f.mvc, "MVC reference envelope values, one per channel, for --normalise mvc")->delimiter(',');
}

}  // namespace pianokpm
