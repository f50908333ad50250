#include "io/unpickler.h"

#include <fmt/format.h>

#include <cstring>
#include <unordered_map>

#include "core/input_error.h"
#include "io/mapped_file.h"

namespace pianokpm::pickle {

namespace {

constexpr size_t kMaxMemo = 1u << 24;

void clear_containers(std::vector<ValuePtr>& containers) {
  for (auto& c : containers) {
    c->items.clear();
    c->entries.clear();
  }
  containers.clear();
}

class Reader {
 public:
  Reader(std::string_view bytes, const std::string& source, const PickleClasses& classes, const ReleaseRange& release)
      : data_(bytes), release_(release), source_(source), classes_(classes) {}

  ~Reader() { release_all(); }

  // Hands over every container built so far (the caller then owns breaking their cycles).
  std::vector<ValuePtr> take_containers() {
    std::vector<ValuePtr> out;
    out.swap(containers_);
    return out;
  }

  ValuePtr run() {
    while (true) {
      if (pos_ >= data_.size()) fail("truncated: no STOP opcode");
      op_pos_ = pos_;
      const uint8_t op = byte();
      if (op == '.') {  // STOP
        if (stack_.size() != 1) fail("malformed: STOP with a stack of " + std::to_string(stack_.size()));
        return stack_.back();
      }
      step(op);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError(source_, fmt::format("{} (pickle byte {})", problem, op_pos_));
  }

  uint8_t byte() {
    if (pos_ >= data_.size()) fail("truncated pickle");
    return static_cast<uint8_t>(data_[pos_++]);
  }
  uint64_t uint_le(int n) {
    if (data_.size() - pos_ < static_cast<size_t>(n)) fail("truncated pickle");
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    pos_ += n;
    return v;
  }
  std::string take(uint64_t n) {
    if (n > data_.size() - pos_) fail("truncated pickle: a " + std::to_string(n) + "-byte field runs past the end");
    std::string s(data_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // An array's payload: large ones go straight into a byte tensor that the array will share,
  // releasing the source as they are copied, instead of into a string that is copied again.
  ValuePtr bytes_value(uint64_t n) {
    if (n < kLargeBytes) return Value::from_bytes(take(n));
    if (n > data_.size() - pos_) fail("truncated pickle: a " + std::to_string(n) + "-byte field runs past the end");
    ValuePtr v = Value::from_bytes({});
    v->tensor = copy_to_byte_tensor(data_.substr(pos_, n), pos_, release_);
    pos_ += n;
    return v;
  }
  std::string line() {
    const size_t end = data_.find('\n', pos_);
    if (end == std::string::npos) fail("truncated pickle: unterminated line");
    std::string s(data_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }

  ValuePtr pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail("malformed: stack underflow");
    ValuePtr v = stack_.back();
    stack_.pop_back();
    return v;
  }
  ValuePtr& top() {
    if (stack_.empty()) fail("malformed: empty stack");
    return stack_.back();
  }
  std::vector<ValuePtr> pop_mark() {
    if (marks_.empty()) fail("malformed: no MARK");
    const size_t m = marks_.back();
    marks_.pop_back();
    std::vector<ValuePtr> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return items;
  }
  void push(ValuePtr v) {
    if (v->kind == Kind::kList || v->kind == Kind::kTuple || v->kind == Kind::kDict) containers_.push_back(v);
    stack_.push_back(std::move(v));
  }

  // Empties every container, breaking any reference cycles, so nothing leaks on errors.
  void release_all() { clear_containers(containers_); }

  void memo_put(uint64_t index) {
    if (index > kMaxMemo) fail("malformed: memo index too large");
    memo_[index] = top();
  }
  void memo_get(uint64_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) fail("malformed: memo entry " + std::to_string(index) + " not defined");
    push(it->second);
  }

  void push_global(const std::string& module, const std::string& name) {
    const std::string q = module + "." + name;
    if (!classes_.allowed_globals.count(q)) fail("refuses to load '" + q + "': only numeric arrays are allowed");
    push(Value::global(q));
  }

  void append_items(const ValuePtr& target, std::vector<ValuePtr> items) {
    if (target->kind != Kind::kList) fail("malformed: APPEND to " + describe(target->kind));
    for (auto& v : items) target->items.push_back(std::move(v));
  }
  void set_items(const ValuePtr& target, const std::vector<ValuePtr>& kv) {
    if (target->kind != Kind::kDict) fail("malformed: SETITEM on " + describe(target->kind));
    if (kv.size() % 2) fail("malformed: odd SETITEMS");
    for (size_t i = 0; i < kv.size(); i += 2) target->entries.emplace_back(kv[i], kv[i + 1]);
  }

  void reduce(const ValuePtr& callable, const ValuePtr& args) {
    if (callable->kind != Kind::kGlobal) fail("malformed: REDUCE on " + describe(callable->kind));
    if (args->kind != Kind::kTuple) fail("malformed: REDUCE arguments are not a tuple");
    if (!classes_.call) fail("refuses to call '" + callable->text + "'");
    try {
      push(classes_.call(callable->text, args));
    } catch (const std::exception& e) {
      fail(e.what());
    }
  }

  void step(uint8_t op) {
    switch (op) {
      case 0x80: {  // PROTO
        const int proto = byte();
        if (proto < 2 || proto > 5) fail("unsupported pickle protocol " + std::to_string(proto));
        break;
      }
      case 0x95: uint_le(8); break;                      // FRAME: framing is only a hint
      case '(': marks_.push_back(stack_.size()); break;  // MARK
      case '0': pop(); break;                            // POP
      case '1': pop_mark(); break;                       // POP_MARK
      case '2': push(top()); break;                      // DUP
      case 'N': push(Value::none()); break;
      case 0x88: push(Value::from_bool(true)); break;
      case 0x89: push(Value::from_bool(false)); break;
      case 'J': push(Value::from_int(static_cast<int32_t>(uint_le(4)))); break;  // BININT
      case 'K': push(Value::from_int(byte())); break;                            // BININT1
      case 'M': push(Value::from_int(static_cast<int64_t>(uint_le(2)))); break;  // BININT2
      case 0x8a:
      case 0x8b: {  // LONG1, LONG4: little-endian two's complement
        const uint64_t n = op == 0x8a ? byte() : uint_le(4);
        if (n > 8) fail("integer too large");
        const std::string b = take(n);
        int64_t v = 0;
        for (size_t i = 0; i < n; ++i) v |= static_cast<int64_t>(static_cast<uint8_t>(b[i])) << (8 * i);
        if (n > 0 && n < 8 && (static_cast<uint8_t>(b[n - 1]) & 0x80)) v -= int64_t{1} << (8 * n);
        push(Value::from_int(v));
        break;
      }
      case 'G': {  // BINFLOAT, big-endian IEEE double
        const std::string b = take(8);
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | static_cast<uint8_t>(b[i]);
        double d;
        std::memcpy(&d, &bits, 8);
        push(Value::from_float(d));
        break;
      }
      case 0x8c: push(Value::from_string(take(byte()))); break;      // SHORT_BINUNICODE
      case 'X': push(Value::from_string(take(uint_le(4)))); break;   // BINUNICODE
      case 0x8d: push(Value::from_string(take(uint_le(8)))); break;  // BINUNICODE8
      case 'U': push(Value::from_bytes(take(byte()))); break;        // SHORT_BINSTRING (py2 str)
      case 'T': push(Value::from_bytes(take(uint_le(4)))); break;    // BINSTRING
      case 'C': push(Value::from_bytes(take(byte()))); break;        // SHORT_BINBYTES
      case 'B': push(bytes_value(uint_le(4))); break;                // BINBYTES
      case 0x8e:
      case 0x96:  // BINBYTES8, BYTEARRAY8
        push(bytes_value(uint_le(8)));
        break;
      case 0x98: break;  // READONLY_BUFFER: in-band buffers are plain bytes to us
      case ')': push(Value::tuple({})); break;
      case 't': push(Value::tuple(pop_mark())); break;
      case 0x85: {
        auto a = pop();
        push(Value::tuple({a}));
        break;
      }
      case 0x86: {
        auto b = pop();
        auto a = pop();
        push(Value::tuple({a, b}));
        break;
      }
      case 0x87: {
        auto c = pop();
        auto b = pop();
        auto a = pop();
        push(Value::tuple({a, b, c}));
        break;
      }
      case ']': push(Value::list({})); break;
      case 'l': push(Value::list(pop_mark())); break;
      case 'a': {
        auto v = pop();
        append_items(top(), {v});
        break;
      }
      case 'e': {
        auto items = pop_mark();
        append_items(top(), std::move(items));
        break;
      }
      case '}': push(Value::dict()); break;
      case 'd': {
        auto kv = pop_mark();
        auto d = Value::dict();
        set_items(d, kv);
        push(d);
        break;
      }
      case 's': {
        auto v = pop();
        auto k = pop();
        set_items(top(), {k, v});
        break;
      }
      case 'u': {
        auto kv = pop_mark();
        set_items(top(), kv);
        break;
      }
      case 'q': memo_put(byte()); break;         // BINPUT
      case 'r': memo_put(uint_le(4)); break;     // LONG_BINPUT
      case 0x94: memo_put(memo_.size()); break;  // MEMOIZE
      case 'h': memo_get(byte()); break;         // BINGET
      case 'j': memo_get(uint_le(4)); break;     // LONG_BINGET
      case 'c': {                                // GLOBAL "module\nname\n"
        const std::string module = line();
        const std::string name = line();
        push_global(module, name);
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        auto name = pop();
        auto module = pop();
        if (module->kind != Kind::kString || name->kind != Kind::kString) fail("malformed: STACK_GLOBAL");
        push_global(module->text, name->text);
        break;
      }
      case 'R':
      case 0x81: {  // REDUCE, NEWOBJ
        auto args = pop();
        auto callable = pop();
        reduce(callable, args);
        break;
      }
      case 'b': {  // BUILD
        auto state = pop();
        if (!classes_.build) fail("malformed: BUILD not allowed here");
        try {
          classes_.build(*top(), state);
        } catch (const std::exception& e) {
          fail(e.what());
        }
        break;
      }
      case 'Q': {  // BINPERSID
        auto pid = pop();
        if (!classes_.persistent_load) fail("refuses persistent ids: only numeric arrays are allowed");
        try {
          push(classes_.persistent_load(pid));
        } catch (const std::exception& e) {
          fail(e.what());
        }
        break;
      }
      default: fail(fmt::format("refuses pickle opcode 0x{:02x}: only numeric arrays are allowed", op));
    }
  }

  std::string_view data_;
  const ReleaseRange& release_;
  const std::string& source_;
  const PickleClasses& classes_;
  size_t pos_ = 0;
  size_t op_pos_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, ValuePtr> memo_;
  std::vector<ValuePtr> containers_;
};

}  // namespace

Unpickled::~Unpickled() { clear_containers(containers_); }

Unpickled unpickle(std::string_view bytes, const std::string& source, const PickleClasses& classes, const ReleaseRange& release) {
  if (bytes.size() < 2 || static_cast<uint8_t>(bytes[0]) != 0x80) {
    throw InputError(source, "not a pickle file (protocol 2 or later expected)");
  }
  Reader reader(bytes, source, classes, release);
  ValuePtr root = reader.run();
  return Unpickled(std::move(root), reader.take_containers());
}

}  // namespace pianokpm::pickle
