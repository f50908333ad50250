#pragma once
// The Markdown table of an evaluation (`pianokpm eval`'s metrics.md) from its metrics.json
// object: a heading naming the set, split and model, one row per performance (RMSE, OTD, onset
// error, Pearson r per muscle), the mean row, the interval's coverage when there is one, and the
// offline RMSE and streamed-to-offline RMSE when the evaluation streamed (eval --stream-hop).
#include <nlohmann/json.hpp>

#include <string>

namespace pianokpm {

// `metrics` holds set, split, model, architecture, modality, performances (rows) and mean, and
// interval_level when the evaluation had an interval, stream_hop_s when it streamed.
std::string metrics_markdown(const nlohmann::json& metrics);

}  // namespace pianokpm
