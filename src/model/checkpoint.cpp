#include "model/checkpoint.h"

#include <caffe2/serialize/inline_container.h>
#include <unistd.h>

#include <filesystem>

#include "io/atomic_file.h"
#include "core/input_error.h"
#include "io/torch_zip.h"
#include "model/model_registry.h"
#include "model/state_dict.h"

namespace pianokpm {

namespace {

constexpr const char* kFormatKey = "pianokpm_format";
constexpr const char* kFormatName = "pianokpm-checkpoint-v1";
constexpr const char* kWeightPrefix = "weights/";

// Our archives are written by torch::serialize, which stores a TorchScript module (constants.pkl).
bool is_pianokpm_archive(const std::string& path) {
  try {
    caffe2::serialize::PyTorchStreamReader zip(path);
    return zip.hasRecord("constants.pkl");
  } catch (const c10::Error&) {
    return false;
  }
}

std::string read_string(torch::serialize::InputArchive& archive, const std::string& key, const std::string& path) {
  c10::IValue v;
  if (!archive.try_read(key, v) || !v.isString()) throw InputError(path, "checkpoint has no '" + key + "' entry");
  return v.toStringRef();
}

LoadedModel load_pianokpm_checkpoint(const std::string& path) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    throw InputError(path, "corrupt checkpoint: " + what.substr(0, what.find('\n')));
  }
  if (read_string(archive, kFormatKey, path) != kFormatName) throw InputError(path, "unknown checkpoint format version");
  ModelConfig config;
  nlohmann::json metadata;
  try {
    config = ModelConfig::from_json(nlohmann::json::parse(read_string(archive, "config", path)));
    metadata = nlohmann::json::parse(read_string(archive, "metadata", path));
  } catch (const std::exception& e) {
    throw InputError(path, std::string("bad config in checkpoint: ") + e.what());
  }
  LoadedModel m{make_model(config), "pianokpm", metadata};
  NamedTensors tensors;
  for (const auto& key : archive.keys()) {
    if (key.rfind(kWeightPrefix, 0) != 0) continue;
    torch::Tensor t;
    archive.read(key, t);
    tensors.emplace_back(key.substr(std::string(kWeightPrefix).size()), t);
  }
  load_named_tensors(m.net, tensors, path);
  return m;
}

}  // namespace

LoadedModel load_model(const std::string& path, const std::optional<ModelConfig>& config_for_state_dict) {
  read_file(path);  // clear errors for missing files and directories before zip parsing
  if (is_pianokpm_archive(path)) return load_pianokpm_checkpoint(path);
  const ModelConfig config = config_for_state_dict.value_or(ModelConfig{});
  LoadedModel m{make_model(config), "pytorch-state-dict", nlohmann::json::object()};
  load_named_tensors(m.net, read_torch_state_dict(path), path);
  return m;
}

void save_checkpoint(const std::string& path, EmgModel& net, const nlohmann::json& metadata, torch::optim::Optimizer* optimizer) {
  torch::serialize::OutputArchive archive;
  archive.write(kFormatKey, c10::IValue(std::string(kFormatName)));
  archive.write("config", c10::IValue(net->config().to_json().dump()));
  archive.write("metadata", c10::IValue(metadata.is_null() ? std::string("{}") : metadata.dump()));
  for (const auto& [name, tensor] : named_tensors(net)) {
    archive.write(kWeightPrefix + name, tensor.detach().to(torch::kCPU));
  }
  torch::serialize::OutputArchive optimizer_archive;
  if (optimizer) {
    optimizer->save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
  }
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  archive.save_to(tmp);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw InputError(path, "cannot move finished checkpoint into place");
  }
}

void load_optimizer_state(const std::string& path, torch::optim::Optimizer& optimizer) {
  torch::serialize::InputArchive archive, optimizer_archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    throw InputError(path, "corrupt checkpoint: " + what.substr(0, what.find('\n')));
  }
  if (!archive.try_read("optimizer", optimizer_archive)) throw InputError(path, "checkpoint holds no optimizer state");
  optimizer.load(optimizer_archive);
}

}  // namespace pianokpm
