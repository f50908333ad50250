#include "io/array_file.h"
#include "test_support.h"

namespace pianokpm {
namespace {

TEST(SynthCli, HelpDocumentsEveryOptionAndThePhysiology) {
  const auto r = testing::run_cli("synth --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* s : {"--out", "--pianists", "--tasks", "--takes", "--seconds", "--seed", "--threads",
                        "electromechanical delay", "co-contraction", "MVC"}) {
    EXPECT_NE(r.output.find(s), std::string::npos) << s;
  }
}

TEST(SynthCli, WritesACorpusAndRefusesBadOptions) {
  testing::ScratchDir dir;
  const auto ok = testing::run_cli("synth --out " + (dir / "c") + " --pianists 2 --tasks 2 --takes 1 --seconds 3");
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_EQ(read_array(dir / "c/emg_data/t2_p2_1.pkl").sizes(), (std::vector<int64_t>{3072, 6}));
  for (const char* bad : {"--pianists 0", "--tasks 8", "--seconds 1"}) {
    const auto r = testing::run_cli("synth --out " + (dir / "d") + " " + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.output;
    EXPECT_NE(r.output.find("pianokpm: error: synth:"), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir / "d")) << bad;
  }
}

}  // namespace
}  // namespace pianokpm
