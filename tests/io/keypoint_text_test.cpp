// Keypoints from CSV and JSON: values land where the release's [T, 21, C] arrays have them.
#include "core/input_error.h"
#include "io/keypoint_text.h"
#include "test_support.h"

namespace pianokpm {
namespace {

std::string error_of(const std::string& path, int k) {
  try {
    read_keypoints_text(path, k);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(KeypointText, JsonFramesOfPointsAndTheKeypointsObject) {
  testing::ScratchDir dir;
  testing::write_bytes(dir / "a.json", "[[[1,2],[3,4]],[[5,6],[7,8]],[[9,10],[11,12]]]");
  const auto a = read_keypoints_text(dir / "a.json", 2);
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{3, 2, 2}));
  EXPECT_EQ(a[2][1][0].item<float>(), 11.0f);
  testing::write_bytes(dir / "b.json", R"({"keypoints": [[[1,2,0.5],[3,4,0.25]]]})");
  const auto b = read_keypoints_text(dir / "b.json", 2);
  ASSERT_EQ(b.sizes(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(b[0][1][2].item<float>(), 0.25f);
  testing::write_bytes(dir / "short.json", "[[[1,2]]]");
  EXPECT_NE(error_of(dir / "short.json", 2).find("frame 0 does not hold 2 keypoints"), std::string::npos);
  testing::write_bytes(dir / "text.json", R"([[[1,"x"],[3,4]]])");
  EXPECT_NE(error_of(dir / "text.json", 2).find("must be numbers"), std::string::npos);
  testing::write_bytes(dir / "broken.json", "[[[1,2],");
  EXPECT_NE(error_of(dir / "broken.json", 2).find("not valid JSON"), std::string::npos);
}

TEST(KeypointText, CsvWithOptionalFrameColumnAndConfidence) {
  testing::ScratchDir dir;
  testing::write_bytes(dir / "a.csv", "frame,x0,y0,x1,y1\n0,1,2,3,4\n1,5,6,7,8\n");
  const auto a = read_keypoints_text(dir / "a.csv", 2);
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(a[1][0][1].item<float>(), 6.0f);
  testing::write_bytes(dir / "c.csv", "x0,y0,c0,x1,y1,c1\n1,2,0.9,3,4,0.8\n");
  EXPECT_EQ(read_keypoints_text(dir / "c.csv", 2).size(2), 3);
  testing::write_bytes(dir / "cols.csv", "x0,y0,x1\n1,2,3\n");
  EXPECT_NE(error_of(dir / "cols.csv", 2).find("keypoint CSV has 3 columns"), std::string::npos);
  testing::write_bytes(dir / "ragged.csv", "x0,y0,x1,y1\n1,2,3,4\n1,2\n");
  EXPECT_NE(error_of(dir / "ragged.csv", 2).find("line 3 has 2 fields"), std::string::npos);
}

}  // namespace
}  // namespace pianokpm
