#include "io/growing_pickle.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/input_error.h"

namespace pianokpm {
namespace {

// MARK ... LIST, TUPLE1, REDUCE, STOP: numpy.concatenate((parts,)); and the same length of no-ops.
constexpr char kEnding[] = "l\x85R.";
constexpr char kNoOps[] = "N0N0";
constexpr size_t kEndingSize = 4;

std::string le32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  return s;
}

using namespace std::string_literals;  // literals holding NUL bytes

std::string binint(int64_t v) { return "J" + le32(static_cast<uint32_t>(static_cast<int32_t>(v))); }

}  // namespace

GrowingPickle::GrowingPickle(const std::string& path, std::vector<int64_t> row_shape)
    : path_(path), row_shape_(std::move(row_shape)) {
  for (int64_t d : row_shape_) row_values_ *= d;
  // Protocol 3 (bytes opcodes), then GLOBAL numpy.concatenate and the MARK of the parts' list.
  const std::string head = "\x80\x03"s + "cnumpy\nconcatenate\n(" + part(nullptr, 0);
  const std::string tmp = path_ + ".tmp-" + std::to_string(::getpid());
  fd_ = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw InputError(path_, std::string("cannot write: ") + std::strerror(errno));
  ending_at_ = static_cast<int64_t>(head.size());
  write_at(head + std::string(kEnding, kEndingSize), 0);
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
  if (ec) throw InputError(path_, "cannot write: " + ec.message());
}

GrowingPickle::~GrowingPickle() {
  if (fd_ >= 0) ::close(fd_);
}

void GrowingPickle::write_at(const std::string& bytes, int64_t offset) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, offset + static_cast<int64_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw InputError(path_, std::string("write failed: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
}

// One ndarray as numpy pickles it: _reconstruct(ndarray, (0,), b'b') then BUILD with
// (1, shape, dtype('<f4'), False, data).
std::string GrowingPickle::part(const float* values, int64_t rows) const {
  std::string p = "cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85"s + "C\x01"s + "b\x87R"s;
  p += "(K\x01(" + binint(rows);
  for (int64_t d : row_shape_) p += binint(d);
  p += "tcnumpy\ndtype\nX\x02\x00\x00\x00"s + "f4\x89\x88\x87R"s;              // dtype('f4', False, True)
  p += "(K\x03X\x01\x00\x00\x00<NNN"s + binint(-1) + binint(-1) + "K\x00tb"s;  // its state: little-endian
  const uint64_t bytes = static_cast<uint64_t>(rows * row_values_) * sizeof(float);
  p += "\x89";  // not Fortran order
  p += "B" + le32(static_cast<uint32_t>(bytes));
  if (bytes) p.append(reinterpret_cast<const char*>(values), bytes);
  p += "tb";
  return p;
}

void GrowingPickle::append(const float* values, int64_t rows) {
  if (rows <= 0) return;
  constexpr int64_t kMaxPartBytes = int64_t{1} << 31;
  if (rows * row_values_ * static_cast<int64_t>(sizeof(float)) >= kMaxPartBytes)
    throw std::invalid_argument("GrowingPickle: append under 2 GB at a time");
  const std::string added = part(values, rows) + std::string(kEnding, kEndingSize);
  const int64_t new_ending = ending_at_ + static_cast<int64_t>(added.size());
  write_at(added, ending_at_ + static_cast<int64_t>(kEndingSize));
  // The new part must be on disk before the old ending stops the reader short of it.
  if (::fdatasync(fd_) != 0) throw InputError(path_, std::string("sync failed: ") + std::strerror(errno));
  write_at(std::string(kNoOps, kEndingSize), ending_at_);
  ending_at_ = new_ending;
  rows_ += rows;
}

}  // namespace pianokpm
