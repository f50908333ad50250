// pianokpm average: one checkpoint with the mean weights of several checkpoints of one run.
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "model/weight_average.h"

namespace pianokpm {

namespace {

struct AverageCommandOptions {
  std::vector<std::string> models;
  std::string out;
};

int run_average(const AverageCommandOptions& o) {
  LoadedModel averaged = average_checkpoints(o.models);
  save_checkpoint(o.out, averaged.net, averaged.metadata);
  spdlog::info("wrote {}: the mean weights of {} checkpoints", o.out, o.models.size());
  return 0;
}

}  // namespace

CommandRunner add_average_command(CLI::App& app) {
  auto o = std::make_shared<AverageCommandOptions>();
  CLI::App* cmd = app.add_subcommand("average", "Average the weights of several checkpoints of one training run");
  cmd->footer(
      "Stochastic weight averaging: the element-wise mean of the late checkpoints of one run (same model config "
      "and pose statistics), e.g. RUN/epochs/epoch_NNN.pt of the last epochs of `train --keep-epochs`. Evaluate the result with `eval` "
      "like any model; it often scores better than each checkpoint alone.");
  cmd->add_option("models", o->models, "Checkpoints (.pt of ours, or official .pth)")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", o->out, "Averaged checkpoint (.pt), written atomically")->required();
  return [o] { return run_average(*o); };
}

}  // namespace pianokpm
