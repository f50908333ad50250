#pragma once
// Outputs are written to "<path>.tmp-<pid>" and renamed into place only when complete, so a
// failed or interrupted run never leaves a partial file under the final name.
#include <string>

namespace pianokpm {

void write_file_atomically(const std::string& path, const std::string& bytes);

// Reads a whole file; a missing or unreadable file is an InputError naming it.
std::string read_file(const std::string& path);

}  // namespace pianokpm
