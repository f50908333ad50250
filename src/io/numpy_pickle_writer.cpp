#include "io/numpy_pickle_writer.h"

#include <cstring>

#include "io/numpy_dtype.h"
#include <stdexcept>

namespace pianokpm {

namespace {

// Python's pickle frames opcodes in chunks of about 64 KiB; a bytes payload at least that big is
// written outside any frame.
constexpr size_t kFrameTarget = 64 * 1024;
constexpr size_t kFrameMin = 4;

class FramedWriter {
 public:
  FramedWriter() { out_ = "\x80\x04"; }

  void op(const std::string& bytes) { frame_ += bytes; }
  void op(char c) { frame_.push_back(c); }
  void memoize() { op('\x94'); }
  void unicode(const std::string& s) {  // SHORT_BINUNICODE
    op('\x8c');
    op(static_cast<char>(s.size()));
    op(s);
    memoize();
  }
  void integer(int64_t v) {
    if (v >= 0 && v < 256) {
      op('K');
      op(static_cast<char>(v));
    } else if (v >= 0 && v < 65536) {
      op('M');
      op(le(static_cast<uint64_t>(v), 2));
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      op('J');
      op(le(static_cast<uint64_t>(v), 4));
    } else {
      op('\x8a');  // LONG1 with 8 bytes (enough for any shape)
      op('\x08');
      op(le(static_cast<uint64_t>(v), 8));
    }
  }
  void bytes(const char* data, size_t n) {
    std::string header;
    if (n < 256) {
      header = std::string("C") + static_cast<char>(n);
    } else if (n <= 0xffffffffu) {
      header = "B" + le(n, 4);
    } else {
      header = "\x8e" + le(n, 8);
    }
    if (n >= kFrameTarget) {
      commit();
      out_ += header;
      out_.append(data, n);
    } else {
      op(header);
      frame_.append(data, n);
    }
  }
  // Called where Python's pickler reaches an opcode boundary.
  void boundary() {
    if (frame_.size() >= kFrameTarget) commit();
  }
  std::string finish() {
    op('.');
    commit();
    return std::move(out_);
  }

  static std::string le(uint64_t v, int n) {
    std::string s(static_cast<size_t>(n), '\0');
    for (int i = 0; i < n; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    return s;
  }

 private:
  void commit() {
    if (frame_.size() >= kFrameMin) out_ += "\x95" + le(frame_.size(), 8);
    out_ += frame_;
    frame_.clear();
  }
  std::string out_, frame_;
};

}  // namespace

std::string serialize_numpy_pickle(const torch::Tensor& array) {
  const auto [t, descr] = numpy_writable(array);
  FramedWriter w;
  w.unicode("numpy.core.multiarray");
  w.unicode("_reconstruct");
  w.op('\x93');  // STACK_GLOBAL
  w.memoize();
  w.unicode("numpy");
  w.unicode("ndarray");
  w.op('\x93');
  w.memoize();
  w.integer(0);
  w.op('\x85');  // TUPLE1
  w.memoize();
  w.op(
      std::string("C\x01"
                  "b",
                  3));
  w.memoize();
  w.op('\x87');  // TUPLE3
  w.memoize();
  w.op('R');
  w.memoize();
  w.op('(');  // state: (1, shape, dtype, is_fortran, data)
  w.integer(1);
  const auto dims = t.sizes();
  if (dims.empty()) {
    w.op(')');
  } else if (dims.size() <= 3) {
    for (int64_t d : dims) w.integer(d);
    w.op(dims.size() == 1 ? '\x85' : dims.size() == 2 ? '\x86' : '\x87');
    w.memoize();
  } else {
    w.op('(');
    for (int64_t d : dims) w.integer(d);
    w.op('t');
    w.memoize();
  }
  w.op(std::string("h\x03", 2));  // BINGET 3: "numpy"
  w.unicode("dtype");
  w.op('\x93');
  w.memoize();
  w.unicode(descr);
  w.op(std::string("\x89\x88\x87", 3));  // False, True, TUPLE3
  w.memoize();
  w.op('R');
  w.memoize();
  w.op('(');
  w.integer(3);
  w.unicode("<");
  w.op("NNN");
  w.integer(-1);
  w.integer(-1);
  w.integer(0);
  w.op('t');
  w.memoize();
  w.op('b');
  w.op('\x89');  // not Fortran order
  w.bytes(static_cast<const char*>(t.data_ptr()), static_cast<size_t>(t.numel() * t.element_size()));
  w.memoize();
  w.boundary();
  w.op('t');
  w.memoize();
  w.op('b');
  return w.finish();
}

}  // namespace pianokpm
