#pragma once
// PickleValue: the few Python objects our restricted unpickler can build. Shared pointers because
// the pickle memo lets one object be referenced (and mutated, e.g. by APPENDS) from several places.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pianokpm::pickle {

struct Value;
using ValuePtr = std::shared_ptr<Value>;

enum class Kind {
  kNone,
  kBool,
  kInt,
  kFloat,
  kString,  // text (UTF-8)
  kBytes,   // raw bytes
  kTuple,
  kList,
  kDict,       // insertion-ordered, as Python's dict and OrderedDict
  kGlobal,     // an allowed callable or class, named "module.name"
  kDtype,      // numpy dtype under construction: text = descr ("f4"), byte_order '<' '>' '|' '='
  kArrayStub,  // numpy ndarray made by _reconstruct, waiting for its BUILD state
  kTensor,     // a finished numeric array or tensor
  kStorage,    // a torch storage (flat tensor) from a persistent id
};

struct Value {
  Kind kind = Kind::kNone;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0.0;
  std::string text;                                    // kString, kBytes, kGlobal, kDtype
  char byte_order = '=';                               // kDtype
  std::vector<ValuePtr> items;                         // kTuple, kList
  std::vector<std::pair<ValuePtr, ValuePtr>> entries;  // kDict
  torch::Tensor tensor;                                // kTensor, kStorage

  static ValuePtr none();
  static ValuePtr from_bool(bool b);
  static ValuePtr from_int(int64_t i);
  static ValuePtr from_float(double d);
  static ValuePtr from_string(std::string s);
  static ValuePtr from_bytes(std::string s);
  static ValuePtr tuple(std::vector<ValuePtr> items);
  static ValuePtr list(std::vector<ValuePtr> items);
  static ValuePtr dict();
  static ValuePtr global(std::string qualified_name);
  static ValuePtr from_tensor(torch::Tensor t);
};

// Python-ish name of a kind, for error messages ("a dict", "a string").
std::string describe(Kind kind);

}  // namespace pianokpm::pickle
