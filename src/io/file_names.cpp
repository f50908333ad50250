#include "io/file_names.h"

#include <cctype>
#include <filesystem>
#include <sstream>

#include "core/input_error.h"

namespace pianokpm {

std::string lowercase_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) {
    const auto first = field.find_first_not_of(" \t\r\"");
    const auto last = field.find_last_not_of(" \t\r\"");
    fields.push_back(first == std::string::npos ? "" : field.substr(first, last - first + 1));
  }
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

void require_output_extension(const std::string& path, const std::vector<std::string>& extensions) {
  std::string list;
  for (size_t i = 0; i < extensions.size(); ++i) {
    const std::string& ext = extensions[i];
    if (path.size() > ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0) return;
    list += (i == 0 ? "" : i + 1 == extensions.size() ? " or " : ", ") + ext;
  }
  throw InputError(path, "output must end in " + list);
}

}  // namespace pianokpm
