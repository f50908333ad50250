// Streamed evaluation (eval --stream-hop): recorded streams fed frame by frame as live feeds them.
#include "eval/streamed_prediction.h"

#include "data/windowing.h"
#include "core/input_error.h"
#include "model/checkpoint.h"
#include "model/model_registry.h"
#include "predict/ensemble.h"
#include "predict/predictor.h"
#include "test_support.h"

namespace pianokpm {
namespace {

// A small one-view model reading pixels of a 1280x720 image (as live's camera gives them).
ModelConfig one_view(Modality modality) {
  ModelConfig c;
  c.modality = modality;
  c.num_views = 1;
  c.pose.scale = {1.0 / 1280, 1.0 / 720};
  c.options = {{"hidden_channels", 16}, {"tds_channels", 4}, {"tds_width", 4}, {"decoder_hidden", 16}};
  return c;
}

// Three seconds as recorded: keypoints in pixels [180, 42] and key depth [3072, 88], as the model reads.
PerformanceStreams recorded(const ModelConfig& c) {
  PerformanceStreams s;
  if (uses_pose(c.modality)) s.pose = torch::rand({180, c.pose_channels()}) * 600 + 300;
  if (uses_keys(c.modality)) s.keys = torch::rand({3072, c.num_keys});
  return s;
}

TEST(StreamedPrediction, WithAOneWindowHopEqualsOfflinePredict) {
  for (Modality m : {Modality::kPoseOnly, Modality::kPoseAndKeys}) {
    torch::manual_seed(3);
    const ModelConfig c = one_view(m);
    const EmgModel net = make_model(c);
    const PerformanceStreams s = recorded(c);
    const torch::Tensor streamed = predict_streamed(net, s, 1.0);
    const torch::Tensor offline = predict_performance(net, PerformanceWindows(s, c), PredictOptions());
    ASSERT_EQ(streamed.sizes(), offline.sizes()) << to_string(m);
    EXPECT_LE(testing::max_abs_diff(streamed, offline), 1e-5) << to_string(m);
    EXPECT_GT(offline.std().item<double>(), 0.0);
    // 100-ms hops: other windows, but every row once.
    EXPECT_EQ(predict_streamed(net, s, 0.1).size(0), offline.size(0)) << to_string(m);
  }
}

TEST(StreamedPrediction, NeedsOneModelThatReadsPose) {
  const ModelConfig keys_only = one_view(Modality::kKeysOnly);
  EXPECT_THROW(predict_streamed(make_model(keys_only), recorded(keys_only), 1.0), std::invalid_argument);
  testing::ScratchDir dir;
  EmgModel net = make_model(one_view(Modality::kPoseOnly));
  save_checkpoint(dir / "a.pt", net);
  save_ensemble(dir / "ens.json", {dir / "a.pt", dir / "a.pt"}, {});
  const Estimator ensemble = Estimator::load(dir / "ens.json");
  try {
    streamed_predictor(ensemble, 0.1);
    FAIL() << "an ensemble is not streamed";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), dir / "ens.json");
  }
  const Estimator one = Estimator::load(dir / "a.pt");
  EXPECT_NO_THROW(streamed_predictor(one, 0.1));
}

}  // namespace
}  // namespace pianokpm
