#pragma once
// --bids DIR and its labels, shared by the commands that write EMG (predict, batch, emg, live
// --record): the envelopes as a BIDS-EMG recording (io/bids_emg.h) with keystroke events.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "model/model_config.h"

namespace pianokpm {

struct BidsOutputFlags {
  std::string root;  // empty: no BIDS output
  std::string subject = "01", session, task = "piano", run;
  bool bdf = false;
  bool wanted() const { return !root.empty(); }
};

// An InputError naming the option for a label BIDS does not allow, or the folder when it is not
// one we could write (nothing is created); call before the work starts.
void check_bids_flags(const BidsOutputFlags& flags);

// Adds --bids, --bids-subject, --bids-session, --bids-task, --bids-run and --bids-bdf.
void add_bids_options(CLI::App* cmd, BidsOutputFlags& flags);

struct BidsContent {
  torch::Tensor emg;  // [N, channels] at rate_hz
  double rate_hz = 0;
  std::vector<std::string> channels;  // names; empty: the six muscles (emg has 6 columns)
  std::vector<std::string> units;     // per channel, when not normalised; empty: "arbitrary"
  torch::Tensor keys;                 // [N', num_keys] key depth at rate_hz, or undefined: no events
  bool estimated = true;              // a model's estimate, or a measured recording's envelope
  nlohmann::json provenance;          // merged into the sidecar (the model, the processing)
  nlohmann::json software_filters;    // SoftwareFilters; null: "n/a"
  double power_line_hz = 0;
  std::string run;  // overrides the flags' run (batch: one per row)
};

// The sidecar's "EstimatedBy": the model file, its architecture and inputs, whether it was trained
// on synthetic data, and its training provenance.
nlohmann::json bids_estimate_provenance(const std::string& model_path, const ModelConfig& config, bool synthetic);

// Where write_bids_output puts the data file for this run ("": the flags').
std::string bids_data_file(const BidsOutputFlags& flags, const std::string& run, bool estimated);

// Logs and returns the files written. Channel names longer than EDF's 16 characters are cut
// (kept whole in channels.tsv's target_muscle); InputError for a bad label.
std::vector<std::string> write_bids_output(const BidsOutputFlags& flags, const BidsContent& content);

}  // namespace pianokpm
