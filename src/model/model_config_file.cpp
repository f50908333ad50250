#include "model/model_config_file.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <stdexcept>

#include "io/atomic_file.h"
#include "core/input_error.h"

namespace pianokpm {

std::string state_dict_config_path(const std::string& model_path, const std::string& config_path) {
  if (!config_path.empty() || std::filesystem::path(model_path).extension() != ".pth") return config_path;
  const std::string beside = std::filesystem::path(model_path).replace_extension(".json").string();
  return std::filesystem::is_regular_file(beside) ? beside : "";
}

std::optional<ModelConfig> read_model_config(const std::string& path) {
  if (path.empty()) return std::nullopt;
  try {
    return ModelConfig::from_json(nlohmann::json::parse(read_file(path)));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, std::string("not valid JSON: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw InputError(path, e.what());
  }
}

}  // namespace pianokpm
