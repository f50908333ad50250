// Any bytes as a C3D file: a parsed trial or an InputError, never a crash, hang, leak or a
// gigabyte allocation (every count is checked against the file's size first).
#include <string_view>

#include "core/input_error.h"
#include "io/c3d_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    pianokpm::parse_c3d(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.c3d");
  } catch (const pianokpm::InputError&) {
  }
  return 0;
}
