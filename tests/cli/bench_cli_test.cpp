// pianokpm bench prints the speed table with a measured figure in every row.
#include <regex>

#include "test_support.h"

namespace pianokpm {
namespace {

TEST(BenchCli, PrintsEveryRowWithAFigure) {
  const auto r = testing::run_cli("bench --repeats 1 --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* row : {"| predict, 60 s of playing | ", "| predict, one 1-s window (latency) | ",
                          "| training step, batch 8, MSE + Sinkhorn, AdamW | "}) {
    const auto at = r.output.find(row);
    ASSERT_NE(at, std::string::npos) << row << "\n" << r.output;
    // The figure right after the label is a positive number.
    const std::string rest = r.output.substr(at + std::string(row).size(), 20);
    EXPECT_TRUE(std::regex_search(rest, std::regex("^[0-9]+(\\.[0-9]+)? (s|ms)"))) << rest;
    EXPECT_GT(std::stod(rest), 0.0) << rest;
  }
#ifdef PIANOKPM_HAVE_OPENCV
  EXPECT_NE(r.output.find("| pose, 640x480 frame, lite models"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("not measured"), std::string::npos) << r.output;
#else  // without OpenCV the tracking rows say they were not measured
  EXPECT_NE(r.output.find("not measured"), std::string::npos) << r.output;
#endif
}

}  // namespace
}  // namespace pianokpm
