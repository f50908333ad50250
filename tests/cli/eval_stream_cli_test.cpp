// pianokpm eval --stream-hop end to end on a small synthetic corpus: streaming as `live` does,
// measured against offline predict. Needs no live libraries (eval/streamed_prediction.h).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "io/array_file.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::run_cli;
using testing::ScratchDir;

// eval --stream-hop predicts as live does: with a one-window hop the windows are offline's, so the
// two agree; with 100 ms hops they differ a little, and both are measured against the truth.
TEST(EvalStreamCli, EvalStreamHopComparesStreamingWithOffline) {
  ScratchDir dir;
  auto r = run_cli("synth --out " + (dir / "c") + " --pianists 1 --tasks 1 --takes 4 --seconds 4 --seed 9");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string model = std::string(PIANOKPM_FIXTURES) + "/../../assets/models/synthetic_top_pose.pt";
  auto metrics = [&](const std::string& hop) {
    auto e = run_cli("eval --model " + model + " --data " + (dir / "c") + " --split " + (dir / "c/dataset_architectural.json") +
                     " --set train --no-otd --stream-hop " + hop + " --out " + (dir / ("e" + hop)));
    EXPECT_EQ(e.exit_code, 0) << e.output;
    return nlohmann::json::parse(testing::read_bytes(dir / ("e" + hop + "/metrics.json"))).at("mean");
  };
  const auto whole = metrics("1");
  EXPECT_LT(whole.at("rmse_to_offline").get<double>(), 1e-5);
  EXPECT_NEAR(whole.at("rmse").get<double>(), whole.at("rmse_offline").get<double>(), 1e-5);
  const auto hop = metrics("0.1");
  // A one-window hop has nothing to save: whole windows; 100-ms hops of this model are incremental.
  const auto whole_file = nlohmann::json::parse(testing::read_bytes(dir / "e1/metrics.json"));
  const auto hop_file = nlohmann::json::parse(testing::read_bytes(dir / "e0.1/metrics.json"));
  EXPECT_FALSE(whole_file.at("stream_incremental").get<bool>());
  EXPECT_TRUE(hop_file.at("stream_incremental").get<bool>());
  EXPECT_GT(hop.at("rmse_to_offline").get<double>(), 0.0);
  EXPECT_LT(hop.at("rmse_to_offline").get<double>(), hop.at("rmse").get<double>());
  EXPECT_NEAR(hop.at("rmse_offline").get<double>(), whole.at("rmse_offline").get<double>(), 1e-9);

  // Independently of eval's own offline path: `predict` on each performance, and the RMSE to the
  // streamed predictions eval wrote, in float64 here.
  double sum = 0;
  const std::vector<std::string> train = {"t1_p1_1", "t1_p1_3"};  // dataset_architectural.json's train set
  for (const auto& name : train) {
    const std::string offline = dir / (name + "_offline.npy");
    r = run_cli("predict --model " + model + " --pose-top " + (dir / ("c/hand_data/keyp_top/" + name + ".pkl")) + " --out " +
                offline);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const torch::Tensor off = read_array(offline).to(torch::kFloat64);
    const torch::Tensor at_whole = read_array(dir / ("e1/predictions/" + name + ".npy")).to(torch::kFloat64);
    const torch::Tensor at_hop = read_array(dir / ("e0.1/predictions/" + name + ".npy")).to(torch::kFloat64);
    const int64_t m = std::min(off.size(0), at_hop.size(0));
    ASSERT_GT(m, 3000) << name;
    EXPECT_LT((at_whole.narrow(0, 0, m) - off.narrow(0, 0, m)).abs().max().item<double>(), 1e-5) << name;
    sum += (at_hop.narrow(0, 0, m) - off.narrow(0, 0, m)).pow(2).mean().sqrt().item<double>();
  }
  EXPECT_NEAR(hop.at("rmse_to_offline").get<double>(), sum / static_cast<double>(train.size()), 1e-6);
}

TEST(EvalStreamCli, AnEnsembleIsRefused) {
  ScratchDir dir;
  const std::string model = std::string(PIANOKPM_FIXTURES) + "/../../assets/models/synthetic_top_pose.pt";
  testing::write_bytes(dir / "ens.json", "{\"members\": [\"" + model + "\", \"" + model + "\"]}");
  // Refused before the data is read: none is needed here.
  const auto r = run_cli("eval --model " + (dir / "ens.json") + " --data " + (dir / "c") + " --split " + (dir / "split.json") +
                         " --stream-hop 0.1 --out " + (dir / "e"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--stream-hop: is for one model, not an ensemble"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace pianokpm
