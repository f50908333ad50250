// Any bytes as a .pth file: either named tensors or an InputError, never a crash.
#include <unistd.h>

#include <fstream>

#include "core/input_error.h"
#include "io/torch_zip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/pianokpm_fuzz_" + std::to_string(::getpid()) + ".pth";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    pianokpm::read_torch_state_dict(path);
  } catch (const pianokpm::InputError&) {
  }
  return 0;
}
