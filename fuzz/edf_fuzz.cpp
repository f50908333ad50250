// Any bytes as an .edf file through our libbiosig reader: channels or an InputError, never a
// crash, hang or leak. libbiosig reads from a path, so each input goes to a per-process file.
#include <unistd.h>

#include <fstream>
#include <string>

#include "core/input_error.h"
#include "io/signal_recording.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/pianokpm_edf_fuzz_" + std::to_string(::getpid()) + ".edf";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    pianokpm::read_signals(path, {});
  } catch (const pianokpm::InputError&) {
  }
  return 0;
}
