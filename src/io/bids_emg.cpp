#include "io/bids_emg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "core/input_error.h"
#include "io/atomic_file.h"
#include "io/edf_writer.h"

namespace pianokpm {

namespace {

constexpr const char* kBidsVersion = "1.11.0";

// EDF header text is printable ASCII: other characters become '?' (channels.tsv keeps the names whole).
std::string edf_text(std::string s) {
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c < 32 || c > 126; }, '?');
  return s;
}
constexpr int kMidiNoteOfA0 = 21;

std::string note_name(int midi_note) {
  static const char* const names[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
  return fmt::format("{}{}", names[midi_note % 12], midi_note / 12 - 1);
}

// TSV cells must not hold tabs or line breaks.
std::string cell(std::string s) {
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
  return s.empty() ? "n/a" : s;
}

std::string entity_prefix(const BidsEmgRecording& r) {
  std::string p = "sub-" + r.subject;
  if (!r.session.empty()) p += "_ses-" + r.session;
  p += "_task-" + r.task;
  if (!r.run.empty()) p += "_run-" + r.run;
  return p + (r.estimated ? "_desc-estimated" : "_desc-envelope");
}

// The channels' names in the EDF and channels.tsv: cut to EDF's label width, and kept distinct
// (EDF readers key channels by them) with a "~N" suffix where cutting made two alike.
std::vector<std::string> channel_names(const BidsEmgRecording& r) {
  std::vector<std::string> names;
  for (size_t c = 0; c < r.muscles.size(); ++c) {
    std::string name = r.muscles[c].substr(0, kEdfLabelLength);
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      const std::string suffix = fmt::format("~{}", c + 1);
      name = name.substr(0, kEdfLabelLength - suffix.size()) + suffix;
    }
    names.push_back(name);
  }
  return names;
}

// Seconds past the data that EDF's whole records pad.
double edf_padding_s(const BidsEmgRecording& r, double record_s) {
  const double seconds = static_cast<double>(r.emg[0].size()) / r.rate_hz;
  const double padded = std::ceil(seconds / record_s - 1e-9) * record_s - seconds;
  return padded > 1e-9 ? padded : 0.0;
}

std::string channels_tsv(const BidsEmgRecording& r, const std::vector<std::string>& names) {
  std::string t = "name\ttype\tunits\ttarget_muscle\tdescription\tsampling_frequency\tstatus\n";
  const std::string description = r.estimated
                                      ? "estimated EMG envelope (computed by pianokpm from video/keypoints, not measured)"
                                      : fmt::format("EMG envelope (rectified, low-pass filtered{}) of a measured recording",
                                                    r.units.empty() ? ", normalised" : "");
  for (size_t c = 0; c < names.size(); ++c) {
    const std::string target = r.muscle_long_names.empty() ? r.muscles[c] : r.muscle_long_names[c];
    // A measured envelope is still EMG; an estimate is not a measurement of anything (MISC).
    t += fmt::format("{}\t{}\t{}\t{}\t{}\t{:g}\tgood\n", cell(names[c]), r.estimated ? "MISC" : "EMG",
                     r.units.empty() ? "arbitrary" : cell(r.units[c]), cell(target), description, r.rate_hz);
  }
  return t;
}

std::string events_tsv(const BidsEmgRecording& r) {
  std::vector<BidsKeyEvent> events = r.events;
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.onset_s < b.onset_s; });
  std::string t = "onset\tduration\ttrial_type\tkey\tnote\tvelocity\n";
  for (const auto& e : events) {
    const int midi = e.key + kMidiNoteOfA0;
    t += fmt::format("{:.4f}\t{:.4f}\tkeystroke\t{}\t{}\t{}\n", e.onset_s, e.duration_s, midi, note_name(midi),
                     e.velocity > 0 ? std::to_string(e.velocity) : "n/a");
  }
  return t;
}

nlohmann::json events_json() {
  return {{"trial_type", {{"Description", "What the row is"}, {"Levels", {{"keystroke", "a piano key pressed to its bed"}}}}},
          {"onset", {{"Description", "Time the key reaches its bed (MIDI note-on)"}, {"Units", "s"}}},
          {"duration", {{"Description", "Time the key is held at its bed (to MIDI note-off)"}, {"Units", "s"}}},
          {"key", {{"Description", "MIDI note number of the key (21 = A0, 108 = C8)"}}},
          {"note", {{"Description", "Scientific pitch name of the key (C4 = middle C)"}}},
          {"velocity", {{"Description", "MIDI velocity 1..127 (from the key's descent time when the input was key depth)"}}}};
}

nlohmann::json sidecar(const BidsEmgRecording& r, double seconds, double padding_s) {
  nlohmann::json j;
  j["TaskName"] = r.task;
  if (!r.task_description.empty()) j["TaskDescription"] = r.task_description;
  j["SamplingFrequency"] = r.rate_hz;
  j["PowerLineFrequency"] = r.power_line_hz > 0 ? nlohmann::json(r.power_line_hz) : nlohmann::json("n/a");
  j["RecordingType"] = "continuous";
  j["RecordingDuration"] = seconds;
  // EDF's 1-s records: the file's last record is padded (with the last value) past the data.
  if (padding_s > 0) j["EDFPaddingSeconds"] = padding_s;
  j["SoftwareFilters"] = r.software_filters.is_null() ? nlohmann::json("n/a") : r.software_filters;
  j["EMGChannelCount"] = r.estimated ? 0 : static_cast<int>(r.muscles.size());
  j["MISCChannelCount"] = r.estimated ? static_cast<int>(r.muscles.size()) : 0;
  if (r.estimated) {
    j["EMGReference"] = "n/a";
    j["EMGPlacementScheme"] = "Other";
    j["EMGPlacementSchemeDescription"] =
        "No electrodes: the signals are estimates of the surface EMG envelope over each named muscle, computed by "
        "pianokpm from video or hand keypoints (and keystrokes when given). They are not measurements.";
    j["Description"] = "Estimated muscle activity (EMG envelopes), not measured";
  } else {
    j["EMGReference"] = "n/a";  // the source file does not say
    j["EMGPlacementScheme"] = "Other";
    j["EMGPlacementSchemeDescription"] = "As in the source recording; pianokpm computed the envelopes.";
    j["Description"] = "EMG envelopes of a measured recording";
  }
  j["GeneratedBy"] = {{{"Name", "pianokpm"}, {"Version", PIANOKPM_VERSION}}};
  for (const auto& [key, value] : r.provenance.items()) j[key] = value;
  return j;
}

}  // namespace

std::string bids_label(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c)) out.push_back(static_cast<char>(c));
  }
  return out;
}

void BidsEmgRecording::check() const {
  auto label = [](const std::string& value, const char* name, bool required) {
    if (value.empty() && required) throw std::invalid_argument(fmt::format("BIDS {} label is empty", name));
    if (bids_label(value) != value) {
      throw std::invalid_argument(fmt::format("BIDS {} label '{}' may hold only letters and digits", name, value));
    }
  };
  label(subject, "subject", true);
  label(session, "session", false);
  label(task, "task", true);
  label(run, "run", false);
  if (!std::all_of(run.begin(), run.end(), [](unsigned char c) { return std::isdigit(c); })) {
    throw std::invalid_argument(fmt::format("BIDS run '{}' must be an index (digits only)", run));
  }
  if (!units.empty() && units.size() != muscles.size())
    throw std::invalid_argument("BIDS recording's units must match its channels");
  if (root.empty()) throw std::invalid_argument("BIDS root folder is empty");
  if (!(rate_hz > 0)) throw std::invalid_argument("BIDS recording's sampling rate must be positive");
  if (muscles.empty() || muscles.size() != emg.size())
    throw std::invalid_argument("BIDS recording needs one name per EMG channel");
  if (!muscle_long_names.empty() && muscle_long_names.size() != muscles.size()) {
    throw std::invalid_argument("BIDS recording's target muscles must match its channels");
  }
  if (!provenance.is_null() && !provenance.is_object()) throw std::invalid_argument("BIDS provenance must be a JSON object");
}

namespace {

std::string bids_stem(const BidsEmgRecording& r) {
  namespace fs = std::filesystem;
  fs::path folder = fs::path(r.root) / ("sub-" + r.subject);
  if (!r.session.empty()) folder /= "ses-" + r.session;
  return (folder / "emg" / entity_prefix(r)).string();
}

}  // namespace

std::string bids_data_path(const BidsEmgRecording& r) { return bids_stem(r) + (r.bdf ? "_emg.bdf" : "_emg.edf"); }

bool write_bids_dataset_description(const std::string& root) {
  const std::filesystem::path description = std::filesystem::path(root) / "dataset_description.json";
  if (std::filesystem::exists(description)) return false;
  std::filesystem::create_directories(root);
  // One text for both kinds, so that a folder holding estimates and measured envelopes stays true.
  const nlohmann::json d = {{"Name", "pianokpm EMG envelopes"},
                            {"BIDSVersion", kBidsVersion},
                            {"DatasetType", "derivative"},
                            {"GeneratedBy",
                             {{{"Name", "pianokpm"},
                               {"Version", PIANOKPM_VERSION},
                               {"Description",
                                "desc-estimated: EMG envelopes estimated by a model from video or hand keypoints, not measured; "
                                "desc-envelope: envelopes of measured EMG recordings"}}}}};
  write_file_atomically(description.string(), d.dump(2) + "\n");
  return true;
}

std::vector<std::string> write_bids_emg(const BidsEmgRecording& r) {
  r.check();
  const std::string stem = bids_stem(r);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(stem).parent_path(), ec);
  if (ec) throw InputError(r.root, "cannot create the BIDS folder: " + ec.message());
  std::vector<std::string> written;

  const std::vector<std::string> names = channel_names(r);
  std::vector<EdfSignal> signals;
  for (size_t c = 0; c < names.size(); ++c) {
    const std::string unit = r.units.empty() ? "" : r.units[c].substr(0, kEdfDimensionLength);
    signals.push_back(
        {edf_text(names[c]), edf_text(unit), r.estimated ? "estimated (not measured)" : "EMG envelope", "", r.emg[c]});
  }
  EdfWriteOptions edf;
  edf.bdf = r.bdf;
  edf.rate_hz = r.rate_hz;
  edf.patient = fmt::format("sub-{} X X X", r.subject);
  edf.recording = r.estimated ? "X X pianokpm_estimate" : "X X pianokpm_envelope";
  // The keystrokes also as EDF+ annotations, so that EDFbrowser shows them on the traces.
  std::vector<EdfAnnotation> annotations;
  for (const auto& e : r.events) {
    annotations.push_back({e.onset_s, e.duration_s, "key " + note_name(e.key + kMidiNoteOfA0)});
  }
  const double seconds = static_cast<double>(r.emg[0].size()) / r.rate_hz;
  const double padding_s = edf_padding_s(r, edf.record_seconds);
  if (padding_s > 0) {
    annotations.push_back({seconds, padding_s, "padding, not data"});
  }
  written.push_back(bids_data_path(r));
  write_edf(written.back(), signals, annotations, edf);

  written.push_back(stem + "_emg.json");
  write_file_atomically(written.back(), sidecar(r, seconds, padding_s).dump(2) + "\n");
  written.push_back(stem + "_channels.tsv");
  write_file_atomically(written.back(), channels_tsv(r, names));
  if (!r.events.empty()) {
    written.push_back(stem + "_events.tsv");
    write_file_atomically(written.back(), events_tsv(r));
    written.push_back(stem + "_events.json");
    write_file_atomically(written.back(), events_json().dump(2) + "\n");
  } else {
    // Rewritten without keys: an earlier run's events would otherwise pair with this recording.
    std::filesystem::remove(stem + "_events.tsv", ec);
    std::filesystem::remove(stem + "_events.json", ec);
  }
  if (write_bids_dataset_description(r.root)) {
    written.push_back((std::filesystem::path(r.root) / "dataset_description.json").string());
  }
  return written;
}

}  // namespace pianokpm
