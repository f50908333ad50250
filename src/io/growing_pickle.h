#pragma once
// A float32 numpy array file (.pkl) that grows by whole rows without rewriting what it holds, for
// recordings that last hours. The file is the pickle of numpy.concatenate([part0, part1, ...]):
// part0 is an empty [0, ...] array and each append adds one part. An append writes the new part
// and a new ending after the old ending, syncs, then overwrites the old 4-byte ending with no-ops
// ("N0N0": push None, pop, twice). At every moment the file is one complete pickle: of the rows
// before the append, or of all of them. pickle.load gives one ndarray (numpy 1.x and 2.x);
// parse_numpy_pickle (io/numpy_pickle.h) reads it too.
#include <cstdint>
#include <string>
#include <vector>

namespace pianokpm {

class GrowingPickle {
 public:
  // Creates (or replaces) `path` holding a [0, row_shape...] float32 array. InputError naming the
  // file when it cannot be written.
  GrowingPickle(const std::string& path, std::vector<int64_t> row_shape);
  ~GrowingPickle();
  GrowingPickle(const GrowingPickle&) = delete;
  GrowingPickle& operator=(const GrowingPickle&) = delete;

  // `values` holds rows x prod(row_shape) float32 values (C order). InputError on a write error.
  void append(const float* values, int64_t rows);
  int64_t rows() const { return rows_; }
  const std::string& path() const { return path_; }

 private:
  void write_at(const std::string& bytes, int64_t offset);
  std::string part(const float* values, int64_t rows) const;

  std::string path_;
  std::vector<int64_t> row_shape_;
  int64_t row_values_ = 1;
  int fd_ = -1;
  int64_t rows_ = 0;
  int64_t ending_at_ = 0;  // offset of the current 4-byte ending
};

}  // namespace pianokpm
