#pragma once
// Weight averaging of checkpoints of one training run (stochastic weight averaging, "model
// soups"): the element-wise mean of every parameter and buffer. Late epochs of a run wander
// around a minimum at a small learning rate; their mean usually sits closer to it than any one.
#include <string>
#include <vector>

#include "model/checkpoint.h"

namespace pianokpm {

// Loads every file in `paths` (our checkpoints or official state dicts) and returns a model with
// their mean weights, summed in float64. All must share one model config (pose statistics
// included); a file that differs is an InputError naming it. The metadata lists the sources.
LoadedModel average_checkpoints(const std::vector<std::string>& paths);

}  // namespace pianokpm
