#include "model/state_dict.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "io/atomic_file.h"
#include "core/input_error.h"
#include "model/model_registry.h"
#include "model/pianokpm_net.h"
#include "io/torch_state_dict_writer.h"

namespace pianokpm {

std::string canonical_tensor_name(const std::string& name, const ModelConfig& config) {
  static const std::regex alias(R"(^network\.(pose|key)_tds\.(\d+)\.(.*)$)");
  std::smatch m;
  if (!std::regex_match(name, m, alias)) return name;
  const int index = std::stoi(m[2].str());
  const int front = static_cast<int>(model_options<PianoKpmNetOptions>(config).encoder.front_kernels.size());
  if (index < front) return fmt::format("network.{}_conv.{}.{}", m[1].str(), index, m[3].str());
  return fmt::format("network.tds_stages.{}.{}", index - front, m[3].str());
}

NamedTensors named_tensors(EmgModel& model) {
  NamedTensors out;
  for (const auto& p : model->named_parameters()) out.emplace_back(p.key(), p.value());
  for (const auto& b : model->named_buffers()) out.emplace_back(b.key(), b.value());
  return out;
}

namespace {

// The release registers a TDS stage's projection (linear_layer) before its blocks (layers).
void release_stage_order(NamedTensors& tensors) {
  static const std::string stages = "network.tds_stages.";
  for (size_t i = 0; i < tensors.size();) {
    const std::string& name = tensors[i].first;
    if (name.rfind(stages, 0) != 0) {
      ++i;
      continue;
    }
    const std::string prefix = name.substr(0, name.find('.', stages.size()) + 1);
    size_t end = i;
    while (end < tensors.size() && tensors[end].first.rfind(prefix, 0) == 0) ++end;
    std::stable_partition(tensors.begin() + static_cast<std::ptrdiff_t>(i), tensors.begin() + static_cast<std::ptrdiff_t>(end),
                          [&](const auto& t) { return t.first.rfind(prefix + "linear_layer", 0) == 0; });
    i = end;
  }
}

}  // namespace

std::string release_export_refusal(const ModelConfig& config) {
  if (config.architecture != "pianokpm")
    return "is a " + config.architecture + " model; only the released architecture (pianokpm) can be exported";
  // The release reads pixels (or 0..1 coordinates) as given; the hand and palm frames are ours alone.
  if (config.pose.frame != PoseFrame::kImage)
    return "reads keypoints in the " + to_string(config.pose.frame) +
           " frame, which the released code does not compute: it cannot be exported";
  return "";
}

NamedTensors release_state_dict(EmgModel& model) {
  const ModelConfig& c = model->config();
  if (c.architecture != "pianokpm")
    throw std::invalid_argument("only the released architecture (pianokpm) has a release state dict, not " + c.architecture);
  NamedTensors canonical = named_tensors(model);
  release_stage_order(canonical);
  // The release registers each stream's encoder a second time as <stream>_tds: its own front
  // blocks followed by the shared TDS stages. These entries follow the encoder's own.
  NamedTensors aliases;
  const int front = static_cast<int>(model_options<PianoKpmNetOptions>(c).encoder.front_kernels.size());
  for (const std::string stream : {"pose", "key"}) {
    if (stream == "pose" ? !uses_pose(c.modality) : !uses_keys(c.modality)) continue;
    const std::string own = "network." + stream + "_conv.", shared = "network.tds_stages.";
    for (const auto& [name, t] : canonical) {
      std::string rest;
      int index = -1;
      if (name.rfind(own, 0) == 0) {
        rest = name.substr(own.size());
        index = std::stoi(rest);
      } else if (name.rfind(shared, 0) == 0) {
        rest = name.substr(shared.size());
        index = front + std::stoi(rest);
      } else {
        continue;
      }
      aliases.emplace_back(fmt::format("network.{}_tds.{}{}", stream, index, rest.substr(rest.find('.'))), t);
    }
  }
  NamedTensors out;
  bool placed = false;
  for (const auto& entry : canonical) {
    if (!placed && entry.first.rfind("network.", 0) != 0) {
      out.insert(out.end(), aliases.begin(), aliases.end());
      placed = true;
    }
    out.push_back(entry);
  }
  if (!placed) out.insert(out.end(), aliases.begin(), aliases.end());
  return out;
}

ReleaseExport export_release_model(EmgModel& model, const std::string& out) {
  const std::string refusal = release_export_refusal(model->config());
  if (!refusal.empty()) throw std::invalid_argument("this model " + refusal);
  const NamedTensors tensors = release_state_dict(model);
  NamedTensors cpu;
  std::map<const void*, torch::Tensor> copied;  // one copy per tensor, so aliases still share it
  for (const auto& [name, t] : tensors) {
    if (t.device().is_cpu()) {
      cpu.emplace_back(name, t);
    } else {
      auto it = copied.find(t.data_ptr());
      if (it == copied.end()) it = copied.emplace(t.data_ptr(), t.cpu()).first;
      cpu.emplace_back(name, it->second);
    }
  }
  const std::string config_out = std::filesystem::path(out).replace_extension(".json").string();
  // The config first, removed again if the weights cannot be written: a state dict without its
  // config would be read with the wrong scaling, and a config alone is no model.
  write_file_atomically(config_out, model->config().to_json().dump(2) + "\n");
  try {
    write_torch_state_dict(out, cpu);
  } catch (...) {
    std::filesystem::remove(config_out);
    throw;
  }
  return {config_out, tensors.size()};
}

void load_named_tensors(EmgModel& model, const NamedTensors& tensors, const std::string& source) {
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
      throw InputError(source, fmt::format("tensor '{}' has shape [{}], expected [{}]", name, fmt::join(tensor.sizes(), ", "),
                                           fmt::join(target->second.sizes(), ", ")));
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
