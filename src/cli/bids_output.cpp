#include "cli/bids_output.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "analysis/muscles.h"
#include "core/input_error.h"
#include "data/key_presses.h"
#include "io/bids_emg.h"

namespace pianokpm {

void add_bids_options(CLI::App* cmd, BidsOutputFlags& f) {
  cmd->add_option("--bids", f.root,
                  "Also write the EMG as a BIDS-EMG recording into this dataset folder (EDF+ and sidecars; keystroke events "
                  "when there are keys)");
  cmd->add_option("--bids-subject", f.subject, "BIDS subject label (letters and digits)")->capture_default_str();
  cmd->add_option("--bids-session", f.session, "BIDS session label");
  cmd->add_option("--bids-task", f.task, "BIDS task label")->capture_default_str();
  cmd->add_option("--bids-run", f.run, "BIDS run index");
  cmd->add_flag("--bids-bdf", f.bdf, "Write 24-bit BDF+ instead of 16-bit EDF+");
}

void check_bids_flags(const BidsOutputFlags& f) {
  if (!f.wanted()) return;
  const std::pair<const char*, const std::string*> labels[] = {
      {"--bids-subject", &f.subject}, {"--bids-session", &f.session}, {"--bids-task", &f.task}, {"--bids-run", &f.run}};
  for (const auto& [option, value] : labels) {
    if (bids_label(*value) != *value) throw InputError(option, "'" + *value + "': BIDS labels hold only letters and digits");
  }
  if (f.subject.empty()) throw InputError("--bids-subject", "a BIDS subject label is required");
  if (f.task.empty()) throw InputError("--bids-task", "a BIDS task label is required");
  if (!std::all_of(f.run.begin(), f.run.end(), [](unsigned char c) { return std::isdigit(c); }))
    throw InputError("--bids-run", "'" + f.run + "': a BIDS run is an index (digits only)");
  // The folder, or the nearest part of its path that exists, must be a folder we may write to:
  // an unusable one fails before any work or output (nothing is created here).
  std::error_code ec;
  std::filesystem::path existing = std::filesystem::absolute(f.root, ec);
  while (!existing.empty() && !std::filesystem::exists(existing, ec) && existing != existing.parent_path())
    existing = existing.parent_path();
  if (!std::filesystem::is_directory(existing, ec))
    throw InputError(f.root, "cannot use as the BIDS folder: " + existing.string() + " is not a folder");
  if (::access(existing.c_str(), W_OK) != 0)
    throw InputError(f.root, "cannot use as the BIDS folder: " + existing.string() + " is not writable");
}

namespace {

BidsEmgRecording recording_for(const BidsOutputFlags& f, const std::string& run, bool estimated) {
  BidsEmgRecording r;
  r.root = f.root;
  r.subject = f.subject;
  r.session = f.session;
  r.task = f.task;
  r.run = run.empty() ? f.run : run;
  r.bdf = f.bdf;
  r.estimated = estimated;
  return r;
}

}  // namespace

nlohmann::json bids_estimate_provenance(const std::string& model_path, const ModelConfig& c, bool synthetic) {
  return {{"EstimatedBy",
           {{"model", std::filesystem::path(model_path).filename().string()},
            {"architecture", c.architecture},
            {"inputs", to_string(c.modality)},
            {"trained_on_synthetic_data", synthetic},
            {"training", c.provenance.to_json()}}}};
}

std::string bids_data_file(const BidsOutputFlags& f, const std::string& run, bool estimated) {
  return bids_data_path(recording_for(f, run, estimated));
}

std::vector<std::string> write_bids_output(const BidsOutputFlags& f, const BidsContent& content) {
  BidsEmgRecording r = recording_for(f, content.run, content.estimated);
  r.rate_hz = content.rate_hz;
  r.provenance = content.provenance;
  r.software_filters = content.software_filters;
  r.power_line_hz = content.power_line_hz;
  r.units = content.units;
  const torch::Tensor e = content.emg.to(torch::kDouble).t().contiguous();
  std::vector<std::string> names = content.channels;
  if (names.empty()) {
    if (e.size(0) != static_cast<int64_t>(muscle_infos().size())) throw std::invalid_argument("BIDS output: name the channels");
    for (const auto& m : muscle_infos()) names.push_back(m.code), r.muscle_long_names.push_back(m.name);
  } else {
    r.muscle_long_names = names;
  }
  r.muscles = names;
  for (int64_t c = 0; c < e.size(0); ++c) {
    const double* p = e[c].data_ptr<double>();
    r.emg.emplace_back(p, p + e.size(1));
  }
  if (content.keys.defined()) {
    for (const KeyPress& k : key_presses_from_depth(content.keys, content.rate_hz)) {
      r.events.push_back({k.t_bed_s, k.t_release_s - k.t_bed_s, k.key, k.velocity});
    }
  }
  try {
    r.check();
  } catch (const std::invalid_argument& e) {
    throw InputError("--bids", e.what());
  }
  const std::vector<std::string> written = write_bids_emg(r);
  spdlog::info("wrote BIDS-EMG {} (+ {} sidecar files{})", written.front(), written.size() - 1,
               r.events.empty() ? "" : fmt::format(", {} keystroke events", r.events.size()));
  return written;
}

}  // namespace pianokpm
