#include "io/manifest.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "io/atomic_file.h"
#include "io/file_names.h"
#include "core/input_error.h"

namespace pianokpm {

namespace {

bool valid_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find_first_of("/\\") == std::string::npos &&
         name.find('\0') == std::string::npos && name.size() <= 200;
}

}  // namespace

std::vector<ManifestRow> parse_manifest(const std::string& text, const std::string& path, const std::string& base_dir,
                                        const std::vector<std::string>& input_columns) {
  std::istringstream lines(text);
  std::string line;
  std::vector<std::string> columns;
  std::vector<ManifestRow> rows;
  std::set<std::string> names;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte order mark
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos || line[line.find_first_not_of(" \t")] == '#') continue;
    const std::vector<std::string> cells = split_csv_line(line);
    if (columns.empty()) {
      columns = cells;
      if (std::find(columns.begin(), columns.end(), "name") == columns.end())
        throw InputError(path, fmt::format("line {}: the header has no 'name' column", number));
      std::set<std::string> seen;
      for (const auto& c : columns) {
        if (c != "name" && std::find(input_columns.begin(), input_columns.end(), c) == input_columns.end())
          throw InputError(path,
                           fmt::format("line {}: unknown column '{}' (name, {})", number, c, fmt::join(input_columns, ", ")));
        if (!seen.insert(c).second) throw InputError(path, fmt::format("line {}: column '{}' appears twice", number, c));
      }
      continue;
    }
    if (cells.size() > columns.size())
      throw InputError(path,
                       fmt::format("line {}: {} cells but the header has {} columns", number, cells.size(), columns.size()));
    ManifestRow row;
    row.line = number;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (columns[i] == "name") {
        row.name = cells[i];
      } else if (!cells[i].empty()) {
        const std::filesystem::path p(cells[i]);
        row.inputs[columns[i]] = p.is_absolute() ? cells[i] : (std::filesystem::path(base_dir) / p).string();
      }
    }
    if (!valid_name(row.name))
      throw InputError(path, fmt::format("line {}: name '{}' is empty, too long or holds a path separator", number, row.name));
    if (!names.insert(row.name).second) throw InputError(path, fmt::format("line {}: name '{}' appears twice", number, row.name));
    rows.push_back(std::move(row));
  }
  if (columns.empty()) throw InputError(path, "the manifest is empty (expected a header: name,pose_top,...)");
  return rows;
}

std::vector<ManifestRow> read_manifest(const std::string& path, const std::vector<std::string>& input_columns) {
  return parse_manifest(read_file(path), path, std::filesystem::path(path).parent_path().string(), input_columns);
}

}  // namespace pianokpm
