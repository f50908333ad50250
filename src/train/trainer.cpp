#include "train/trainer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

#include "train/pose_standardisation.h"
#include "io/atomic_file.h"
#include "core/input_error.h"
#include "core/blas_threads.h"
#include "model/checkpoint.h"
#include "core/device.h"
#include "model/model_registry.h"
#include "train/heap_reuse.h"
#include "train/view_augmentation.h"
#include "synth/camera_rig.h"

namespace pianokpm {

namespace fs = std::filesystem;

torch::Tensor emg_training_loss(const torch::Tensor& pred, const torch::Tensor& target, double lambda_ot,
                                const SinkhornOptions& sinkhorn) {
  auto loss = torch::mse_loss(pred, target);
  if (lambda_ot > 0) {
    // Each window's 1024 six-dimensional EMG vectors as a point cloud (time order ignored).
    loss = loss + lambda_ot * sinkhorn_divergence(pred.transpose(1, 2), target.transpose(1, 2), sinkhorn).mean();
  }
  return loss;
}

namespace {

torch::Tensor to_device(const torch::Tensor& t, const torch::Device& d) { return t.defined() ? t.to(d) : t; }

// The last `samples` of each window [B, C, T] (all of it for 0), what the loss is computed on.
torch::Tensor window_tail(const torch::Tensor& t, int64_t samples) {
  return samples > 0 && t.defined() && t.size(2) > samples ? t.narrow(2, t.size(2) - samples, samples) : t;
}

WindowDataset load_set(const TrainRun& run, const std::string& set, int64_t overlap, double minutes = 0) {
  auto performances = load_split_performances(run.data_dir, run.split_path, set, run.model);
  if (minutes > 0) performances = first_minutes(std::move(performances), minutes, run.model, run.split_path);
  return WindowDataset(std::move(performances), run.model, overlap);
}

bool named_by(const std::string& name, const std::vector<std::string>& prefixes) {
  return prefixes.empty() ||
         std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& prefix) { return name.rfind(prefix, 0) == 0; });
}

// The parameters a training stage trains: those named by a prefix in options.trainable and by one
// of the stage's (each list: every parameter when empty); the others stop taking gradients.
std::vector<torch::Tensor> trainable_parameters(EmgModel& net, const TrainOptions& options, int stage) {
  const std::vector<std::string> stage_prefixes = net->stage_parameters(stage);
  std::vector<torch::Tensor> chosen;
  for (auto& p : net->named_parameters()) {
    const bool wanted = named_by(p.key(), options.trainable) && named_by(p.key(), stage_prefixes);
    p.value().set_requires_grad(wanted);
    if (wanted) chosen.push_back(p.value());
  }
  if (chosen.empty()) {
    std::string names;
    for (const auto& prefix : options.trainable) names += (names.empty() ? "" : ", ") + prefix;
    throw std::invalid_argument(fmt::format("train: no parameter of this model in stage {} is named {}", stage + 1, names));
  }
  return chosen;
}

// run.model, with what it is trained on (provenance), pose standardisation statistics from the
// training set when asked for, and the familiarity reference, each unless already there (a
// resumed run's config.json carries them).
ModelConfig effective_model(const TrainRun& run, const WindowDataset& train_set) {
  ModelConfig m = run.model;
  m.provenance.corpus = run.data_dir;
  const EmgModel probe = make_model(m);
  // A model with nothing to learn (the anatomical estimator) takes nothing from the data's EMG; a
  // model fine-tuned from a synthetic one stays marked, whatever the new data.
  const bool learns = probe->named_parameters().size() + probe->named_buffers().size() > 0;
  m.provenance.synthetic_data = m.provenance.synthetic_data || (learns && is_synthetic_corpus(run.data_dir));
  if (!probe->reads_pose()) return m;
  if (run.options.standardise_pose && m.pose.mean.empty()) m = with_standardised_pose(m, train_set.performances());
  // A model fine-tuned from another keeps the reference of the data it first learned from.
  if (m.familiarity.empty()) m = with_familiarity_reference(m, train_set.performances());
  return m;
}

// A model fitted in closed form (the mean predictor) is fitted once on the training EMG.
TrainResult train_in_closed_form(const TrainRun& run, EmgModel& net, const WindowDataset& train_set, const WindowDataset& val_set,
                                 const TrainProgress& progress, bool main_process) {
  std::vector<torch::Tensor> emg;
  for (const auto& p : train_set.performances()) emg.push_back(p.emg);
  if (emg.empty()) throw InputError(run.split_path, "the training set is empty");
  net->fit_closed_form(emg);
  const auto& val = val_set.size() ? val_set : train_set;
  TrainResult r{1, validation_loss(net, val, run.options.batch, run.options.lambda_ot, torch::kCPU),
                (fs::path(run.out_dir) / "best.pt").string(), main_process};
  if (main_process) {
    const nlohmann::json meta = {{"epochs_done", 1}, {"best_val_loss", r.best_val_loss}, {"epochs_since_best", 0}};
    save_checkpoint(r.best_checkpoint, net, meta);
    save_checkpoint((fs::path(run.out_dir) / "latest.pt").string(), net, meta);
    if (progress.on_epoch)
      progress.on_epoch(fmt::format("{} (closed form): val loss {:.5f}", run.model.architecture, r.best_val_loss));
  }
  return r;
}

}  // namespace

double validation_loss(EmgModel& net, const WindowDataset& data, int64_t batch, double lambda_ot, const torch::Device& device,
                       DataParallel* parallel, int64_t tail_samples, int64_t max_windows) {
  torch::NoGradGuard no_grad;
  DataParallel single;
  DataParallel& world = parallel ? *parallel : single;
  const int64_t count = max_windows > 0 ? std::min(max_windows, data.size()) : data.size();
  auto window = [&](int64_t i) { return i * data.size() / count; };  // i itself when all are scored
  double total = 0;
  for (int64_t first = 0; first < count; first += batch) {
    std::vector<int64_t> ids;
    for (int64_t i = first; i < std::min(count, first + batch); ++i) ids.push_back(window(i));
    const std::vector<int64_t> mine = world.shard(ids);
    SinkhornOptions sinkhorn;
    torch::Tensor pred, target;
    if (!mine.empty()) {
      const WindowBatch b = data.batch(mine);
      pred = window_tail(net->forward(to_device(b.pose, device), to_device(b.keys, device)), tail_samples);
      target = window_tail(b.emg.to(device), tail_samples);
    }
    if (world.size() > 1) {
      const int64_t c = net->config().emg_channels;
      sinkhorn.diameter = world.batch_diameter(pred.defined() ? pred : torch::zeros({0, c, 0}),
                                               target.defined() ? target : torch::zeros({0, c, 0}));
    }
    if (!mine.empty())
      total += emg_training_loss(pred, target, lambda_ot, sinkhorn).item<double>() * static_cast<double>(mine.size());
  }
  if (world.size() > 1) {
    std::vector<torch::Tensor> sum{torch::tensor({total}, torch::kDouble)};
    world.all_reduce_sum(sum);
    total = sum[0].item<double>();
  }
  return count ? total / static_cast<double>(count) : std::nan("");
}

void use_training_cpu_settings() {
  set_blas_threads(1);
  keep_freed_memory_for_reuse();
}

TrainResult train_model(const TrainRun& run, const TrainProgress& progress) {
  run.options.check();
  run.model.check();
  const torch::Device device = parse_device(run.options.device);
  const std::shared_ptr<DataParallel> parallel = run.parallel ? run.parallel : make_data_parallel();
  const bool main_process = parallel->is_main();
  const std::string latest = (fs::path(run.out_dir) / "latest.pt").string();
  const std::string best = (fs::path(run.out_dir) / "best.pt").string();
  const WindowDataset train_set = load_set(run, "train", run.options.overlap_samples, run.options.train_minutes);
  const WindowDataset val_set = load_set(run, "val", 0);
  if (train_set.size() == 0) {
    throw InputError(run.split_path, read_split(run.split_path, "train").empty() ? "lists no \"train\" performances"
                                                                                 : "the training set has no complete window");
  }
  const ModelConfig model = effective_model(run, train_set);
  // A resumed run must continue the same model: checked before anything in RUN is rewritten.
  std::optional<LoadedModel> resumed;
  if (run.resume && fs::exists(latest)) {
    resumed.emplace(load_model(latest));
    if (!resumed->net->config().same_model_as(model)) {
      throw InputError(latest, "was trained with another model config; resume with the same one");
    }
  }
  std::ofstream log;
  if (main_process) {
    fs::create_directories(run.out_dir);
    write_file_atomically((fs::path(run.out_dir) / "config.json").string(), nlohmann::json{{"model", model.to_json()},
                                                                                           {"train", run.options.to_json()},
                                                                                           {"data", run.data_dir},
                                                                                           {"split", run.split_path},
                                                                                           {"processes", parallel->size()}}
                                                                                    .dump(2) +
                                                                                "\n");
    log.open((fs::path(run.out_dir) / "train.log").string(), std::ios::app);
  }
  auto say = [&](const std::string& line) {
    if (!main_process) return;
    log << line << std::endl;
    if (progress.on_epoch) progress.on_epoch(line);
  };
  auto save = [&](const std::string& path, EmgModel& net, const nlohmann::json& meta, torch::optim::Optimizer* opt) {
    if (main_process) save_checkpoint(path, net, meta, opt);
  };

  use_training_cpu_settings();
  torch::manual_seed(run.options.seed);
  EmgModel net = make_model(model);
  if (net->fits_in_closed_form()) return train_in_closed_form(run, net, train_set, val_set, progress, main_process);

  net->to(device);
  net->train();
  std::optional<ViewAugmentation> views;
  if (run.options.view_augmentation > 0 && net->reads_pose()) {
    views.emplace(run.data_dir, train_set,
                  ViewAugmentationOptions{run.options.view_augmentation, run.options.view_augmentation_cameras});
    std::vector<std::string> names;
    for (const int f : views->families()) names.emplace_back(synth::camera_family_name(f));
    say(fmt::format("view augmentation: {:.0f}% of training windows filmed again by cameras of {}",
                    100 * run.options.view_augmentation, fmt::join(names, ", ")));
  }
  const int epochs = run.options.epochs;
  int schedule_epochs = epochs;  // the epoch count training_stage() divides into stages
  // Each training stage has its own parameters and optimizer (one stage for most models).
  std::vector<torch::Tensor> params;
  std::unique_ptr<torch::optim::AdamW> optimizer;
  auto begin_stage = [&](int stage) {
    params = trainable_parameters(net, run.options, stage);
    optimizer = std::make_unique<torch::optim::AdamW>(
        params, torch::optim::AdamWOptions(run.options.lr).weight_decay(run.options.weight_decay));
  };
  int start_epoch = 0, since_best = 0;
  double best_val = std::numeric_limits<double>::infinity();
  if (resumed) {
    const LoadedModel& saved = *resumed;
    torch::NoGradGuard no_grad;
    auto src = saved.net->named_parameters();
    for (auto& p : net->named_parameters()) p.value().copy_(src[p.key()]);
    auto buffers = saved.net->named_buffers();
    for (auto& b : net->named_buffers()) b.value().copy_(buffers[b.key()]);
    start_epoch = saved.metadata.at("epochs_done").get<int>();
    // The stage boundaries stay where the run began them, whatever --epochs the resume asks for.
    if (saved.metadata.contains("stage_schedule_epochs")) schedule_epochs = saved.metadata.at("stage_schedule_epochs").get<int>();
    begin_stage(net->training_stage(std::max(0, start_epoch - 1), schedule_epochs));  // the stage latest.pt was saved in
    load_optimizer_state(latest, *optimizer);
    best_val = saved.metadata.at("best_val_loss").get<double>();
    since_best = saved.metadata.at("epochs_since_best").get<int>();
    say(fmt::format("resumed from {} after epoch {}", latest, start_epoch));
  } else {
    begin_stage(net->training_stage(0, schedule_epochs));
  }
  if (!resumed && !run.options.init_model.empty()) {
    const LoadedModel init = load_model(run.options.init_model);
    if (!init.net->config().same_model_as(model))
      throw InputError(run.options.init_model, "has another model config than this run (train takes it from --init when given)");
    torch::NoGradGuard no_grad;
    auto init_params = init.net->named_parameters();
    for (auto& p : net->named_parameters()) p.value().copy_(init_params[p.key()]);
    auto buffers = init.net->named_buffers();
    for (auto& b : net->named_buffers()) b.value().copy_(buffers[b.key()]);
    say(fmt::format("initialised from {}", run.options.init_model));
    if (val_set.size()) {
      best_val = validation_loss(net, val_set, run.options.batch, run.options.lambda_ot, device, parallel.get(),
                                 run.options.loss_tail_samples, run.options.max_val_windows);
      save(best, net, {{"epochs_done", 0}, {"best_val_loss", best_val}, {"epochs_since_best", 0}, {"val_loss", best_val}},
           nullptr);
      say(fmt::format("epoch 0 (the starting weights) val loss {:.5f} best", best_val));
    }
  }

  const int64_t batches_all = (train_set.size() + run.options.batch - 1) / run.options.batch;
  const int64_t batches =
      run.options.max_batches_per_epoch > 0 ? std::min(batches_all, run.options.max_batches_per_epoch) : batches_all;
  int epoch = start_epoch;
  int stage = net->training_stage(std::max(0, start_epoch - 1), schedule_epochs);
  for (; epoch < epochs && since_best < run.options.patience_epochs; ++epoch) {
    if (net->training_stage(epoch, schedule_epochs) != stage) {
      // A new stage trains other parameters toward another goal: best and patience start again.
      stage = net->training_stage(epoch, schedule_epochs);
      begin_stage(stage);
      best_val = std::numeric_limits<double>::infinity();
      since_best = 0;
      say(fmt::format("training stage {} begins at epoch {}", stage + 1, epoch + 1));
    }
    const bool own_loss = net->has_own_loss(stage);
    const double lr = run.options.lr * std::pow(run.options.lr_gamma, epoch / run.options.lr_step_epochs);
    for (auto& group : optimizer->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    const auto order = train_set.shuffled_order(run.options.seed, epoch);
    const auto t0 = std::chrono::steady_clock::now();
    double loss_sum = 0;
    for (int64_t b = 0; b < batches; ++b) {
      const int64_t first = b * run.options.batch;
      const std::vector<int64_t> ids(order.begin() + first,
                                     order.begin() + std::min<int64_t>(first + run.options.batch, train_set.size()));
      const std::vector<int64_t> mine = parallel->shard(ids);  // all of them in a single process
      // This process's share of the global batch's mean loss (see DataParallel::average_gradients).
      const double share = static_cast<double>(mine.size()) / static_cast<double>(ids.size());
      optimizer->zero_grad();
      double batch_loss = 0;
      torch::Tensor pred, target, loss;
      if (!mine.empty()) {
        WindowBatch batch = train_set.batch(mine);
        if (views) views->apply(batch.pose, train_set, mine, run.options.seed, epoch);
        if (own_loss) {
          loss = net->stage_loss(stage, to_device(batch.pose, device), to_device(batch.keys, device), batch.emg.to(device));
        } else {
          pred = window_tail(net->forward(to_device(batch.pose, device), to_device(batch.keys, device)),
                             run.options.loss_tail_samples);
          target = window_tail(batch.emg.to(device), run.options.loss_tail_samples);
        }
      }
      SinkhornOptions sinkhorn;
      if (parallel->size() > 1 && !own_loss) {
        const int64_t c = run.model.emg_channels;
        sinkhorn.diameter = parallel->batch_diameter(pred.defined() ? pred : torch::zeros({0, c, 0}),
                                                     target.defined() ? target : torch::zeros({0, c, 0}));
      }
      if (!mine.empty()) {
        if (!own_loss) loss = emg_training_loss(pred, target, run.options.lambda_ot, sinkhorn);
        batch_loss = loss.item<double>();
        if (!std::isfinite(batch_loss)) throw std::runtime_error(fmt::format("training diverged at epoch {}", epoch + 1));
        if (parallel->size() > 1) loss = loss * (share * parallel->size());
        loss.backward();
      }
      parallel->average_gradients(params);
      torch::nn::utils::clip_grad_norm_(params, run.options.grad_clip_norm);
      optimizer->step();
      loss_sum += batch_loss * share;
      if (progress.on_batch && main_process) progress.on_batch(epoch + 1, b + 1, batches, loss_sum / static_cast<double>(b + 1));
    }
    if (parallel->size() > 1) {
      std::vector<torch::Tensor> sum{torch::tensor({loss_sum}, torch::kDouble)};
      parallel->all_reduce_sum(sum);
      loss_sum = sum[0].item<double>();
    }
    const double train_loss = loss_sum / static_cast<double>(batches);
    const double val = val_set.size()
                           ? validation_loss(net, val_set, run.options.batch, run.options.lambda_ot, device, parallel.get(),
                                             run.options.loss_tail_samples, run.options.max_val_windows)
                           : train_loss;
    const bool improved = val < best_val;
    if (improved) {
      best_val = val;
      since_best = 0;
    } else {
      ++since_best;
    }
    const nlohmann::json meta = {{"epochs_done", epoch + 1},
                                 {"best_val_loss", best_val},
                                 {"epochs_since_best", since_best},
                                 {"train_loss", train_loss},
                                 {"val_loss", val},
                                 {"seed", run.options.seed},
                                 {"stage_schedule_epochs", schedule_epochs}};
    if (improved) save(best, net, meta, nullptr);
    if (run.options.keep_epochs) {
      const fs::path kept = fs::path(run.out_dir) / "epochs" / fmt::format("epoch_{:03d}.pt", epoch + 1);
      if (main_process) fs::create_directories(kept.parent_path());
      save(kept.string(), net, meta, nullptr);
    }
    save(latest, net, meta, optimizer.get());  // last: a kill before this replays the epoch
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    say(fmt::format("epoch {} lr {:.3g} train loss {:.5f} val loss {:.5f}{} ({:.1f} s)", epoch + 1, lr, train_loss, val,
                    improved ? " best" : "", seconds));
  }
  if (since_best >= run.options.patience_epochs) say(fmt::format("early stop: no improvement for {} epochs", since_best));
  return {epoch, best_val, best, main_process};
}

}  // namespace pianokpm
