#include "train/kept_epochs.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "core/input_error.h"

namespace pianokpm {

std::vector<std::string> last_kept_epochs(const std::string& run, int count) {
  namespace fs = std::filesystem;
  const fs::path folder = fs::path(run) / "epochs";
  if (!fs::is_directory(folder)) throw InputError(folder.string(), "not found: train the run with --keep-epochs");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(folder))
    if (e.path().extension() == ".pt") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  if (static_cast<int>(files.size()) < count)
    throw InputError(folder.string(), fmt::format("has {} epoch files; {} were asked for", files.size(), count));
  return {files.end() - count, files.end()};
}

}  // namespace pianokpm
