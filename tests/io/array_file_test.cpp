// Array files large enough (>= 1 MiB of payload) to take the copy-free path: the file is mapped,
// the payload copied once into a byte tensor that the array then shares (io/mapped_file.h).
#include <cstring>
#include <fstream>

#include "io/array_file.h"
#include "core/input_error.h"
#include "io/npy.h"
#include "io/unpickler.h"
#include "test_support.h"

namespace pianokpm {
namespace {

TEST(ArrayFile, LargeArraysRoundTripThroughPickleAndNpy) {
  testing::ScratchDir dir;
  torch::manual_seed(4);
  const auto keys = torch::rand({4000, 88});  // 1.4 MB: above kLargeBytes
  ASSERT_GE(static_cast<uint64_t>(keys.numel()) * 4, pickle::kLargeBytes);
  const auto wide = torch::randn({1500, 100}, torch::kDouble);
  for (const std::string ext : {".pkl", ".npy"}) {
    write_array(dir / ("keys" + ext), keys);
    write_array(dir / ("wide" + ext), wide);
    const auto k = read_array(dir / ("keys" + ext));
    const auto w = read_array(dir / ("wide" + ext));
    EXPECT_TRUE(torch::equal(k, keys)) << ext;
    EXPECT_TRUE(torch::equal(w, wide)) << ext;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(k.data_ptr()) % 64, 0u) << ext << ": payload not aligned";
  }
}

TEST(ArrayFile, LargeBigEndianNpyIsSwapped) {
  testing::ScratchDir dir;
  const int64_t n = 300000;  // 1.2 MB of big-endian float32: 0, 1, 2, ...
  std::string payload(static_cast<size_t>(n) * 4, '\0');
  for (int64_t i = 0; i < n; ++i) {
    const float v = static_cast<float>(i);
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    for (int b = 0; b < 4; ++b) payload[static_cast<size_t>(i * 4 + b)] = static_cast<char>(bits >> (8 * (3 - b)));
  }
  std::string header = "{'descr': '>f4', 'fortran_order': False, 'shape': (" + std::to_string(n) + ",), }";
  while ((10 + header.size() + 1) % 64) header.push_back(' ');
  header.push_back('\n');
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file.push_back(static_cast<char>(header.size() & 0xFF));
  file.push_back(static_cast<char>(header.size() >> 8));
  std::ofstream(dir / "be.npy", std::ios::binary) << file << header << payload;
  const auto a = read_array(dir / "be.npy");
  EXPECT_TRUE(torch::equal(a, torch::arange(n, torch::kFloat)));
}

TEST(ArrayFile, TruncatedLargeFilesAreRefusedByName) {
  testing::ScratchDir dir;
  const auto keys = torch::rand({4000, 88});
  for (const std::string ext : {".pkl", ".npy"}) {
    const std::string path = dir / ("keys" + ext), cut = dir / ("cut" + ext);
    write_array(path, keys);
    const std::string bytes = testing::read_bytes(path);
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() - 1000);
    try {
      read_array(cut);
      ADD_FAILURE() << ext << ": no error";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(cut), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace pianokpm
