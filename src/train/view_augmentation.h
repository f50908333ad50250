#pragma once
// Training on more viewpoints than a corpus filmed. A corpus made by `pianokpm synth` stores the
// 3D hand its cameras film (data/corpus_dataset.h: kHand3dFolder); with view augmentation each
// training window's top view is, with probability `share`, filmed again through a camera drawn
// afresh (synth/camera_rig.h: a family's placement, focal length, image size, mirroring, and
// tracking noise like MediaPipe's), so a one-view model sees each movement from many cameras
// instead of the one its performance was filmed with. Cameras come from the families the training
// performances were filmed with ("training": a family a split holds out stays unseen) or from
// every family ("any").
#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace pianokpm {

class WindowDataset;

struct ViewAugmentationOptions {
  double share = 0;                  // of training windows, 0..1; 0: none
  std::string cameras = "training";  // "training" or "any"

  void check() const;  // throws std::invalid_argument naming the field
};

class ViewAugmentation {
 public:
  // Reads each of `set`'s performances' 3D hand and camera family from `data_dir` (kHand3dFolder,
  // meta/NAME.json). Throws InputError naming the file when one is missing or malformed (a corpus
  // not made by synth, made before it stored the 3D hand, or filmed by the fixed cameras).
  ViewAugmentation(const std::string& data_dir, const WindowDataset& set, const ViewAugmentationOptions& options);

  // pose [B, C, F] (the top view's 21 x, y pixel pairs first) of `set`'s windows `windows`: each
  // window's top view re-filmed with probability share. Deterministic in (seed, epoch, window).
  void apply(torch::Tensor& pose, const WindowDataset& set, const std::vector<int64_t>& windows, uint64_t seed,
             int64_t epoch) const;

  // The camera families drawn from (synth/camera_rig.h indices), for logs and tests.
  const std::vector<int>& families() const { return families_; }

 private:
  ViewAugmentationOptions options_;
  std::vector<torch::Tensor> hands_;                 // per performance, [T, 21, 3] float64 mm
  std::vector<std::array<double, 3>> hand_centres_;  // per performance, mm: where its cameras aim
  std::vector<int> families_;
};

}  // namespace pianokpm
