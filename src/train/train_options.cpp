#include "train/train_options.h"

#include <stdexcept>

#include "train/view_augmentation.h"

namespace pianokpm {

void TrainOptions::check() const {
  auto require = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("train: ") + what);
  };
  require(epochs >= 1, "epochs must be >= 1");
  require(batch >= 1, "batch must be >= 1");
  require(lr > 0, "lr must be > 0");
  require(weight_decay >= 0, "weight_decay must be >= 0");
  require(lr_step_epochs >= 1 && lr_gamma > 0, "lr_step_epochs must be >= 1 and lr_gamma > 0");
  require(grad_clip_norm > 0, "grad_clip_norm must be > 0");
  require(patience_epochs >= 1, "patience_epochs must be >= 1");
  require(lambda_ot >= 0, "lambda_ot must be >= 0");
  require(overlap_samples >= 0, "overlap_samples must be >= 0");
  require(max_batches_per_epoch >= 0, "max_batches_per_epoch must be >= 0");
  require(max_val_windows >= 0, "max_val_windows must be >= 0");
  require(loss_tail_samples >= 0, "loss_tail_samples must be >= 0");
  require(train_minutes >= 0, "train_minutes must be >= 0");
  for (const auto& prefix : trainable) require(!prefix.empty(), "trainable names must not be empty");
  ViewAugmentationOptions{view_augmentation, view_augmentation_cameras}.check();
}

nlohmann::json TrainOptions::to_json() const {
  return {{"epochs", epochs},
          {"batch", batch},
          {"lr", lr},
          {"weight_decay", weight_decay},
          {"lr_step_epochs", lr_step_epochs},
          {"lr_gamma", lr_gamma},
          {"grad_clip_norm", grad_clip_norm},
          {"seed", seed},
          {"patience_epochs", patience_epochs},
          {"lambda_ot", lambda_ot},
          {"overlap_samples", overlap_samples},
          {"max_batches_per_epoch", max_batches_per_epoch},
          {"max_val_windows", max_val_windows},
          {"device", device},
          {"standardise_pose", standardise_pose},
          {"keep_epochs", keep_epochs},
          {"loss_tail_samples", loss_tail_samples},
          {"init_model", init_model},
          {"trainable", trainable},
          {"train_minutes", train_minutes},
          {"view_augmentation", view_augmentation},
          {"view_augmentation_cameras", view_augmentation_cameras}};
}

TrainOptions TrainOptions::from_json(const nlohmann::json& j) {
  TrainOptions o;
  const auto defaults = o.to_json();
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!defaults.contains(it.key())) throw std::invalid_argument("train config: unknown field '" + it.key() + "'");
  }
  try {
    auto get = [&](const char* key, auto& field) {
      if (j.contains(key)) field = j.at(key).get<std::decay_t<decltype(field)>>();
    };
    get("epochs", o.epochs);
    get("batch", o.batch);
    get("lr", o.lr);
    get("weight_decay", o.weight_decay);
    get("lr_step_epochs", o.lr_step_epochs);
    get("lr_gamma", o.lr_gamma);
    get("grad_clip_norm", o.grad_clip_norm);
    get("seed", o.seed);
    get("patience_epochs", o.patience_epochs);
    get("lambda_ot", o.lambda_ot);
    get("overlap_samples", o.overlap_samples);
    get("max_batches_per_epoch", o.max_batches_per_epoch);
    get("max_val_windows", o.max_val_windows);
    get("device", o.device);
    get("standardise_pose", o.standardise_pose);
    get("keep_epochs", o.keep_epochs);
    get("loss_tail_samples", o.loss_tail_samples);
    get("init_model", o.init_model);
    get("trainable", o.trainable);
    get("train_minutes", o.train_minutes);
    get("view_augmentation", o.view_augmentation);
    get("view_augmentation_cameras", o.view_augmentation_cameras);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("train config: ") + e.what());
  }
  o.check();
  return o;
}

}  // namespace pianokpm
