// pianokpm train: trains PianoKPM Net (or a baseline) on a corpus in the release layout.
#include <spdlog/spdlog.h>

#include <filesystem>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/train_progress.h"
#include "io/atomic_file.h"
#include "core/input_error.h"
#include "model/checkpoint.h"
#include "model/model_registry.h"
#include "train/trainer.h"

namespace pianokpm {

namespace {

struct TrainCommandOptions {
  TrainRun run;
  std::string config_path;
  // Flags override the config file; unset ones leave it alone.
  std::optional<int> epochs;
  std::optional<int64_t> batch, max_batches;
  std::optional<double> lr;
  std::optional<uint64_t> seed;
  std::optional<std::string> modality, architecture, device, pose_frame;
  std::optional<int> views;
  std::optional<int64_t> loss_tail;
  std::optional<double> minutes;
  std::string init_model;
  bool keep_epochs = false;
  int threads = 0;
};

// Reads the "model" and "train" sections of a JSON file into the run (missing ones keep their values).
void apply_config_file(const std::string& path, TrainRun& run) {
  try {
    const auto j = nlohmann::json::parse(read_file(path));
    if (j.contains("model")) run.model = ModelConfig::from_json(j.at("model"));
    if (j.contains("train")) run.options = TrainOptions::from_json(j.at("train"));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, std::string("not valid JSON: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw InputError(path, e.what());
  }
}

int run_train(TrainCommandOptions o) {
  apply_thread_count(o.threads);
  // --resume continues with the run's own settings; --config and flags still override them.
  const std::string run_config = (std::filesystem::path(o.run.out_dir) / "config.json").string();
  if (o.run.resume && std::filesystem::exists(run_config)) apply_config_file(run_config, o.run);
  if (!o.config_path.empty()) apply_config_file(o.config_path, o.run);
  if (o.epochs) o.run.options.epochs = *o.epochs;
  if (o.batch) o.run.options.batch = *o.batch;
  if (o.max_batches) o.run.options.max_batches_per_epoch = *o.max_batches;
  if (o.lr) o.run.options.lr = *o.lr;
  if (o.seed) o.run.options.seed = *o.seed;
  if (o.device) o.run.options.device = *o.device;
  if (o.keep_epochs) o.run.options.keep_epochs = true;
  if (o.modality) o.run.model.modality = parse_modality(*o.modality);
  if (o.architecture) o.run.model = o.run.model.with_architecture(*o.architecture);
  if (o.views) o.run.model.num_views = *o.views;
  if (o.pose_frame) {
    o.run.model.pose.frame = parse_pose_frame(*o.pose_frame);
    // the hand and palm frames divide the hand's size out: a pixel scale from a config file does not apply
    if (o.run.model.pose.frame != PoseFrame::kImage) o.run.model.pose.scale = {1.0, 1.0};
  }
  if (o.loss_tail) o.run.options.loss_tail_samples = *o.loss_tail;
  if (o.minutes) o.run.options.train_minutes = *o.minutes;
  if (!o.init_model.empty()) {
    // Fine-tuning continues that model: its config (views, modality, standardisation) is the run's.
    if (o.modality || o.architecture || o.views || o.pose_frame)
      throw InputError("--init", "the model comes from --init: drop --modality, --architecture, --views and --pose-frame");
    o.run.options.init_model = o.init_model;
    o.run.model = load_model(o.init_model).net->config();
    o.run.model.provenance.command = command_line();
  }
  // The model's record of the command that trained it (a resumed run keeps its first command).
  if (o.run.model.provenance.command.empty()) o.run.model.provenance.command = command_line();
  o.run.options.check();
  o.run.model.check();

  TrainProgressView view;
  view.report(train_model(o.run, view.callbacks()));
  return 0;
}

}  // namespace

CommandRunner add_train_command(CLI::App& app) {
  auto o = std::make_shared<TrainCommandOptions>();
  CLI::App* cmd = app.add_subcommand("train", "Train PianoKPM Net or a baseline on a corpus in the release layout");
  cmd->footer(
      "Defaults are the released training setup: AdamW lr 1e-4, StepLR every 20 epochs x0.5, gradient norm "
      "clipped at 1.0, batch 64, 200 epochs, seed 42, early stopping after 50 epochs without improvement, "
      "loss MSE + 1.0 x Sinkhorn divergence. RUN gets config.json, train.log, latest.pt and best.pt.");
  cmd->add_option("--data", o->run.data_dir, "Corpus folder (release layout)")->required();
  cmd->add_option("--split", o->run.split_path, "Split JSON; its train and val lists are used")->required();
  cmd->add_option("-o,--out", o->run.out_dir, "Run folder (created)")->required();
  cmd->add_option("--config", o->config_path, "JSON with optional \"model\" and \"train\" sections");
  cmd->add_option("--epochs", o->epochs, "Epochs (default 200)");
  cmd->add_option("--batch", o->batch, "Windows per batch (default 64)");
  cmd->add_option("--lr", o->lr, "Learning rate (default 1e-4)");
  cmd->add_option("--seed", o->seed, "Seed for initialisation and shuffling (default 42)");
  cmd->add_option("--modality", o->modality, "pose+keys, pose or keys (default pose+keys)");
  std::string architectures = "The model (default pianokpm):";
  for (const ModelKind* kind : model_kinds()) architectures += "\n  " + kind->name + ": " + kind->summary;
  cmd->add_option("--architecture", o->architecture, architectures)->check(CLI::IsMember(model_names()));
  cmd->add_option("--views", o->views, "Camera views the model reads: 2 (top and right, as released) or 1 (top only)")
      ->check(CLI::Range(1, 2));
  cmd->add_option("--pose-frame", o->pose_frame,
                  "image: keypoints as the camera's pixels (as released); hand: in the hand's own frame (wrist origin, "
                  "hand-size units, canonical orientation, left hands mirrored), the same for any camera placement; palm: in "
                  "the frame the palm spans, which also divides out the slant a camera sees the palm at")
      ->check(CLI::IsMember({"image", "hand", "palm"}));
  cmd->add_option("--max-batches", o->max_batches, "At most this many batches per epoch (default 0: all)");
  cmd->add_option("--device", o->device, "cpu or cuda (default cpu)");
  cmd->add_flag("--keep-epochs", o->keep_epochs, "Also keep each epoch's weights as RUN/epochs/epoch_NNN.pt (for `average`)");
  cmd->add_option("--init", o->init_model, "Start from this checkpoint's weights and config (fine-tuning)");
  cmd->add_option("--loss-tail-samples", o->loss_tail,
                  "Compute the loss on the last N samples of each window only (e.g. 103: a model for live's 100-ms hops)");
  cmd->add_option("--minutes", o->minutes, "Train on the first this many minutes of the train list only (default: all)");
  cmd->add_flag("--resume", o->run.resume, "Continue from RUN/latest.pt (after an interruption, even kill -9)");
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  return [o] { return run_train(*o); };
}

}  // namespace pianokpm
