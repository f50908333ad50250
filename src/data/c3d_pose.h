#pragma once
// Hand keypoints from a C3D file's 3D markers: a mapping file names the marker for each of the 21
// MediaPipe keypoints (wrist, thumb CMC..tip, index MCP..tip, ...), and which axis points up. The
// markers are seen from above (the up axis dropped, the other two kept in the file's units),
// resampled to the layout's pose rate, and losses of a marker up to max_gap_s filled by linear
// interpolation (held at the ends); a longer loss is an error naming the marker.
//
// Mapping file (JSON): {"keypoints": ["RWRA", "RCMC", ...21 labels], "up": "z", "max_gap_s": 0.25}
// ("up": x, y or z, default z as Vicon and Qualisys write; max_gap_s default 0.25).
#include <torch/torch.h>

#include <string>

#include "core/stream_layout.h"

namespace pianokpm {

// Camera view `view` (0 top, 1 right) of a performance given as a C3D file: [T, keypoints, 2]
// float32 at layout.pose_rate_hz. InputErrors name the C3D or the mapping file: a view other than
// the top one (markers seen from above are no side camera), no mapping file, a marker the file
// lacks, one lost too long, a mapping of the wrong length.
torch::Tensor read_c3d_pose(const std::string& c3d_path, int view, const std::string& mapping_path, const StreamLayout& layout);

}  // namespace pianokpm
