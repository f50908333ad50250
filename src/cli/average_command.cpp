// pianokpm average: one checkpoint with the mean weights of several checkpoints of one run.
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "core/input_error.h"
#include "model/weight_average.h"
#include "train/kept_epochs.h"

namespace pianokpm {

namespace {

struct AverageCommandOptions {
  std::vector<std::string> models;
  std::string from_run;
  int snapshots = 5;
  std::string out;
};

int run_average(const AverageCommandOptions& o) {
  if (o.models.empty() == o.from_run.empty()) throw InputError("--models", "give either --models or --from-run");
  const std::vector<std::string> models = o.from_run.empty() ? o.models : last_kept_epochs(o.from_run, o.snapshots);
  LoadedModel averaged = average_checkpoints(models);
  save_checkpoint(o.out, averaged.net, averaged.metadata);
  spdlog::info("wrote {}: the mean weights of {} checkpoints", o.out, models.size());
  return 0;
}

}  // namespace

CommandRunner add_average_command(CLI::App& app) {
  auto o = std::make_shared<AverageCommandOptions>();
  CLI::App* cmd = app.add_subcommand("average", "Average the weights of several checkpoints of one training run");
  cmd->footer(
      "Stochastic weight averaging: the element-wise mean of the late checkpoints of one run (same model config "
      "and pose statistics), e.g. RUN/epochs/epoch_NNN.pt of the last epochs of `train --keep-epochs`. Evaluate the result with "
      "`eval` "
      "like any model; it often scores better than each checkpoint alone.");
  // As in `ensemble`: --models, or the last epochs of a run; bare file names are accepted too.
  cmd->add_option("--models,models", o->models, "Checkpoints (.pt of ours, or official .pth)")->check(CLI::ExistingFile);
  cmd->add_option("--from-run", o->from_run, "A training run kept with --keep-epochs: average its last epochs");
  cmd->add_option("--snapshots", o->snapshots, "How many of the run's last epochs")
      ->capture_default_str()
      ->check(CLI::Range(2, 1000));
  cmd->add_option("-o,--out", o->out, "Averaged checkpoint (.pt), written atomically")->required();
  return [o] { return run_average(*o); };
}

}  // namespace pianokpm
