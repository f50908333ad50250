// pianokpm ensemble: several trained models as one, with calibrated intervals.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "io/file_names.h"
#include "cli/progress_bar.h"
#include "data/corpus_dataset.h"
#include "core/input_error.h"
#include "predict/ensemble.h"
#include "train/kept_epochs.h"

namespace pianokpm {

namespace {

constexpr const char* kEnsembleDescription = R"(Build an ensemble file from several models of one layout: different
seeds (--models) or the last epochs of one run kept with train --keep-epochs (--from-run).
predict, eval and batch take the file as --model: the estimate is the members' mean, and with
--interval L (predict, eval) each sample gets a lower and upper bound.

The bounds are calibrated here on held-out recordings with measured EMG (--data, --split,
--set; use recordings none of the members trained on, e.g. the split's val list): for each
muscle, the interval is the members' mean +- a factor times their disagreement (plus a floor),
with the factor chosen so that a share L of the calibration samples fall inside. On recordings
like the calibration ones about L of the samples fall inside; on a new person or a new task
fewer may: eval --interval measures it.)";

struct EnsembleCommandOptions {
  std::vector<std::string> models;
  std::string from_run;
  int snapshots = 5;
  std::string data_dir, split_path, set = "val", out;
  int threads = 0;
};

int run_ensemble(EnsembleCommandOptions o) {
  apply_thread_count(o.threads);
  require_output_extension(o.out, {".json"});
  if (o.models.empty() == o.from_run.empty()) throw InputError("--models", "give either --models or --from-run");
  const std::vector<std::string> members = o.from_run.empty() ? o.models : last_kept_epochs(o.from_run, o.snapshots);
  if (members.size() < 2) throw InputError("--models", "an ensemble needs at least two models");
  Ensemble ensemble = load_members(members, "--models");
  EnsembleCalibration calibration;
  if (!o.data_dir.empty()) {
    const ModelConfig& c = ensemble.config();
    const auto perfs = load_split_performances(o.data_dir, o.split_path, o.set, c);
    if (perfs.empty()) throw InputError(o.split_path, "the set '" + o.set + "' is empty");
    std::vector<EnsemblePrediction> predictions;
    std::vector<torch::Tensor> measured;
    ProgressBar bar("calibrate", "recordings", static_cast<int64_t>(perfs.size()));
    for (const auto& p : perfs) {
      predictions.push_back(predict_ensemble(ensemble, PerformanceWindows(p.streams, c), PredictOptions{}));
      measured.push_back(p.emg);
      bar.update(static_cast<int64_t>(predictions.size()));
    }
    bar.finish();
    calibration = calibrate_ensemble(predictions, measured);
    calibration.source["data"] = o.data_dir;
    calibration.source["split"] = o.split_path;
    calibration.source["set"] = o.set;
    const auto s90 = calibration.scale_at(0.9);
    spdlog::info("calibrated on {} recordings ({} samples); 90% scale per muscle {:.2f}", perfs.size(),
                 calibration.source["samples"].get<int64_t>(), fmt::join(s90, " "));
  } else if (!o.split_path.empty()) {
    throw InputError("--split", "calibration needs --data too");
  }
  save_ensemble(o.out, members, calibration);
  spdlog::info("wrote {} ({} members{})", o.out, members.size(),
               calibration.levels.empty() ? ", not calibrated: no intervals" : "");
  return 0;
}

}  // namespace

CommandRunner add_ensemble_command(CLI::App& app) {
  auto o = std::make_shared<EnsembleCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("ensemble", "Combine several models into one with calibrated intervals (predict --interval)");
  cmd->footer(kEnsembleDescription);
  cmd->add_option("--models", o->models, "Model files (our .pt) of one layout");
  cmd->add_option("--from-run", o->from_run, "A training run kept with --keep-epochs: its last epochs are the members")
      ->excludes("--models");
  cmd->add_option("--snapshots", o->snapshots, "How many of the run's last epochs")
      ->capture_default_str()
      ->check(CLI::Range(2, 1000));
  cmd->add_option("--data", o->data_dir, "Calibration recordings (release layout, with measured EMG)");
  cmd->add_option("--split", o->split_path, "Split JSON naming the calibration recordings");
  cmd->add_option("--set", o->set, "Which list of the split")->capture_default_str();
  cmd->add_option("-o,--out", o->out, "Ensemble file (.json)")->required();
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  return [o] { return run_ensemble(*o); };
}

}  // namespace pianokpm
