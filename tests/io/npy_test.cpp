#include "io/array_file.h"
#include "core/input_error.h"
#include "io/npy.h"
#include "test_support.h"

namespace pianokpm {
namespace {

std::string npy_bytes(const std::string& header_dict, const std::string& payload) {
  std::string header = header_dict;
  while ((10 + header.size() + 1) % 64) header.push_back(' ');
  header.push_back('\n');
  std::string out = "\x93NUMPY\x01";
  out.push_back('\0');
  out.push_back(static_cast<char>(header.size() & 0xFF));
  out.push_back(static_cast<char>(header.size() >> 8));
  return out + header + payload;
}

TEST(Npy, ReadsOfficialFixtures) {
  auto pose = read_array(testing::official("pose_bct.npy"));
  EXPECT_EQ(pose.sizes(), (std::vector<int64_t>{2, 84, 60}));
  auto x = read_array(testing::official("sinkhorn_1_x.npy"));
  EXPECT_EQ(x.sizes(), (std::vector<int64_t>{300, 6}));
  EXPECT_EQ(x.scalar_type(), torch::kDouble);
}

TEST(Npy, FortranOrderAndBigEndian) {
  // Logical [[1, 2, 3], [4, 5, 6]] stored column by column, big-endian float64.
  std::string payload;
  for (double v : {1.0, 4.0, 2.0, 5.0, 3.0, 6.0}) {
    char b[8];
    std::memcpy(b, &v, 8);
    std::reverse(b, b + 8);
    payload.append(b, 8);
  }
  auto a = parse_npy(npy_bytes("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }", payload), "f.npy");
  EXPECT_TRUE(torch::equal(a, torch::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, torch::kDouble).reshape({2, 3})));
}

TEST(Npy, RoundTripsThroughTheWriter) {
  testing::ScratchDir dir;
  auto a = torch::randn({17, 6});
  write_array(dir / "a.npy", a);
  EXPECT_TRUE(torch::equal(read_array(dir / "a.npy"), a));
  auto v = torch::arange(5, torch::kDouble);
  write_array(dir / "v.npy", v);
  EXPECT_TRUE(torch::equal(read_array(dir / "v.npy"), v));
  EXPECT_FALSE(std::filesystem::exists(dir / ("a.npy.tmp-" + std::to_string(::getpid()))));
}

TEST(Npy, RejectsCorruptFiles) {
  EXPECT_THROW(parse_npy("NUMPY", "x.npy"), InputError);
  EXPECT_THROW(parse_npy(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", "abc"), "x.npy"), InputError);
  EXPECT_THROW(parse_npy(npy_bytes("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", "abcdefghijkl"), "x.npy"),
               InputError);
  const std::string good = testing::read_bytes(testing::official("emg_bct.npy"));
  for (size_t n : {size_t{0}, size_t{9}, size_t{60}, good.size() - 1}) {
    EXPECT_THROW(parse_npy(good.substr(0, n), "cut.npy"), InputError) << n;
  }
}

TEST(Csv, EmgHeaderAndRoundTrippableDigits) {
  auto a = torch::tensor({0.1f, 0.2f, 1.0f / 3.0f, 4.0f, 5.0f, 6.0f}).reshape({1, 6});
  const std::string csv = serialize_csv(a, {"ADM", "PB", "1DI", "2DI", "3DI", "4DI"});
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "ADM,PB,1DI,2DI,3DI,4DI");
  const std::string row = csv.substr(csv.find('\n') + 1);
  EXPECT_EQ(std::stof(row.substr(row.find(',', row.find(',') + 1) + 1)), 1.0f / 3.0f);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2);
}

}  // namespace
}  // namespace pianokpm
