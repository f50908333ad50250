#pragma once
// A manifest of performances: a CSV file with a header row and one performance per row. Columns:
// `name` (required; the outputs' base name: unique, no path separators) and input columns from a
// list the caller allows (paths; relative ones are relative to the manifest's folder; empty cells
// are absent inputs). Blank lines and lines starting with # are skipped. Cells are split at every
// comma (quotes around a cell are trimmed, not parsed), so paths must not hold commas.
#include <map>
#include <string>
#include <vector>

namespace pianokpm {

struct ManifestRow {
  int line = 0;  // 1-based line in the manifest, for messages
  std::string name;
  std::map<std::string, std::string> inputs;  // column -> path, non-empty cells only
};

// Errors in the file itself (missing, no name column, unknown or repeated column, a bad or
// repeated name, a row with more cells than the header) are InputErrors naming the manifest and
// line, so that a batch does not start on a manifest it would half run. Missing input files are
// the rows' own problem, found when they are read.
std::vector<ManifestRow> read_manifest(const std::string& path, const std::vector<std::string>& input_columns);
std::vector<ManifestRow> parse_manifest(const std::string& text, const std::string& path, const std::string& base_dir,
                                        const std::vector<std::string>& input_columns);

}  // namespace pianokpm
