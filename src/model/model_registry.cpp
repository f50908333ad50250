#include "model/model_registry.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

namespace pianokpm {

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const ModelKind* kind : model_kinds()) names.push_back(kind->name);
  return names;
}

const ModelKind& model_kind(const std::string& name) {
  for (const ModelKind* kind : model_kinds())
    if (kind->name == name) return *kind;
  throw std::invalid_argument(fmt::format("architecture must be one of {}, not '{}'", fmt::join(model_names(), ", "), name));
}

EmgModel make_model(const ModelConfig& config) {
  return model_kind(config.architecture).make(config);  // EmgModelImpl's constructor checks the config
}

}  // namespace pianokpm
