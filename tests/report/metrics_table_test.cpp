// metrics.md as a reader sees it: the heading, the muscle columns in channel order, missing
// values as "-", the mean row, and the interval's coverage line.
#include "report/metrics_table.h"

#include "test_support.h"

namespace pianokpm {
namespace {

nlohmann::json metrics() {
  const nlohmann::json pearson = {0.5, 0.25, nullptr, 0.125, 0.07, 1.0};
  nlohmann::json mean = {{"rmse", 0.2}, {"otd", nullptr}, {"onset_error_ms", 12.34}};
  mean["pearson"] = {{"ADM", 0.5}, {"PB", 0.25}, {"1DI", nullptr}, {"2DI", 0.125}, {"3DI", 0.07}, {"4DI", 1.0}};
  return {{"model", "m.pt"},
          {"architecture", "codetalker"},
          {"modality", "pose"},
          {"split", "s.json"},
          {"set", "test"},
          {"performances", {{{"name", "p1"}, {"rmse", 0.2}, {"otd", nullptr}, {"onset_error_ms", 12.34}, {"pearson", pearson}}}},
          {"mean", mean}};
}

TEST(MetricsTable, RowsAndColumnsInChannelOrder) {
  const std::string md = metrics_markdown(metrics());
  EXPECT_NE(md.find("# test on `s.json` (1 performances)"), std::string::npos) << md;
  EXPECT_NE(md.find("Model `m.pt` (codetalker, pose)."), std::string::npos) << md;
  EXPECT_NE(md.find("| performance | RMSE | OTD | onset error (ms) | r ADM | r PB | r 1DI | r 2DI | r 3DI | r 4DI |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| p1 | 0.2000 | - | 12.3 | 0.500 | 0.250 | - | 0.125 | 0.070 | 1.000 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| **mean** | 0.2000 | - | 12.3 | 0.500 | 0.250 | - | 0.125 | 0.070 | 1.000 |"), std::string::npos) << md;
  EXPECT_EQ(md.find("Coverage"), std::string::npos);
}

TEST(MetricsTable, IntervalCoverageLine) {
  nlohmann::json m = metrics();
  m["interval_level"] = 0.9;
  m["mean"]["coverage"] = {{"ADM", 0.875}, {"PB", 0.9}};
  m["mean"]["coverage_all"] = 0.8871;
  m["mean"]["interval_width"] = 0.12346;
  const std::string md = metrics_markdown(m);
  EXPECT_NE(md.find("Coverage of the 90% interval"), std::string::npos) << md;
  EXPECT_NE(md.find("all 0.887; mean width 0.1235."), std::string::npos) << md;
}

TEST(MetricsTable, StreamingLine) {
  EXPECT_EQ(metrics_markdown(metrics()).find("offline"), std::string::npos);
  nlohmann::json m = metrics();
  m["stream_hop_s"] = 0.1;
  m["mean"]["rmse_offline"] = 0.19;
  m["mean"]["rmse_to_offline"] = 0.01234;
  const std::string md = metrics_markdown(m);
  EXPECT_NE(md.find("one window every 0.1 s"), std::string::npos) << md;
  EXPECT_NE(md.find("the offline prediction's RMSE is 0.1900"), std::string::npos) << md;
  EXPECT_NE(md.find("between the streamed and offline predictions is 0.0123."), std::string::npos) << md;
}

}  // namespace
}  // namespace pianokpm
