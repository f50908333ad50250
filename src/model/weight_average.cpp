#include "model/weight_average.h"

#include "core/input_error.h"
#include "model/state_dict.h"

namespace pianokpm {

LoadedModel average_checkpoints(const std::vector<std::string>& paths) {
  if (paths.empty()) throw std::invalid_argument("average: no checkpoints given");
  LoadedModel first = load_model(paths.front());
  const nlohmann::json config = first.net->config().to_json();
  NamedTensors sums = named_tensors(first.net);
  for (auto& [name, t] : sums) t = t.detach().to(torch::kDouble).clone();

  for (size_t i = 1; i < paths.size(); ++i) {
    LoadedModel next = load_model(paths[i]);
    if (next.net->config().to_json() != config) {
      throw InputError(paths[i], "has another model config than " + paths.front() + "; only checkpoints of one run average");
    }
    const NamedTensors tensors = named_tensors(next.net);
    for (size_t k = 0; k < sums.size(); ++k) sums[k].second += tensors[k].second.detach().to(torch::kDouble);
  }
  for (auto& [name, t] : sums) t /= static_cast<double>(paths.size());

  load_named_tensors(first.net, sums, paths.front());
  first.metadata = {{"averaged_from", paths}};
  return first;
}

}  // namespace pianokpm
