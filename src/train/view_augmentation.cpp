#include "train/view_augmentation.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

#include "core/input_error.h"
#include "data/corpus_dataset.h"
#include "io/array_file.h"
#include "synth/camera_rig.h"
#include "synth/hand_model.h"
#include "synth/random.h"

namespace pianokpm {

namespace fs = std::filesystem;

void ViewAugmentationOptions::check() const {
  if (!(share >= 0 && share <= 1)) throw std::invalid_argument("train: view_augmentation must be 0..1");
  if (cameras != "training" && cameras != "any")
    throw std::invalid_argument("train: view_augmentation_cameras must be training or any, not '" + cameras + "'");
}

namespace {

constexpr uint64_t kViewAugmentationStream = 7;  // keeps these draws apart from the trainer's other seeded streams

int family_of(const std::string& meta_path) {
  std::ifstream in(meta_path);
  if (!in) throw InputError(meta_path, "cannot be read (view augmentation needs the corpus's meta/ from synth)");
  nlohmann::json meta;
  try {
    in >> meta;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(meta_path, std::string("is not valid JSON: ") + e.what());
  }
  if (!meta.contains("camera_top") || !meta["camera_top"].contains("family"))
    throw InputError(meta_path, "names no camera_top family: view augmentation needs a corpus made with --cameras varied");
  const std::string name = meta["camera_top"]["family"].get<std::string>();
  for (int f = 0; f < synth::kCameraFamilies; ++f)
    if (name == synth::camera_family_name(f)) return f;
  throw InputError(meta_path, "names an unknown camera family '" + name + "'");
}

}  // namespace

ViewAugmentation::ViewAugmentation(const std::string& data_dir, const WindowDataset& set, const ViewAugmentationOptions& options)
    : options_(options) {
  options_.check();
  std::vector<bool> seen(synth::kCameraFamilies, options_.cameras == "any");
  for (const CorpusPerformance& p : set.performances()) {
    const std::string path = (fs::path(data_dir) / kHand3dFolder / (p.name + ".pkl")).string();
    if (!fs::exists(path))
      throw InputError(path,
                       "is missing: view augmentation needs the 3D hand that pianokpm synth stores (make the corpus again)");
    torch::Tensor hand = read_array(path);
    if (hand.dim() != 3 || hand.size(1) != synth::kNumKeypoints || hand.size(2) != 3 ||
        (p.streams.pose.defined() && hand.size(0) < p.streams.pose.size(0)))
      throw InputError(path, "is not the performance's [T, 21, 3] 3D hand");
    hand = hand.to(torch::kDouble).contiguous();
    if (!torch::isfinite(hand).all().item<bool>()) throw InputError(path, "contains NaN or Inf");
    hand_centres_.push_back(synth::hand_centre(hand));
    hands_.push_back(hand);
    seen[static_cast<size_t>(family_of((fs::path(data_dir) / "meta" / (p.name + ".json")).string()))] = true;
  }
  for (int f = 0; f < synth::kCameraFamilies; ++f)
    if (seen[static_cast<size_t>(f)]) families_.push_back(f);
}

void ViewAugmentation::apply(torch::Tensor& pose, const WindowDataset& set, const std::vector<int64_t>& windows, uint64_t seed,
                             int64_t epoch) const {
  if (options_.share <= 0 || !pose.defined() || families_.empty()) return;
  const int64_t frames = pose.size(2), top_channels = synth::kNumKeypoints * 2;
  for (size_t i = 0; i < windows.size(); ++i) {
    std::mt19937_64 rng(
        synth::mix_seed(seed, static_cast<uint64_t>(epoch), static_cast<uint64_t>(windows[i]), kViewAugmentationStream));
    if (std::uniform_real_distribution<double>(0, 1)(rng) >= options_.share) continue;
    const auto [performance, first_frame] = set.window_start(windows[i]);
    const auto p = static_cast<size_t>(performance);
    const int family = families_[std::uniform_int_distribution<size_t>(0, families_.size() - 1)(rng)];
    const synth::CameraSetup camera = synth::draw_camera(family, hand_centres_[p], rng);
    const torch::Tensor filmed =
        synth::film_with_camera(hands_[p].narrow(0, first_frame, frames), camera, synth::TrackingNoise{}, rng);  // [F, 21, 3]
    pose[static_cast<int64_t>(i)].narrow(0, 0, top_channels).copy_(filmed.narrow(2, 0, 2).reshape({frames, top_channels}).t());
  }
}

}  // namespace pianokpm
