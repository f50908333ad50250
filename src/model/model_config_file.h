#pragma once
// Model configs kept as JSON files beside or apart from the weights: an official state dict (.pth)
// carries no config, so it is read with one given by the user, or with the one `pianokpm export`
// wrote beside it (NAME.json for NAME.pth), or else with the released configuration.
#include <optional>
#include <string>

#include "model/model_config.h"

namespace pianokpm {

// The config file to read `model_path` with: `config_path` when given; for NAME.pth, NAME.json
// beside it when there is one; else "" (a .pth then gets the released configuration).
std::string state_dict_config_path(const std::string& model_path, const std::string& config_path = "");

// The config JSON at `path`; nullopt for "". Errors are InputError naming the file.
std::optional<ModelConfig> read_model_config(const std::string& path);

}  // namespace pianokpm
