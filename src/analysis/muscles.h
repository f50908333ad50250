#pragma once
// The six muscles of every EMG output, in channel order, with the names a reader knows them by.
#include <string>
#include <vector>

namespace pianokpm {

struct MuscleInfo {
  std::string code;      // column name in every EMG file: ADM, PB, 1DI, 2DI, 3DI, 4DI
  std::string name;      // anatomical name
  std::string function;  // what it does, in words
};

const std::vector<MuscleInfo>& muscle_infos();

}  // namespace pianokpm
