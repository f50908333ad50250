#pragma once
// Every model architecture by name. A model file (model/ or model/baselines/) defines its class,
// an Options struct for its own hyperparameters, and registers them with PIANOKPM_REGISTER_MODEL;
// its name and source go into the `pianokpm_models` list in src/CMakeLists.txt, which makes the
// table model_kinds() returns. Nothing else names a model: `train --architecture`, the Python
// module and the tests take the list from here. docs/architecture.md walks through an example.
//
// An Options struct has defaults for every field and:
//   nlohmann::json to_json() const;
//   static Options from_json(const nlohmann::json& j);  // missing fields keep defaults; unknown: throw
//   void check(const StreamLayout& layout) const;       // throws std::invalid_argument naming the field
// model_options.h has helpers (a field reader, the unknown-field check, NoOptions).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "model/emg_model.h"

namespace pianokpm {

struct ModelKind {
  std::string name;     // as in configs' "architecture" and `train --architecture`
  std::string summary;  // one line for --help and the docs
  // The options JSON with every default filled in; throws std::invalid_argument naming a bad or
  // unknown field ("model config: <name>.<field> ...").
  nlohmann::json (*complete_options)(const nlohmann::json& options, const StreamLayout& layout);
  EmgModel (*make)(const ModelConfig& config);  // a new, randomly initialised model
};

// Every registered model, in the order of the CMake list (the released network first).
const std::vector<const ModelKind*>& model_kinds();
std::vector<std::string> model_names();
// Throws std::invalid_argument listing the names when `name` is not one.
const ModelKind& model_kind(const std::string& name);

// config.architecture -> a new, randomly initialised model; throws std::invalid_argument on a bad config.
EmgModel make_model(const ModelConfig& config);

// The config's options parsed into the architecture's Options (defaults for what is missing).
template <class Options>
Options model_options(const ModelConfig& config) {
  return Options::from_json(config.options);
}

}  // namespace pianokpm

// In the model's .cpp, at namespace scope inside namespace pianokpm:
//   PIANOKPM_REGISTER_MODEL(neuropose, NeuroPoseNetImpl, NeuroPoseOptions, "a convolutional encoder-decoder");
// NAME must match the name in src/CMakeLists.txt's model list.
#define PIANOKPM_REGISTER_MODEL(NAME, CLASS, OPTIONS, SUMMARY)                                                          \
  const ModelKind& model_kind_##NAME() {                                                                                \
    static const ModelKind kind{#NAME, SUMMARY,                                                                         \
                                [](const nlohmann::json& given, const StreamLayout& layout) {                           \
                                  const OPTIONS options = OPTIONS::from_json(given);                                    \
                                  options.check(layout);                                                                \
                                  return options.to_json();                                                             \
                                },                                                                                      \
                                [](const ModelConfig& config) -> EmgModel { return std::make_shared<CLASS>(config); }}; \
    return kind;                                                                                                        \
  }
