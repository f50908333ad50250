// pianokpm adapt: fine-tunes a trained model on a new person's recordings.
#include <spdlog/spdlog.h>

#include <filesystem>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/train_progress.h"
#include "data/corpus_dataset.h"
#include "io/atomic_file.h"
#include "core/input_error.h"
#include "model/checkpoint.h"
#include "train/trainer.h"

namespace pianokpm {

namespace {

constexpr const char* kAdaptDescription = R"(Fine-tune a trained model on a new person's recordings.

DIR is in the release layout (hand_data/keyp_top, hand_data/keyp_right, keystroke_data,
emg_data); the split file lists the person's calibration recordings under "train" and a
held-out part of them under "val" (early stopping). Only the streams the model reads must be
there, in its layout: a two-view model needs both cameras, a pose+keys model the keystrokes.
Before the first epoch the starting model is scored on "val" and kept as RUN/best.pt, so the
adapted model is never worse there than the one you started from. RUN gets config.json,
train.log, latest.pt and best.pt, as train writes them; --resume continues after an interruption.

Parts: all (every weight), decoder (PianoKPM Net's autoregressive decoder, or the linear
read-out's layer), encoder (the encoder only).)";

// Settings that suit a few minutes of data: small batches, a short schedule, early stopping
// after a few epochs without improvement on the person's held-out recordings.
TrainOptions adapt_defaults() {
  TrainOptions o;
  o.epochs = 30;
  o.batch = 8;
  o.lr = 2e-4;
  o.lr_step_epochs = 10;
  o.patience_epochs = 5;
  return o;
}

struct AdaptCommandOptions {
  TrainRun run;
  std::string model_path, part = "all";
  std::optional<double> minutes, lr;
  std::optional<int> epochs, patience;
  std::optional<int64_t> batch, max_batches;
  std::optional<uint64_t> seed;
  std::optional<std::string> device;
  bool keep_epochs = false;
  int threads = 0;
};

int run_adapt(AdaptCommandOptions o) {
  apply_thread_count(o.threads);
  TrainRun& run = o.run;
  const std::string run_config = (std::filesystem::path(run.out_dir) / "config.json").string();
  if (run.resume && std::filesystem::exists(run_config)) {
    try {
      const auto j = nlohmann::json::parse(read_file(run_config));
      run.model = ModelConfig::from_json(j.at("model"));
      run.options = TrainOptions::from_json(j.at("train"));
    } catch (const std::exception& e) {
      throw InputError(run_config, std::string("cannot resume from it: ") + e.what());
    }
  } else {
    // The model decides the layout: views, modality and standardisation come from it.
    const EmgModel model = load_model(o.model_path).net;
    run.model = model->config();
    run.model.provenance.command = command_line();  // the model's record: adapted by this command
    run.options = adapt_defaults();
    run.options.init_model = o.model_path;
    try {
      run.options.trainable = model->part_parameters(o.part);
    } catch (const std::invalid_argument& e) {
      throw InputError("--part", e.what());
    }
    // A model trained with standardised pose keeps its statistics; the person's data does not change them.
    run.options.standardise_pose = false;
  }
  if (o.minutes) run.options.train_minutes = *o.minutes;
  if (o.lr) run.options.lr = *o.lr;
  if (o.epochs) run.options.epochs = *o.epochs;
  if (o.patience) run.options.patience_epochs = *o.patience;
  if (o.batch) run.options.batch = *o.batch;
  if (o.max_batches) run.options.max_batches_per_epoch = *o.max_batches;
  if (o.seed) run.options.seed = *o.seed;
  if (o.device) run.options.device = *o.device;
  if (o.keep_epochs) run.options.keep_epochs = true;
  const double window_s = run.model.layout().window_seconds;
  if (o.minutes && *o.minutes * 60.0 < window_s) {
    throw InputError("--minutes", fmt::format("{} min is less than one {} s window", *o.minutes, window_s));
  }
  if (read_split(run.split_path, "val").empty()) {
    throw InputError(run.split_path,
                     "lists no \"val\" recordings: adapt needs a held-out part of the person's data to stop early");
  }
  run.options.check();
  TrainProgressView view;
  const TrainResult result = train_model(run, view.callbacks());
  view.report(result);
  if (result.main_process && run.model.provenance.synthetic_data) {
    spdlog::info("note: {} was trained on pianokpm's synthetic corpus; the adapted model starts from it", o.model_path);
  }
  return 0;
}

}  // namespace

CommandRunner add_adapt_command(CLI::App& app) {
  auto o = std::make_shared<AdaptCommandOptions>();
  CLI::App* cmd = app.add_subcommand("adapt", "Fine-tune a trained model on a new person's recordings (a few minutes with EMG)");
  cmd->footer(kAdaptDescription);
  cmd->add_option("-m,--model", o->model_path, "The model to start from (a pianokpm checkpoint)")->required();
  cmd->add_option("--data", o->run.data_dir, "The person's recordings (release layout)")->required();
  cmd->add_option("--split", o->run.split_path, "Split JSON: \"train\" the calibration recordings, \"val\" a held-out part")
      ->required();
  cmd->add_option("-o,--out", o->run.out_dir, "Run folder (created)")->required();
  cmd->add_option("--part", o->part, "What to fine-tune: all, decoder or encoder")->capture_default_str();
  cmd->add_option("--minutes", o->minutes, "Use only the first this many minutes of the train recordings (default: all)");
  cmd->add_option("--epochs", o->epochs, "Most epochs (default 30)");
  cmd->add_option("--patience", o->patience, "Stop after this many epochs without a better val loss (default 5)");
  cmd->add_option("--lr", o->lr, "Learning rate (default 2e-4, halved every 10 epochs)");
  cmd->add_option("--batch", o->batch, "Windows per batch (default 8)");
  cmd->add_option("--max-batches", o->max_batches, "At most this many batches per epoch (default: all)");
  cmd->add_option("--seed", o->seed, "Seed for shuffling (default 42)");
  cmd->add_option("--device", o->device, "cpu or cuda (default cpu)");
  cmd->add_flag("--keep-epochs", o->keep_epochs, "Also keep each epoch's weights as RUN/epochs/epoch_NNN.pt");
  cmd->add_flag("--resume", o->run.resume, "Continue from RUN/latest.pt with RUN/config.json's settings");
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: one per core)")->capture_default_str();
  return [o] { return run_adapt(*o); };
}

}  // namespace pianokpm
