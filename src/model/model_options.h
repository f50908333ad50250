#pragma once
// Helpers for a model's Options struct (model/model_registry.h): reading fields with defaults,
// refusing unknown ones, and the Options of a model without hyperparameters.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

#include "core/stream_layout.h"

namespace pianokpm {

// Throws std::invalid_argument("model config: unknown field '<prefix><key>'") for a key of `given`
// that `defaults` (an Options' to_json()) lacks.
void refuse_unknown_fields(const nlohmann::json& given, const nlohmann::json& defaults, const std::string& prefix = "");

// Reads j[key] into field when present, naming the field on a type error.
template <class T>
void read_field(const nlohmann::json& j, const char* key, T& field) {
  if (!j.contains(key)) return;
  try {
    field = j.at(key).get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(fmt::format("model config: {}: {}", key, e.what()));
  }
}

// Throws std::invalid_argument("model config: <what>") unless ok.
inline void require_option(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("model config: " + what);
}

// The Options of a model with no hyperparameters of its own.
struct NoOptions {
  nlohmann::json to_json() const { return nlohmann::json::object(); }
  static NoOptions from_json(const nlohmann::json& j) {
    refuse_unknown_fields(j, nlohmann::json::object());
    return {};
  }
  void check(const StreamLayout& /*layout*/) const {}
};

}  // namespace pianokpm
