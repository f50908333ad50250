// pianokpm emg: raw EMG recordings (EDF/BDF, CSV, npy, pickle) to normalised envelopes at the
// keystroke rate, the model's target.
#include <spdlog/spdlog.h>

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
  int threads = 0;
};

int run_emg(const EmgCommandOptions& o) {
  apply_thread_count(o.threads);
  require_output_extension(o.out, {".csv", ".npy", ".pkl"});
  const EnvelopeNormalisation n = o.processing.normalisation();
  const SignalRecording rec = read_signals(o.in, o.processing.read);
  const ProcessedEmg emg = process_emg(rec, o.processing.envelope, n);
  write_array(o.out, emg.envelope, emg.labels);
  for (size_t c = 0; c < emg.labels.size(); ++c) {
    const std::string unit = rec.channels[c].unit.empty() ? "" : " (" + rec.channels[c].unit + ")";
    spdlog::info("{}{}: {} Hz, envelope divided by {:.6g} ({})", emg.labels[c], unit, rec.channels[c].rate_hz, emg.references[c],
                 to_string(n.kind));
  }
  spdlog::info("wrote {} ({} rows x {} channels at {} Hz)", o.out, emg.envelope.size(0), emg.envelope.size(1),
               o.processing.envelope.output_rate_hz);
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
  cmd->add_option("-o,--out", o->out, "Envelope file, .csv (header = channel labels), .npy or .pkl [N, channels]")->required();
  add_emg_processing_options(cmd, o->processing);
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  return [o] { return run_emg(*o); };
}

}  // namespace pianokpm
