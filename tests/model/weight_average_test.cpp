#include "model/weight_average.h"

#include "core/input_error.h"
#include "model/model_registry.h"
#include "model/state_dict.h"
#include "test_support.h"

namespace pianokpm {
namespace {

std::string saved_net(const testing::ScratchDir& dir, const std::string& name, uint64_t seed,
                      Modality modality = Modality::kPoseAndKeys) {
  torch::manual_seed(seed);
  ModelConfig c;
  c.modality = modality;
  EmgModel net = make_model(c);
  save_checkpoint(dir / name, net);
  return dir / name;
}

NamedTensors weights_of(const std::string& path) {
  LoadedModel m = load_model(path);
  return named_tensors(m.net);
}

TEST(WeightAverage, EveryTensorIsTheFloat64MeanOfTheCheckpoints) {
  testing::ScratchDir dir;
  const std::vector<std::string> paths = {saved_net(dir, "a.pt", 1), saved_net(dir, "b.pt", 2), saved_net(dir, "c.pt", 3)};
  LoadedModel averaged = average_checkpoints(paths);
  std::vector<NamedTensors> inputs;
  for (const auto& p : paths) inputs.push_back(weights_of(p));
  const NamedTensors out = named_tensors(averaged.net);
  ASSERT_EQ(out.size(), inputs[0].size());
  for (size_t k = 0; k < out.size(); ++k) {
    torch::Tensor expected = torch::zeros_like(out[k].second, torch::kDouble);
    for (const auto& in : inputs) expected += in[k].second.to(torch::kDouble);
    expected /= 3.0;
    EXPECT_EQ(out[k].second.scalar_type(), torch::kFloat) << out[k].first;
    // float32 rounding of the mean, and nothing more
    EXPECT_LE(testing::max_abs_diff(out[k].second, expected), 1e-7 * (1.0 + expected.abs().max().item<double>())) << out[k].first;
  }
  EXPECT_EQ(averaged.metadata.at("averaged_from").size(), 3u);
}

TEST(WeightAverage, CopiesOfOneCheckpointAverageToItself) {
  testing::ScratchDir dir;
  const std::string a = saved_net(dir, "a.pt", 5);
  LoadedModel averaged = average_checkpoints({a, a, a});
  const NamedTensors in = weights_of(a), out = named_tensors(averaged.net);
  ASSERT_EQ(out.size(), in.size());
  ASSERT_FALSE(out.empty());
  for (size_t k = 0; k < out.size(); ++k) EXPECT_TRUE(torch::equal(out[k].second, in[k].second)) << out[k].first;
}

TEST(WeightAverage, RefusesAnotherModelConfigNamingTheFile) {
  testing::ScratchDir dir;
  const std::string a = saved_net(dir, "a.pt", 1), other = saved_net(dir, "pose_only.pt", 1, Modality::kPoseOnly);
  try {
    average_checkpoints({a, other});
    FAIL() << "averaged checkpoints of different models";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("pose_only.pt"), std::string::npos) << e.what();
  }
  EXPECT_THROW(average_checkpoints({}), std::invalid_argument);
  EXPECT_THROW(average_checkpoints({a, dir / "absent.pt"}), InputError);
}

}  // namespace
}  // namespace pianokpm
