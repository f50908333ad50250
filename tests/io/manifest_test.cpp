// Batch manifests: rows, resolved paths, and one-line errors naming the file and line.
#include <gtest/gtest.h>

#include "core/input_error.h"
#include "io/manifest.h"

namespace pianokpm {
namespace {

const std::vector<std::string> kColumns = {"pose_top", "keys"};

std::string error_of(const std::string& text) {
  try {
    parse_manifest(text, "m.csv", "base", kColumns);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Manifest, ReadsRowsResolvesRelativePathsAndSkipsCommentsAndBlanks) {
  const auto rows = parse_manifest("name,pose_top,keys\r\n# a comment\n\na, top/a.pkl ,\nb,/abs/b.npy,\"k b.mid\"\nc\n", "m.csv",
                                   "base", kColumns);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].name, "a");
  EXPECT_EQ(rows[0].line, 4);
  EXPECT_EQ(rows[0].inputs.at("pose_top"), "base/top/a.pkl");
  EXPECT_EQ(rows[0].inputs.count("keys"), 0u);  // empty cell: absent
  EXPECT_EQ(rows[1].inputs.at("pose_top"), "/abs/b.npy");
  EXPECT_EQ(rows[1].inputs.at("keys"), "base/k b.mid");
  EXPECT_TRUE(rows[2].inputs.empty());  // fewer cells than columns: the rest absent
}

TEST(Manifest, ReadsAHeaderAfterAByteOrderMark) {
  const auto rows = parse_manifest("\xEF\xBB\xBFname,keys\nx,k.mid\n", "m.csv", "", kColumns);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].inputs.at("keys"), "k.mid");
}

TEST(Manifest, RefusesWhatItWouldHalfRun) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "the manifest is empty"},
      {"pose_top\na.pkl\n", "line 1: the header has no 'name' column"},
      {"name,pose_left\n", "line 1: unknown column 'pose_left' (name, pose_top, keys)"},
      {"name,keys,keys\n", "line 1: column 'keys' appears twice"},
      {"name,pose_top\nx,a,b\n", "line 2: 3 cells but the header has 2 columns"},
      {"name,pose_top\n,a.pkl\n", "line 2: name '' is empty"},
      {"name,pose_top\n../up,a.pkl\n", "line 2: name '../up'"},
      {"name,pose_top\n..,a.pkl\n", "line 2: name '..'"},
      {"name,pose_top\nx,a.pkl\n\nx,b.pkl\n", "line 4: name 'x' appears twice"},
  };
  for (const auto& [text, message] : cases) {
    const std::string e = error_of(text);
    EXPECT_NE(e.find("m.csv"), std::string::npos) << text << " -> " << e;
    EXPECT_NE(e.find(message), std::string::npos) << text << " -> " << e;
  }
}

}  // namespace
}  // namespace pianokpm
