// Data-parallel training: the shares of a batch (two processes training together:
// data_parallel_mpi_test.cpp).
#include <cstdlib>

#include "model/checkpoint.h"
#include "model/state_dict.h"
#include "test_support.h"
#include "parallel/data_parallel.h"

namespace pianokpm {
namespace {

// A stand-in for process `rank` of `size`, for the arithmetic of shares.
class FakeWorld : public DataParallel {
 public:
  FakeWorld(int rank, int size) : rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }

 private:
  int rank_, size_;
};

TEST(DataParallel, ShardsCoverTheBatchOnceInOrder) {
  const std::vector<int64_t> ids = {9, 4, 7, 1, 3};
  std::vector<int64_t> joined;
  for (int r = 0; r < 3; ++r) {
    const auto part = FakeWorld(r, 3).shard(ids);
    EXPECT_EQ(part.size(), r < 2 ? 2u : 1u);
    joined.insert(joined.end(), part.begin(), part.end());
  }
  EXPECT_EQ(joined, ids);
  EXPECT_TRUE(FakeWorld(3, 4).shard({1, 2}).empty());  // more processes than windows: some idle
  EXPECT_EQ(DataParallel().shard(ids), ids);
}

}  // namespace
}  // namespace pianokpm
