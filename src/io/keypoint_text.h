#pragma once
// Hand keypoints from text files, for users whose tracker writes CSV or JSON rather than the
// release's pickles. Both give [T, keypoints, C] float32 with C = 2 (x, y) or 3 (x, y, confidence).
//   CSV:  a header row, then one row per frame of x0,y0[,c0],x1,y1[,c1],...; a first column named
//         frame or time is skipped.
//   JSON: [[[x, y(, c)] per keypoint] per frame], or an object with that array under "keypoints".
#include <torch/torch.h>

#include <string>

#include "io/file_names.h"

namespace pianokpm {

// Every problem (ragged row, wrong column count, non-number) is an InputError naming `path`.
torch::Tensor read_keypoints_text(const std::string& path, int num_keypoints);

inline bool is_keypoint_text_path(const std::string& path) {
  const std::string ext = lowercase_extension(path);
  return ext == ".csv" || ext == ".json";
}

}  // namespace pianokpm
