// The parts `adapt --part` fine-tunes come from each model: where a model has an encoder and a
// decoder apart, the two cover all of its parameters and share none; where not, it says so.
#include <stdexcept>
#include <string>
#include <vector>

#include "model/model_registry.h"
#include "test_support.h"

namespace pianokpm {
namespace {

int parameters_under(const EmgModel& model, const std::vector<std::string>& prefixes, int* total = nullptr) {
  int n = 0, all = 0;
  for (const auto& p : model->named_parameters()) {
    ++all;
    for (const auto& prefix : prefixes) n += p.key().rfind(prefix, 0) == 0;
  }
  if (total) *total = all;
  return n;
}

EmgModel model_of(const std::string& architecture) {
  ModelConfig config;
  config.architecture = architecture;
  return make_model(config);
}

TEST(ModelParts, EncoderAndDecoderSplitTheParametersInTwo) {
  for (const char* name : {"pianokpm", "linear_readout"}) {
    const EmgModel model = model_of(name);
    EXPECT_TRUE(model->part_parameters("all").empty()) << name << ": all means every weight";
    int total = 0;
    const int encoder = parameters_under(model, model->part_parameters("encoder"), &total);
    const int decoder = parameters_under(model, model->part_parameters("decoder"));
    EXPECT_GT(encoder, 0) << name;
    EXPECT_GT(decoder, 0) << name;
    EXPECT_EQ(encoder + decoder, total) << name << ": every parameter in exactly one part";
  }
}

TEST(ModelParts, ModelsWithoutSeparatePartsSaySo) {
  for (const char* name : {"neuropose", "mean", "codetalker", "pose_tcn"}) {
    const EmgModel model = model_of(name);
    EXPECT_TRUE(model->part_parameters("all").empty()) << name;
    for (const char* part : {"encoder", "decoder"}) {
      try {
        model->part_parameters(part);
        ADD_FAILURE() << name << " gave a " << part;
      } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("no separate encoder and decoder"), std::string::npos) << e.what();
      }
    }
  }
  EXPECT_THROW(model_of("pianokpm")->part_parameters("wrist"), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm
