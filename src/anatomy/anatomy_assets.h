#pragma once
// Data files embedded at build time (src/CMakeLists.txt).
namespace pianokpm::anatomy_assets {
extern const char* const myohand_moment_arms;  // assets/anatomy/myohand_moment_arms.json
}  // namespace pianokpm::anatomy_assets
