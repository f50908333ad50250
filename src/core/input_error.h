#pragma once
// InputError: bad user input (missing, malformed or inconsistent file). The CLI prints its
// message as one line and exits with code 2; anything else is a bug and exits with code 1.
#include <stdexcept>
#include <string>

namespace pianokpm {

class InputError : public std::runtime_error {
 public:
  // `source` names the file (or option) at fault; `problem` says what is wrong with it.
  InputError(const std::string& source, const std::string& problem);
  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

}  // namespace pianokpm
