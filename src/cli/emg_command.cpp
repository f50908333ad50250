// pianokpm emg: raw EMG recordings (EDF/BDF, CSV, npy, pickle) to normalised envelopes at the
// keystroke rate, the model's target.
#include <spdlog/spdlog.h>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "io/array_file.h"
#include "io/input_error.h"
#include "signal/emg_pipeline.h"

namespace pianokpm {

namespace {

struct EmgCommandOptions {
  std::string in, out;
  SignalReadOptions read;
  EmgEnvelopeOptions envelope;
  std::string normalise = "max";
  double percentile = 99.0;
  std::vector<double> mvc;
  int threads = 0;
};

int run_emg(EmgCommandOptions o) {
  apply_thread_count(o.threads);
  require_output_extension(o.out, {".csv", ".npy", ".pkl"});
  EnvelopeNormalisation n;
  try {
    n.kind = parse_normalisation(o.normalise);
  } catch (const std::invalid_argument& e) {
    throw InputError("--normalise", e.what());
  }
  n.percentile = o.percentile;
  n.mvc = o.mvc;
  const SignalRecording rec = read_signals(o.in, o.read);
  const ProcessedEmg emg = process_emg(rec, o.envelope, n);
  write_array(o.out, emg.envelope, emg.labels);
  for (size_t c = 0; c < emg.labels.size(); ++c) {
    const std::string unit = rec.channels[c].unit.empty() ? "" : " (" + rec.channels[c].unit + ")";
    spdlog::info("{}{}: {} Hz, envelope divided by {:.6g} ({})", emg.labels[c], unit, rec.channels[c].rate_hz,
                 emg.references[c], to_string(n.kind));
  }
  spdlog::info("wrote {} ({} rows x {} channels at {} Hz)", o.out, emg.envelope.size(0), emg.envelope.size(1),
               o.envelope.output_rate_hz);
  return 0;
}

}  // namespace

CommandRunner add_emg_command(CLI::App& app) {
  auto o = std::make_shared<EmgCommandOptions>();
  CLI::App* cmd = app.add_subcommand("emg", "Raw surface EMG to the envelope the model predicts");
  cmd->footer(
      "Each channel: DC removal, zero-phase Butterworth band-pass, optional zero-phase mains notch, full-wave "
      "rectification, zero-phase Butterworth low-pass, linear resampling to the output rate, normalisation. "
      "Inputs: EDF/EDF+/BDF/GDF (labels, units and each channel's own rate from the file), CSV with a header row "
      "(a first column named time gives the rate), .npy or .pkl [samples] or [samples, channels].");
  cmd->add_option("-i,--in", o->in, "Raw EMG file (.edf, .bdf, .gdf, .csv, .npy, .pkl)")->required();
  cmd->add_option("-o,--out", o->out, "Envelope file, .csv (header = channel labels), .npy or .pkl [N, channels]")
      ->required();
  cmd->add_option("--rate", o->read.rate_hz, "Sampling rate in Hz, only for files that carry none (CSV, npy, pkl)");
  cmd->add_option("--channels", o->read.channels, "Channels to keep, by label or zero-based index, in order")
      ->delimiter(',');
  cmd->add_option("--band-low", o->envelope.band_low_hz, "Band-pass lower edge, Hz")->capture_default_str();
  cmd->add_option("--band-high", o->envelope.band_high_hz, "Band-pass upper edge, Hz")->capture_default_str();
  cmd->add_option("--band-order", o->envelope.band_order, "Band-pass Butterworth order")->capture_default_str();
  cmd->add_option("--notch", o->envelope.notch_hz, "Mains notch frequency, Hz (50 or 60; 0: none)")
      ->capture_default_str();
  cmd->add_option("--notch-q", o->envelope.notch_q, "Notch quality factor")->capture_default_str();
  cmd->add_option("--lowpass", o->envelope.lowpass_hz, "Envelope low-pass cutoff, Hz")->capture_default_str();
  cmd->add_option("--lowpass-order", o->envelope.lowpass_order, "Low-pass Butterworth order")->capture_default_str();
  cmd->add_option("--output-rate", o->envelope.output_rate_hz, "Output rate, Hz (the keystroke rate)")
      ->capture_default_str();
  cmd->add_option("--normalise", o->normalise, "none, max, percentile or mvc (per channel)")->capture_default_str();
  cmd->add_option("--percentile", o->percentile, "Percentile for --normalise percentile")->capture_default_str();
  cmd->add_option("--mvc", o->mvc, "MVC reference envelope values, one per channel, for --normalise mvc")
      ->delimiter(',');
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  return [o] { return run_emg(*o); };
}

}  // namespace pianokpm
