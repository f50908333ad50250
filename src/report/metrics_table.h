#pragma once
// The Markdown table of an evaluation (`pianokpm eval`'s metrics.md) from its metrics.json
// object: a heading naming the set, split and model, one row per performance (RMSE, OTD, onset
// error, Pearson r per muscle), the mean row, and the interval's coverage when there is one.
#include <nlohmann/json.hpp>

#include <string>

namespace pianokpm {

// `metrics` holds set, split, model, architecture, modality, performances (rows) and mean, and
// interval_level when the evaluation had an interval.
std::string metrics_markdown(const nlohmann::json& metrics);

}  // namespace pianokpm
