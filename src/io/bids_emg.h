#pragma once
// EMG envelopes as a BIDS-EMG recording (BIDS 1.11): in ROOT/sub-S[/ses-X]/emg/,
//   sub-S[_ses-X]_task-T[_run-R]_desc-D_emg.edf (EDF+; .bdf for 24 bits), _emg.json (the sidecar's
//   required fields and, for estimates, the model and its training data), _channels.tsv (one row
//   per muscle: name, type, units, target_muscle, description, sampling_frequency, status) and
//   _events.tsv (one row per keystroke: onset, duration, trial_type, key, note, velocity).
// The EDF+ file carries the keystrokes as annotations too ("key C4", onset and duration). Its 1-s
// records pad the data's last second with the last value, marked by a "padding, not data"
// annotation and the sidecar's EDFPaddingSeconds (RecordingDuration is the data's).
// Rewriting a recording without events removes the events files an earlier run left.
// ROOT/dataset_description.json is written when missing. Envelopes are derived data (rectified,
// filtered, normalised), so the dataset is a BIDS derivative (DatasetType "derivative",
// GeneratedBy pianokpm) and every file carries desc-<D>: "estimated" for a model's output,
// "envelope" for a measured recording's envelope. An estimate's channels have type MISC, and
// their description and the EDF transducer field say "estimated, not measured": no tool can read
// them as a measurement.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace pianokpm {

struct BidsKeyEvent {
  double onset_s = 0, duration_s = 0;  // key reaches its bed, held until released
  int key = 0;                         // 0 = A0 (MIDI note 21)
  int velocity = 0;                    // 1..127, 0 when unknown
};

struct BidsEmgRecording {
  std::string root;                                          // dataset folder (created)
  std::string subject = "01", session, task = "piano", run;  // BIDS labels: letters and digits only
  bool estimated = true;
  bool bdf = false;  // 24-bit BDF+ instead of EDF+
  double rate_hz = 0;
  std::vector<std::string> muscles;            // channel names, e.g. FDI, 2DI; cut to EDF's 16 characters (kept distinct)
  std::vector<std::string> muscle_long_names;  // target_muscle column; same count, or empty
  std::vector<std::vector<double>> emg;        // [channel][sample], envelope
  std::vector<std::string> units;              // per channel (e.g. "mV" when not normalised); empty: "arbitrary"
  std::vector<BidsKeyEvent> events;            // empty: no _events.tsv
  double power_line_hz = 0;                    // 0: "n/a" (estimates have no mains)
  nlohmann::json software_filters;             // SoftwareFilters: null writes "n/a"
  nlohmann::json provenance;                   // merged into the sidecar (model, checkpoint, ...)
  std::string task_description;
  void check() const;  // std::invalid_argument naming the field
};

// Returns the files written, data file first. Each file is written atomically; InputError naming
// the folder when it cannot be made.
std::vector<std::string> write_bids_emg(const BidsEmgRecording& recording);

// Where write_bids_emg puts the recording's data file (.edf or .bdf).
std::string bids_data_path(const BidsEmgRecording& recording);

// ROOT/dataset_description.json, unless it exists; true when written. write_bids_emg calls it;
// callers writing recordings from several threads call it once first.
bool write_bids_dataset_description(const std::string& root);

// BIDS labels allow only letters and digits: "t1_p21-1" -> "t1p211"; empty if nothing is left.
std::string bids_label(const std::string& text);

}  // namespace pianokpm
