#pragma once
// Training and evaluation data in the release layout: a split file names performances; each has
// hand_data/keyp_top, hand_data/keyp_right, keystroke_data and emg_data pickles. Performances are
// cut into windows of pose_frames frames / window_samples samples, with the given overlap.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "data/performance.h"
#include "core/stream_layout.h"

namespace pianokpm {

// What a corpus made by `pianokpm synth` holds beside the release's folders: the 3D hand every
// camera films, NAME.pkl [T, 21, 3] float32 millimetres in the keyboard's frame (synth/keyboard.h)
// at the pose rate, from which training can film a window again through another camera.
inline constexpr const char* kHand3dFolder = "hand_data/keyp_3d";

// Whether `data_dir` is a corpus made by `pianokpm synth` (it holds the corpus.json synth writes):
// its EMG is simulated, and models trained on it say so (ModelConfig::provenance).
bool is_synthetic_corpus(const std::string& data_dir);

// Names listed under `set` ("train", "val", "test", "test_cross_user", ...) in a split JSON,
// without the ".pkl" suffix. Errors name the file.
std::vector<std::string> read_split(const std::string& split_path, const std::string& set);

struct CorpusPerformance {
  std::string name;
  PerformanceStreams streams;  // pose/keys as the modality needs (both loaded when available)
  torch::Tensor emg;           // [N, emg] float32
};

// Loads one performance and checks it: keys and EMG must have equal length, pose must agree
// with them within one window. `needs` decides which streams are required.
CorpusPerformance load_corpus_performance(const std::string& data_dir, const std::string& name, const StreamLayout& needs);

// Every performance listed under `set` in the split file, loaded and checked as above.
std::vector<CorpusPerformance> load_split_performances(const std::string& data_dir, const std::string& split_path,
                                                       const std::string& set, const StreamLayout& needs);

// The first `minutes` of playing of `performances` in their order; the last one used is cut
// (its streams at the same time), and a remainder shorter than one window is left out.
// Throws InputError naming `source` when `minutes` is less than one window (layout.window_seconds).
std::vector<CorpusPerformance> first_minutes(std::vector<CorpusPerformance> performances, double minutes,
                                             const StreamLayout& layout, const std::string& source);

struct WindowBatch {
  torch::Tensor pose;  // [B, C, frames] or undefined
  torch::Tensor keys;  // [B, 88, samples] or undefined
  torch::Tensor emg;   // [B, emg, samples]
};

// Complete windows of every performance, starting every (window - overlap) samples.
class WindowDataset {
 public:
  WindowDataset(std::vector<CorpusPerformance> performances, const StreamLayout& layout, int64_t overlap_samples);
  int64_t size() const { return static_cast<int64_t>(index_.size()); }
  WindowBatch batch(const std::vector<int64_t>& windows) const;
  // A permutation of all windows that depends only on (seed, epoch): resumable shuffling.
  std::vector<int64_t> shuffled_order(uint64_t seed, int64_t epoch) const;
  const std::vector<CorpusPerformance>& performances() const { return performances_; }
  // Window w's performance (index into performances()) and first pose frame.
  std::pair<int64_t, int64_t> window_start(int64_t w) const;

 private:
  std::vector<CorpusPerformance> performances_;
  StreamLayout layout_;
  std::vector<std::pair<int64_t, int64_t>> index_;  // (performance, first sample)
};

}  // namespace pianokpm
