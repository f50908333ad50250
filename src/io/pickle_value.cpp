#include "io/pickle_value.h"

namespace pianokpm::pickle {

namespace {
ValuePtr make(Kind kind) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  return v;
}
}  // namespace

ValuePtr Value::none() { return make(Kind::kNone); }
ValuePtr Value::from_bool(bool b) {
  auto v = make(Kind::kBool);
  v->boolean = b;
  return v;
}
ValuePtr Value::from_int(int64_t i) {
  auto v = make(Kind::kInt);
  v->integer = i;
  return v;
}
ValuePtr Value::from_float(double d) {
  auto v = make(Kind::kFloat);
  v->real = d;
  return v;
}
ValuePtr Value::from_string(std::string s) {
  auto v = make(Kind::kString);
  v->text = std::move(s);
  return v;
}
ValuePtr Value::from_bytes(std::string s) {
  auto v = make(Kind::kBytes);
  v->text = std::move(s);
  return v;
}
ValuePtr Value::tuple(std::vector<ValuePtr> items) {
  auto v = make(Kind::kTuple);
  v->items = std::move(items);
  return v;
}
ValuePtr Value::list(std::vector<ValuePtr> items) {
  auto v = make(Kind::kList);
  v->items = std::move(items);
  return v;
}
ValuePtr Value::dict() { return make(Kind::kDict); }
ValuePtr Value::global(std::string qualified_name) {
  auto v = make(Kind::kGlobal);
  v->text = std::move(qualified_name);
  return v;
}
ValuePtr Value::from_tensor(torch::Tensor t) {
  auto v = make(Kind::kTensor);
  v->tensor = std::move(t);
  return v;
}

std::string describe(Kind kind) {
  switch (kind) {
    case Kind::kNone: return "None";
    case Kind::kBool: return "a bool";
    case Kind::kInt: return "an int";
    case Kind::kFloat: return "a float";
    case Kind::kString: return "a string";
    case Kind::kBytes: return "bytes";
    case Kind::kTuple: return "a tuple";
    case Kind::kList: return "a list";
    case Kind::kDict: return "a dict";
    case Kind::kGlobal: return "a class or function";
    case Kind::kDtype: return "a numpy dtype";
    case Kind::kArrayStub: return "an unfinished numpy array";
    case Kind::kTensor: return "an array";
    case Kind::kStorage: return "a torch storage";
  }
  return "an unknown object";
}

}  // namespace pianokpm::pickle
