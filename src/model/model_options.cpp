#include "model/model_options.h"

namespace pianokpm {

void refuse_unknown_fields(const nlohmann::json& given, const nlohmann::json& defaults, const std::string& prefix) {
  if (!given.is_object()) throw std::invalid_argument(fmt::format("model config: {}options must be a JSON object", prefix));
  for (auto it = given.begin(); it != given.end(); ++it)
    if (!defaults.contains(it.key()))
      throw std::invalid_argument(fmt::format("model config: unknown field '{}{}'", prefix, it.key()));
}

}  // namespace pianokpm
