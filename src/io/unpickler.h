#pragma once
// A small restricted unpickler (pickle protocols 2 to 5). It never runs code: a GLOBAL opcode is
// accepted only if the caller's PickleClasses allow that exact name, and REDUCE/BUILD on it call
// the caller's C++ handler. Every other global, and every opcode outside the data-building subset,
// is refused with an InputError naming the file and the byte offset.
#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "io/mapped_file.h"

#include "io/pickle_value.h"

namespace pianokpm::pickle {

// What a given kind of pickle file may contain beyond plain Python data.
struct PickleClasses {
  std::set<std::string> allowed_globals;  // "module.name"
  // REDUCE / NEWOBJ: `callable` is an allowed global, `args` a tuple.
  std::function<ValuePtr(const std::string& callable, const ValuePtr& args)> call;
  // BUILD: finish `target` (an object `call` made) from `state`.
  std::function<void(Value& target, const ValuePtr& state)> build;
  // BINPERSID; empty means persistent ids are refused.
  std::function<ValuePtr(const ValuePtr& pid)> persistent_load;
};

// The result of unpickling. A pickle can build reference cycles (a list that contains itself),
// which shared pointers alone would leak, so this owns every container built and empties them
// all when it goes.
class Unpickled {
 public:
  Unpickled(ValuePtr root, std::vector<ValuePtr> containers) : root_(std::move(root)), containers_(std::move(containers)) {}
  ~Unpickled();
  Unpickled(Unpickled&&) = default;
  Unpickled(const Unpickled&) = delete;
  Unpickled& operator=(const Unpickled&) = delete;
  const ValuePtr& root() const { return root_; }

 private:
  ValuePtr root_;
  std::vector<ValuePtr> containers_;
};

// Parses `bytes` (the whole pickle). `source` names the file in error messages. Byte fields of
// kLargeBytes or more become Values whose `tensor` (uint8) holds them instead of `text`; `release`
// (may be empty) is told which parts of `bytes` have been copied out.
constexpr uint64_t kLargeBytes = uint64_t{1} << 20;
Unpickled unpickle(std::string_view bytes, const std::string& source, const PickleClasses& classes,
                   const ReleaseRange& release = {});

}  // namespace pianokpm::pickle
