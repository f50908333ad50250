// Any bytes as a batch manifest: rows or an InputError, never a crash, hang or leak.
#include <string>

#include "core/input_error.h"
#include "io/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    pianokpm::parse_manifest(std::string(reinterpret_cast<const char*>(data), size), "fuzz.csv", "base",
                             {"pose_top", "pose_right", "keys", "midi"});
  } catch (const pianokpm::InputError&) {
  }
  return 0;
}
