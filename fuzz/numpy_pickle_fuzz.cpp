// Any bytes: either a tensor or an InputError, never a crash, hang or leak.
#include "core/input_error.h"
#include "io/numpy_pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    pianokpm::parse_numpy_pickle(std::string(reinterpret_cast<const char*>(data), size), "fuzz.pkl");
  } catch (const pianokpm::InputError&) {
  }
  return 0;
}
