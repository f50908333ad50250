#pragma once
// What the readers dispatch on (a path's extension, lower-cased; one CSV line's fields) and what
// the writers check first (an output's extension).
#include <string>
#include <vector>

namespace pianokpm {

// ".pkl" for "a/B.PKL"; "" when there is none.
std::string lowercase_extension(const std::string& path);

// Comma-separated fields with surrounding spaces, tabs, carriage returns and double quotes
// trimmed; a trailing comma gives a last empty field.
std::vector<std::string> split_csv_line(const std::string& line);

// Throws InputError naming `path` unless it ends in one of `extensions` (".csv", ...).
void require_output_extension(const std::string& path, const std::vector<std::string>& extensions);

}  // namespace pianokpm
