#include "core/install_paths.h"

#include <dlfcn.h>

#include <filesystem>
#include <string>

namespace pianokpm {

namespace {

namespace fs = std::filesystem;

// The file this function was linked into: a shared object (the Python module) names itself; for
// the executable, dladdr gives only argv[0], so the kernel's link is read instead.
fs::path this_binary_dir() {
  Dl_info info{};
  const bool in_shared_object = dladdr(reinterpret_cast<const void*>(&this_binary_dir), &info) != 0 && info.dli_fname &&
                                std::string(info.dli_fname).find(".so") != std::string::npos;
  std::error_code ec;
  const fs::path file = fs::canonical(in_shared_object ? fs::path(info.dli_fname) : fs::path("/proc/self/exe"), ec);
  return ec ? fs::path() : file.parent_path();
}

std::string installed_or_source(const std::string& what, const char* source_dir) {
  const fs::path dir = this_binary_dir();
  if (!dir.empty()) {
    for (const fs::path& candidate : {dir / ".." / "share" / "pianokpm" / what, dir / "pianokpm_data" / what,
                                      dir / ".." / ".." / ".." / "share" / "pianokpm" / what}) {
      std::error_code ec;
      if (fs::is_directory(candidate, ec)) return fs::weakly_canonical(candidate, ec).string();
    }
  }
  return source_dir;
}

}  // namespace

std::string shipped_models_dir() { return installed_or_source("models", PIANOKPM_SOURCE_DIR "/assets/models"); }
std::string mediapipe_models_dir() { return installed_or_source("mediapipe", PIANOKPM_SOURCE_DIR "/models/mediapipe"); }
std::string demo_assets_dir() { return installed_or_source("demo", PIANOKPM_SOURCE_DIR "/assets/demo"); }

}  // namespace pianokpm
