// Familiarity on synthetic hands (synth/ makes them, model/ scores them): windows like the
// training ones are familiar, frozen or scrambled keypoints are not, and a camera move the hand
// frame removes changes nothing.
#include "model/familiarity.h"
#include "model/pose_front_end.h"
#include "synth/corpus.h"
#include "test_support.h"

namespace pianokpm {
namespace {

// Top-view windows [W, 42, 60] of one synthetic performance (pixels).
torch::Tensor windows_of(int pianist, int take, const std::string& cameras = "fixed") {
  synth::SynthOptions o;
  o.seconds = 40;
  o.cameras = cameras;
  const synth::Pianist p = synth::Pianist::sample(pianist, o.seed);
  const synth::Performance perf = synth::generate_performance(o, p, {1, 1, 1, 1, 1, 1}, 7, take);
  const int64_t w = perf.pose_top.size(0) / 60;
  return perf.pose_top.narrow(0, 0, w * 60).narrow(2, 0, 2).reshape({w, 60, 42}).permute({0, 2, 1}).contiguous();
}

TEST(Familiarity, TellsHandsLikeTheTrainingOnesFromFrozenAndScrambledOnes) {
  ModelConfig config;
  config.modality = Modality::kPoseOnly;
  config.num_views = 1;
  config.pose.frame = PoseFrame::kHand;
  std::vector<torch::Tensor> neighbours, calibration;
  for (int pianist = 1; pianist <= 4; ++pianist) neighbours.push_back(windows_of(pianist, 1));
  for (int pianist = 1; pianist <= 4; ++pianist) calibration.push_back(windows_of(pianist, 3));
  config.familiarity = fit_familiarity(window_descriptors(pose_features(config, torch::cat(neighbours, 0))),
                                       window_descriptors(pose_features(config, torch::cat(calibration, 0))));
  config.check();

  const torch::Tensor unseen = windows_of(5, 2);
  const torch::Tensor familiar = pose_familiarity(config, unseen);
  EXPECT_GT(familiar.median().item<double>(), 0.1) << familiar;

  // one frame held for the whole window: a frozen tracker
  const torch::Tensor frozen = unseen.narrow(2, 0, 1).expand_as(unseen).contiguous();
  EXPECT_LT(pose_familiarity(config, frozen).max().item<double>(), 0.01);
  // keypoints in the wrong slots (the wrist and middle MCP kept, so the frame is still defined): not a hand
  const torch::Tensor order =
      torch::tensor({0, 20, 19, 18, 17, 16, 15, 14, 13, 9, 12, 11, 10, 8, 7, 6, 5, 4, 3, 2, 1}, torch::kLong);
  const torch::Tensor scrambled = unseen.view({-1, 21, 2, 60}).index_select(1, order).reshape_as(unseen);
  EXPECT_LT(pose_familiarity(config, scrambled).median().item<double>(), 0.01);
  // the camera moved (and a left hand): the hand frame removes it, familiarity is unchanged (up to
  // the float32 rounding of the moved pixel coordinates)
  torch::Tensor moved = unseen.clone();
  moved.view({-1, 21, 2, 60}).select(2, 0).mul_(-0.5).add_(900);
  moved.view({-1, 21, 2, 60}).select(2, 1).mul_(0.5).add_(-40);
  EXPECT_LT((pose_familiarity(config, moved) - familiar).abs().max().item<double>(), 1e-4);
}

}  // namespace
}  // namespace pianokpm
