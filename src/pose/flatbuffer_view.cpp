#include "pose/flatbuffer_view.h"

#include <cstring>

namespace pianokpm::pose {

namespace {

void need(const std::vector<uint8_t>& b, uint64_t pos, uint64_t len, const char* what) {
  if (pos > b.size() || len > b.size() - pos) {
    throw FlatBufferError(std::string(what) + " at byte " + std::to_string(pos) + " runs past the end of the file (" +
                          std::to_string(b.size()) + " bytes)");
  }
}

template <typename T>
T load(const std::vector<uint8_t>& b, uint64_t pos, const char* what) {
  need(b, pos, sizeof(T), what);
  T v;
  std::memcpy(&v, b.data() + pos, sizeof(T));  // FlatBuffers are little-endian, as is every host we build for
  return v;
}

// Follows a uoffset stored at `pos` (offsets point forward from where they are stored).
size_t follow(const std::vector<uint8_t>& b, size_t pos, const char* what) {
  const uint64_t target = pos + static_cast<uint64_t>(load<uint32_t>(b, pos, what));
  need(b, target, 4, what);
  return static_cast<size_t>(target);
}

}  // namespace

FlatTable flat_root(const std::vector<uint8_t>& bytes) { return FlatTable(&bytes, follow(bytes, 0, "root table offset")); }

FlatTable::FlatTable(const std::vector<uint8_t>* bytes, size_t pos) : bytes_(bytes), pos_(pos) {
  const auto soffset = load<int32_t>(*bytes_, pos_, "table");
  const int64_t vt = static_cast<int64_t>(pos_) - soffset;
  if (vt < 0) throw FlatBufferError("table at byte " + std::to_string(pos_) + " has a vtable before the file start");
  vtable_ = static_cast<size_t>(vt);
  vtable_bytes_ = load<uint16_t>(*bytes_, vtable_, "vtable");
  if (vtable_bytes_ < 4 || vtable_bytes_ % 2)
    throw FlatBufferError("vtable at byte " + std::to_string(vtable_) + " has a bad size");
  need(*bytes_, vtable_, vtable_bytes_, "vtable");
  const auto table_bytes = load<uint16_t>(*bytes_, vtable_ + 2, "vtable");
  need(*bytes_, pos_, table_bytes, "table");
}

std::optional<size_t> FlatTable::field_pos(int field) const {
  const size_t entry = 4 + 2 * static_cast<size_t>(field);
  if (field < 0 || entry + 2 > vtable_bytes_) return std::nullopt;
  const auto offset = load<uint16_t>(*bytes_, vtable_ + entry, "vtable entry");
  if (offset == 0) return std::nullopt;
  return pos_ + offset;
}

template <typename T>
T FlatTable::scalar(int field, T fallback) const {
  const auto p = field_pos(field);
  return p ? load<T>(*bytes_, *p, "field") : fallback;
}

uint8_t FlatTable::uint8(int field, uint8_t fallback) const { return scalar(field, fallback); }
int32_t FlatTable::int32(int field, int32_t fallback) const { return scalar(field, fallback); }
uint32_t FlatTable::uint32(int field, uint32_t fallback) const { return scalar(field, fallback); }
uint64_t FlatTable::uint64(int field, uint64_t fallback) const { return scalar(field, fallback); }

std::string FlatTable::string(int field) const {
  const auto p = field_pos(field);
  if (!p) return {};
  const size_t s = follow(*bytes_, *p, "string");
  const auto len = load<uint32_t>(*bytes_, s, "string length");
  need(*bytes_, s + 4, len, "string");
  return std::string(reinterpret_cast<const char*>(bytes_->data() + s + 4), len);
}

FlatVector FlatTable::vector(int field, size_t element_bytes) const {
  const auto p = field_pos(field);
  if (!p) return {};
  const size_t v = follow(*bytes_, *p, "vector");
  const auto len = load<uint32_t>(*bytes_, v, "vector length");
  need(*bytes_, v + 4, static_cast<uint64_t>(len) * element_bytes, "vector");
  return FlatVector(bytes_, v + 4, len);
}

std::optional<FlatTable> FlatTable::table(int field) const {
  const auto p = field_pos(field);
  if (!p) return std::nullopt;
  return FlatTable(bytes_, follow(*bytes_, *p, "sub-table"));
}

FlatTable FlatVector::table(uint32_t i) const {
  if (i >= size_) throw FlatBufferError("vector index out of range");
  return FlatTable(bytes_, follow(*bytes_, pos_ + 4ull * i, "table in vector"));
}
int32_t FlatVector::int32(uint32_t i) const {
  if (i >= size_) throw FlatBufferError("vector index out of range");
  return load<int32_t>(*bytes_, pos_ + 4ull * i, "vector element");
}
uint8_t FlatVector::uint8(uint32_t i) const {
  if (i >= size_) throw FlatBufferError("vector index out of range");
  return load<uint8_t>(*bytes_, pos_ + i, "vector element");
}

}  // namespace pianokpm::pose
