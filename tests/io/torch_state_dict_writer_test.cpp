// Writing PyTorch state dicts: read back by our reader (torch.load is checked in
// tests/python/test_torch_interop.py), the official file rewritten tensor for tensor.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/input_error.h"
#include "io/torch_state_dict_writer.h"
#include "io/torch_zip.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::official;

TEST(TorchStateDictWriter, RoundTripsNamesOrderValuesAndAliases) {
  testing::ScratchDir dir;
  const torch::Tensor w = torch::arange(12, torch::kFloat).reshape({3, 4}) / 7;
  const torch::Tensor big = torch::linspace(-1, 1, 70000, torch::kDouble);
  const NamedTensors in = {{"b.weight", w},
                           {"a.steps", torch::tensor({3, 1 << 20}, torch::kLong)},
                           {"b_alias.weight", w},
                           {"big", big},
                           {"scalar", torch::tensor(2.5f)},
                           {"strided", w.t()}};
  write_torch_state_dict(dir / "sd.pth", in);
  const NamedTensors out = read_torch_state_dict(dir / "sd.pth");
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].first, in[i].first);
    EXPECT_EQ(out[i].second.scalar_type(), in[i].second.scalar_type()) << in[i].first;
    EXPECT_TRUE(torch::equal(out[i].second, in[i].second)) << in[i].first;
  }
  // The alias was stored once: it shares its target's storage when read back.
  EXPECT_EQ(out[2].second.data_ptr(), out[0].second.data_ptr());
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename(), "sd.pth") << "leftover " << entry.path();
}

TEST(TorchStateDictWriter, RewritesTheOfficialStateDictExactly) {
  testing::ScratchDir dir;
  const NamedTensors original = read_torch_state_dict(official("state_dict.pth"));
  write_torch_state_dict(dir / "again.pth", original);
  const NamedTensors again = read_torch_state_dict(dir / "again.pth");
  ASSERT_EQ(again.size(), original.size());
  for (size_t i = 0; i < original.size(); ++i) {
    EXPECT_EQ(again[i].first, original[i].first);
    EXPECT_TRUE(torch::equal(again[i].second, original[i].second)) << original[i].first;
  }
  // 192 names, 120 distinct tensors: the file is about as large as the release's.
  EXPECT_LT(std::filesystem::file_size(dir / "again.pth"), std::filesystem::file_size(official("state_dict.pth")) * 11 / 10);
}

TEST(TorchStateDictWriter, RefusesWhatTorchCouldNotLoadAsWritten) {
  testing::ScratchDir dir;
  EXPECT_THROW(write_torch_state_dict(dir / "x.pth", {{"h", torch::ones({2}, torch::kHalf)}}), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir / "x.pth"));
}

}  // namespace
}  // namespace pianokpm
