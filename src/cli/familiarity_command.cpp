// pianokpm familiarity: fits a model's familiarity reference (model/familiarity.h) on the
// performances it was trained on and writes the model again with it, weights unchanged. Models
// trained before references existed gain one; a reference fitted another way is replaced.
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "io/file_names.h"
#include "data/corpus_dataset.h"
#include "core/input_error.h"
#include "model/checkpoint.h"
#include "model/model_registry.h"
#include "train/pose_standardisation.h"

namespace pianokpm {

namespace {

struct FamiliarityCommandOptions {
  std::string model_path, data_dir, split_path, set = "train", out;
};

int run_familiarity(const FamiliarityCommandOptions& o) {
  require_output_extension(o.out, {".pt"});
  LoadedModel loaded = load_model(o.model_path);
  if (loaded.format != "pianokpm")
    throw InputError(o.model_path, "is not one of our checkpoints (.pt): it has no config to store a reference in");
  ModelConfig config = loaded.net->config();
  if (!uses_pose(config.modality)) throw InputError(o.model_path, "reads no pose: familiarity is about the pose");
  StreamLayout pose_only = config.layout();
  pose_only.modality = Modality::kPoseOnly;  // the keys play no part
  const auto performances = load_split_performances(o.data_dir, o.split_path, o.set, pose_only);
  config.familiarity = {};
  try {
    config = with_familiarity_reference(config, performances);
  } catch (const std::invalid_argument& e) {
    throw InputError(o.split_path, std::string("set '") + o.set + "': " + e.what());
  }
  // The same weights in a model of the new config.
  EmgModel net = make_model(config);
  {
    torch::NoGradGuard no_grad;
    auto source = loaded.net->named_parameters();
    for (auto& p : net->named_parameters()) p.value().copy_(source[p.key()]);
    auto buffers = loaded.net->named_buffers();
    for (auto& b : net->named_buffers()) b.value().copy_(buffers[b.key()]);
  }
  nlohmann::json metadata = loaded.metadata.is_object() ? loaded.metadata : nlohmann::json::object();
  metadata["familiarity_fitted_on"] = {{"data", o.data_dir}, {"split", o.split_path}, {"set", o.set}};
  save_checkpoint(o.out, net, metadata);
  spdlog::info("wrote {}: {} with a familiarity reference from {} windows of {} performances ({} of {})", o.out, o.model_path,
               config.familiarity.windows, performances.size(), o.set, o.split_path);
  return 0;
}

}  // namespace

CommandRunner add_familiarity_command(CLI::App& app) {
  auto o = std::make_shared<FamiliarityCommandOptions>();
  CLI::App* cmd = app.add_subcommand("familiarity", "Fit a model's familiarity reference on the recordings it was trained on");
  cmd->footer(
      "`train` stores a familiarity reference in every pose model it makes: what its training windows looked like. "
      "`predict`, `batch`, `live`, `report` and Python then score each window of new input by it and warn when the input "
      "is unlike anything the model saw. This command fits that reference for a model trained before references "
      "existed (or replaces one), from the set it was trained on, and writes the model again with the same weights.");
  cmd->add_option("-m,--model", o->model_path, "Checkpoint (.pt)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--data", o->data_dir, "Corpus folder (release layout) the model was trained on")->required();
  cmd->add_option("--split", o->split_path, "Split JSON")->required()->check(CLI::ExistingFile);
  cmd->add_option("--set", o->set, "Set of the split the model was trained on")->capture_default_str();
  cmd->add_option("-o,--out", o->out, "Checkpoint with the reference (.pt), written atomically")->required();
  return [o] { return run_familiarity(*o); };
}

}  // namespace pianokpm
