// pianokpm emg: raw EMG recordings (EDF/BDF, CSV, npy, pickle) to normalised envelopes at the
// keystroke rate, the model's target.
#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>

#include "cli/bids_output.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/emg_options.h"
#include "io/file_names.h"
#include "io/array_file.h"
#include "core/input_error.h"
#include "signal/emg_pipeline.h"

namespace pianokpm {

namespace {

struct EmgCommandOptions {
  std::string in, out;
  EmgProcessingFlags processing;
  BidsOutputFlags bids;
  int threads = 0;
};

int run_emg(const EmgCommandOptions& o) {
  apply_thread_count(o.threads);
  if (o.out.empty() && !o.bids.wanted()) throw InputError("--out", "give --out, --bids or both");
  if (!o.out.empty()) require_output_extension(o.out, {".csv", ".npy", ".pkl"});
  check_bids_flags(o.bids);
  const EnvelopeNormalisation n = o.processing.normalisation();
  const SignalRecording rec = read_signals(o.in, o.processing.read);
  const ProcessedEmg emg = process_emg(rec, o.processing.envelope, n);
  if (!o.out.empty()) write_array(o.out, emg.envelope, emg.labels);
  for (size_t c = 0; c < emg.labels.size(); ++c) {
    const std::string unit = rec.channels[c].unit.empty() ? "" : " (" + rec.channels[c].unit + ")";
    spdlog::info("{}{}: {} Hz, envelope divided by {:.6g} ({})", emg.labels[c], unit, rec.channels[c].rate_hz, emg.references[c],
                 to_string(n.kind));
  }
  if (!o.out.empty()) {
    spdlog::info("wrote {} ({} rows x {} channels at {} Hz)", o.out, emg.envelope.size(0), emg.envelope.size(1),
                 o.processing.envelope.output_rate_hz);
  }
  if (o.bids.wanted()) {
    const EmgEnvelopeOptions& e = o.processing.envelope;
    BidsContent content;
    content.emg = emg.envelope;
    content.rate_hz = e.output_rate_hz;
    content.channels = emg.labels;
    content.estimated = false;
    content.power_line_hz = e.notch_hz;
    if (n.kind == NormalisationKind::kNone) {  // the source's units, not normalised
      for (const auto& c : rec.channels) content.units.push_back(c.unit.empty() ? "n/a" : c.unit);
    }
    content.software_filters = {
        {"DC removal", {{"Type", "mean subtracted"}}},
        {"Band-pass",
         {{"Type", "Butterworth, zero-phase"},
          {"Order", e.band_order},
          {"Low (Hz)", e.band_low_hz},
          {"High (Hz)", e.band_high_hz}}},
        {"Rectification", {{"Type", "full-wave"}}},
        {"Low-pass", {{"Type", "Butterworth, zero-phase"}, {"Order", e.lowpass_order}, {"Cutoff (Hz)", e.lowpass_hz}}},
        {"Normalisation", {{"Type", to_string(n.kind)}, {"Divisors", emg.references}}}};
    if (e.notch_hz > 0) content.software_filters["Notch"] = {{"Frequency (Hz)", e.notch_hz}, {"Q", e.notch_q}};
    content.software_filters["Resampling"] = {{"Type", "linear"}, {"To (Hz)", e.output_rate_hz}};
    content.provenance = {{"Source", std::filesystem::path(o.in).filename().string()}};
    write_bids_output(o.bids, content);
  }
  return 0;
}

}  // namespace

CommandRunner add_emg_command(CLI::App& app) {
  auto o = std::make_shared<EmgCommandOptions>();
  CLI::App* cmd = app.add_subcommand("emg", "Raw surface EMG to the envelope the model predicts");
  cmd->footer(
      "Each channel: DC removal, zero-phase Butterworth band-pass, optional zero-phase mains notch, full-wave "
      "rectification, zero-phase Butterworth low-pass, linear resampling to the output rate, normalisation. "
      "Inputs: EDF/EDF+/BDF/GDF (labels, units and each channel's own rate from the file), C3D (its analog channels, by "
      "ANALOG:LABELS), CSV with a header row "
      "(a first column named time gives the rate), .npy or .pkl [samples] or [samples, channels].");
  cmd->add_option("-i,--in", o->in, "Raw EMG file (.edf, .bdf, .gdf, .c3d analog channels, .csv, .npy, .pkl)")->required();
  cmd->add_option("-o,--out", o->out, "Envelope file, .csv (header = channel labels), .npy or .pkl [N, channels]");
  add_emg_processing_options(cmd, o->processing);
  add_bids_options(cmd, o->bids);
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  return [o] { return run_emg(*o); };
}

}  // namespace pianokpm
