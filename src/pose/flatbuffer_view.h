#pragma once
// FlatBufferView: bounds-checked reading of a FlatBuffers binary (tables, vectors, strings, unions)
// as the TFLite model format stores it. Every offset is checked against the buffer before it is
// followed, so a malformed file gives a FlatBufferError, never an out-of-bounds read.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pianokpm::pose {

class FlatBufferError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FlatTable;

// A vector field: `size()` elements starting at byte `data_pos` of the buffer.
class FlatVector {
 public:
  FlatVector() = default;
  FlatVector(const std::vector<uint8_t>* bytes, size_t data_pos, uint32_t size) : bytes_(bytes), pos_(data_pos), size_(size) {}
  uint32_t size() const { return size_; }
  size_t data_pos() const { return pos_; }
  FlatTable table(uint32_t i) const;
  int32_t int32(uint32_t i) const;
  uint8_t uint8(uint32_t i) const;

 private:
  const std::vector<uint8_t>* bytes_ = nullptr;
  size_t pos_ = 0;
  uint32_t size_ = 0;
};

class FlatTable {
 public:
  FlatTable(const std::vector<uint8_t>* bytes, size_t pos);
  bool has(int field) const { return field_pos(field).has_value(); }
  uint8_t uint8(int field, uint8_t fallback = 0) const;
  int32_t int32(int field, int32_t fallback = 0) const;
  uint32_t uint32(int field, uint32_t fallback = 0) const;
  uint64_t uint64(int field, uint64_t fallback = 0) const;
  std::string string(int field) const;                       // "" when absent
  FlatVector vector(int field, size_t element_bytes) const;  // empty when absent
  std::optional<FlatTable> table(int field) const;
  // Byte position of a field's value in the buffer (nullopt when absent).
  std::optional<size_t> field_pos(int field) const;

 private:
  template <typename T>
  T scalar(int field, T fallback) const;
  const std::vector<uint8_t>* bytes_;
  size_t pos_;
  size_t vtable_ = 0;
  uint16_t vtable_bytes_ = 0;
};

// The root table of a buffer (its first 4 bytes are the root offset).
FlatTable flat_root(const std::vector<uint8_t>& bytes);

}  // namespace pianokpm::pose
