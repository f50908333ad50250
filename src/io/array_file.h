#pragma once
// Array files by extension: .pkl/.pickle (numpy pickle), .npy; writers for .npy, .pkl and .csv.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace pianokpm {

// Reads a numeric array. Errors (missing, truncated, non-numeric) are InputErrors naming `path`.
torch::Tensor read_array(const std::string& path);

// Writes a 1-D or 2-D array atomically; .csv gets `column_names` as its header when given.
void write_array(const std::string& path, const torch::Tensor& array, const std::vector<std::string>& column_names = {});

std::string serialize_csv(const torch::Tensor& array, const std::vector<std::string>& column_names);

}  // namespace pianokpm
