// pianokpm export: one of our checkpoints as a state dict in the release's own format and names,
// with its config beside it (the hyperparameters and input scaling the published code must use).
#include <spdlog/spdlog.h>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "io/file_names.h"
#include "model/state_dict.h"
#include "predict/estimator.h"

namespace pianokpm {

namespace {

struct ExportOptions {
  std::string model_path, config_path, out;
};

int run_export(const ExportOptions& o) {
  require_output_extension(o.out, {".pth", ".pt"});  // before loading the model: a typo costs nothing
  const Estimator est = load_estimator(o.model_path, o.config_path);
  const ModelConfig& c = est.config();
  const bool synthetic = est.synthetic();
  const ReleaseExport written = est.export_release(o.out);  // refuses ensembles and what the release cannot read
  const std::string& config_out = written.config_path;
  spdlog::info("wrote {} ({} tensors, {} modality) and its config {}", o.out, written.tensors, to_string(c.modality), config_out);
  const bool scaled = c.pose.scale != std::vector<double>{1.0, 1.0} || !c.pose.mean.empty();
  if (uses_pose(c.modality) && scaled)
    spdlog::info(
        "this model reads keypoints scaled by pose_scale{} (see {}): feed the published code "
        "the same scaled keypoints",
        c.pose.mean.empty() ? "" : " and standardised by pose_mean/pose_std", config_out);
  if (synthetic) spdlog::info("this model was trained on synthetic data (docs/synthetic-data.md; {} says so)", config_out);
  return 0;
}

}  // namespace

CommandRunner add_export_command(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd =
      app.add_subcommand("export",
                         "Write a model as a PyTorch state dict in the release's format and names (load_state_dict in the "
                         "published code), with its config as JSON beside it");
  cmd->add_option("-m,--model", o->model_path, "Model file: our checkpoint (.pt) or an official state dict (.pth)")->required();
  cmd->add_option("--config", o->config_path,
                  "Model config JSON for an official state dict (default: NAME.json beside NAME.pth; ours carry theirs)");
  cmd->add_option("-o,--out", o->out,
                  "Output state dict (.pth); the config goes to the same name with .json (predict --config reads it)")
      ->required();
  return [o] { return run_export(*o); };
}

}  // namespace pianokpm
