// Any bytes: either notes or an InputError, never a crash, hang or leak.
#include "core/input_error.h"
#include "io/midi_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    pianokpm::parse_midi(data, size, "fuzz.mid");
  } catch (const pianokpm::InputError&) {
  }
  return 0;
}
