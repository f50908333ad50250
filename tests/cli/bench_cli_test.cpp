// pianokpm bench prints the speed table with a measured figure in every row.
#include <regex>

#include "test_support.h"

namespace pianokpm {
namespace {

TEST(BenchCli, PrintsEveryRowWithAFigure) {
  const auto r = testing::run_cli("bench --repeats 1 --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* row : {"| predict, 60 s of playing | ", "| predict, one 1-s window (latency; the baseline) | ",
                          "| training step, batch 8, MSE + Sinkhorn, AdamW | "}) {
    const auto at = r.output.find(row);
    ASSERT_NE(at, std::string::npos) << row << "\n" << r.output;
    // The figure right after the label is a positive number.
    const std::string rest = r.output.substr(at + std::string(row).size(), 20);
    EXPECT_TRUE(std::regex_search(rest, std::regex("^[0-9]+(\\.[0-9]+)? (s|ms)"))) << rest;
    EXPECT_GT(std::stod(rest), 0.0) << rest;
  }
  // The conditions a figure depends on: processor, cores, day, load.
  EXPECT_TRUE(
      std::regex_search(r.output, std::regex("machine: .+, [0-9]+ cores usable, .*20[0-9]{2}-[0-9]{2}-[0-9]{2} \\(UTC\\); "
                                             "load average [0-9.]+")))
      << r.output;
  // The same-run baseline column: the one-window row is 1.0, the 60-s row its time over the window's.
  std::smatch one, minute;
  ASSERT_TRUE(std::regex_search(r.output, one, std::regex("\\| predict, one 1-s window[^|]*\\| ([0-9]+) ms \\| ([0-9.]+) \\|")));
  EXPECT_EQ(one[2].str(), "1.00");
  ASSERT_TRUE(
      std::regex_search(r.output, minute, std::regex("\\| predict, 60 s of playing \\| ([0-9.]+) s, [^|]*\\| ([0-9.]+) \\|")));
  const double expected = std::stod(minute[1].str()) * 1000 / std::stod(one[1].str());
  EXPECT_NEAR(std::stod(minute[2].str()), expected, 0.05 * expected + 1) << minute[0];
#ifdef PIANOKPM_HAVE_OPENCV
  EXPECT_NE(r.output.find("| pose, 640x480 frame, lite models"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("not measured"), std::string::npos) << r.output;
#else  // without OpenCV the tracking rows say they were not measured
  EXPECT_NE(r.output.find("not measured"), std::string::npos) << r.output;
#endif
}

}  // namespace
}  // namespace pianokpm
