#pragma once
// Where the data pianokpm ships with lives: the models trained on the synthetic corpus and
// MediaPipe Hands' models. Looked up beside the binary or library this code was linked into, so
// that an installed copy (cmake --install, the .deb, the Python wheel) finds its own files:
//   <bin>/../share/pianokpm/<what>                   the command, installed under a prefix
//   <dir>/pianokpm_data/<what>                       the Python module, installed from the wheel
//   <dir>/../../../share/pianokpm/<what>             the Python module under PREFIX/lib/python3.X/dist-packages
// and otherwise in the source tree it was built from (a build tree's binaries).
#include <string>

namespace pianokpm {

std::string shipped_models_dir();    // synthetic_*.pt (assets/models in the source tree)
std::string mediapipe_models_dir();  // hand_landmark_*.tflite, palm_detection_*.tflite (models/mediapipe)
std::string demo_assets_dir();       // hand_moving.mp4 (assets/demo)

}  // namespace pianokpm
