// Any bytes: a model or an InputError, never a crash, hang or leak. Small inputs that parse are
// also built into a graph (constant folding and the dry run), which is where shapes are checked.
#include <stdexcept>
#include <vector>

#include "core/input_error.h"
#include "pose/tflite_graph.h"
#include "pose/tflite_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  try {
    pianokpm::pose::TfliteModel model = pianokpm::pose::parse_tflite(bytes, "fuzz.tflite");
    constexpr size_t kMaxGraphBytes = 1 << 16;  // keep the executions fast; the parser sees everything
    if (size <= kMaxGraphBytes) pianokpm::pose::TfliteGraph graph(std::move(model), "fuzz.tflite");
  } catch (const pianokpm::InputError&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
