#include "core/input_error.h"

namespace pianokpm {

InputError::InputError(const std::string& source, const std::string& problem)
    : std::runtime_error(source.empty() ? problem : source + ": " + problem), source_(source) {}

}  // namespace pianokpm
