#include "model/state_dict.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <regex>
#include <set>

#include "io/input_error.h"

namespace pianokpm {

std::string canonical_tensor_name(const std::string& name, const ModelConfig& config) {
  static const std::regex alias(R"(^network\.(pose|key)_tds\.(\d+)\.(.*)$)");
  std::smatch m;
  if (!std::regex_match(name, m, alias)) return name;
  const int index = std::stoi(m[2].str());
  const int front = static_cast<int>(config.front_kernels.size());
  if (index < front) return fmt::format("network.{}_conv.{}.{}", m[1].str(), index, m[3].str());
  return fmt::format("network.tds_stages.{}.{}", index - front, m[3].str());
}

NamedTensors named_tensors(PianoKpmNet& model) {
  NamedTensors out;
  for (const auto& p : model->named_parameters()) out.emplace_back(p.key(), p.value());
  for (const auto& b : model->named_buffers()) out.emplace_back(b.key(), b.value());
  return out;
}

void load_named_tensors(PianoKpmNet& model, const NamedTensors& tensors, const std::string& source) {
  std::map<std::string, torch::Tensor> targets;
  for (auto& [name, t] : named_tensors(model)) targets.emplace(name, t);

  std::map<std::string, torch::Tensor> loaded;  // canonical name -> first tensor seen
  for (const auto& [name, tensor] : tensors) {
    const std::string canonical = canonical_tensor_name(name, model->config());
    auto target = targets.find(canonical);
    if (target == targets.end()) {
      throw InputError(source, fmt::format("unexpected tensor '{}' (not part of a {} model with this config)", name,
                                           to_string(model->config().modality)));
    }
    if (tensor.sizes() != target->second.sizes()) {
      throw InputError(source, fmt::format("tensor '{}' has shape [{}], expected [{}]", name,
                                           fmt::join(tensor.sizes(), ", "), fmt::join(target->second.sizes(), ", ")));
    }
    if (!tensor.is_floating_point()) throw InputError(source, fmt::format("tensor '{}' is not floating point", name));
    auto [seen, fresh] = loaded.emplace(canonical, tensor);
    if (!fresh && !torch::equal(seen->second.to(torch::kDouble), tensor.to(torch::kDouble))) {
      throw InputError(source, fmt::format("tensor '{}' differs from '{}' which it must alias", name, canonical));
    }
  }
  for (const auto& [name, target] : targets) {
    if (!loaded.count(name)) throw InputError(source, fmt::format("missing tensor '{}'", name));
  }
  torch::NoGradGuard no_grad;
  for (auto& [name, target] : targets) target.copy_(loaded.at(name));
}

}  // namespace pianokpm
