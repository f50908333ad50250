#pragma once
// A plausible right hand seen from above in a 320x240 image (MediaPipe's 21 landmarks, pixels).
#include "render/muscle_layout.h"

namespace pianokpm::testing {

inline render::HandPoints test_hand() {
  return {{{160, 220}, {125, 200}, {105, 175}, {92, 155}, {82, 138},  // wrist, thumb
           {135, 140}, {130, 110}, {128, 92},  {126, 76},             // index
           {158, 136}, {158, 104}, {158, 84},  {158, 68},             // middle
           {180, 140}, {183, 110}, {185, 92},  {187, 78},             // ring
           {198, 148}, {204, 126}, {208, 112}, {211, 100}}};          // little
}

}  // namespace pianokpm::testing
