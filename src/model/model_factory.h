#pragma once
// The one place that knows every model class: config.architecture -> a new, randomly initialised
// model. A new model is one file in model/ or model/baselines/ plus one line here (and its name
// in model_config's Architecture).
#include "model/emg_model.h"

namespace pianokpm {

EmgModel make_model(const ModelConfig& config);  // throws std::invalid_argument on a bad config

}  // namespace pianokpm
