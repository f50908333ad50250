#!/usr/bin/env bash
# Installs what the build needs and is missing (Debian packages), then configures and builds.
# Idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${PIANOKPM_BUILD_DIR:-$root/build}

# chromium: the HTML report and the live view are tested in it, headless (tests/report, tests/live).
# libcpp-httplib-dev, liblo-dev, librtmidi-dev: `pianokpm live` (browser view, OSC, MIDI input);
# clang-format: the test that every C++ file keeps the house style (.clang-format).
# ffmpeg: its tests serve a video as a network stream, and scripts/make_demo_video.sh.
# pybind11-dev, python3-dev: the Python module (build/python); python3-numpy, python3-pytest,
# python3-pil: its tests; python3-torch: the test that it runs beside PyTorch and that exported
# models load with torch.load. python3-mne: reads back the EDF+/BDF+ files of BIDS output;
# python3-venv, python3-pip: the wheel installed into a fresh virtual environment; dpkg-dev: cpack's .deb.
# libssl-dev, libsqlite3-dev, libsodium-dev: `pianokpm serve` (TLS, its database, password hashing);
# curl: docs/remote.md calls its API.
# libopenblas0-pthread matters: Debian's libtorch calls the system BLAS, and the reference BLAS
# Debian selects by default makes matrix products about 45x slower.
packages=(cmake ninja-build g++ pkg-config libtorch-dev libopenblas0-pthread nlohmann-json3-dev
  libcli11-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev libcairo2-dev libbiosig-dev libopencv-dev
  libopenmpi-dev openmpi-bin chromium libcpp-httplib-dev liblo-dev librtmidi-dev ffmpeg
  pybind11-dev python3-dev python3-numpy python3-pytest python3-pil python3-torch clang-format
  python3-mne python3-venv python3-pip dpkg-dev libssl-dev libsqlite3-dev libsodium-dev curl)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm (for MediaPipe's models) may come with a nodejs from elsewhere (NodeSource ships its own
# npm, which conflicts with Debian's package): install Debian's only when there is none.
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# MediaPipe Hands' models for `pianokpm pose`, from npm (no download at run time).
"$root/scripts/fetch_mediapipe_models.sh"
# uPlot (inlined into HTML reports at build time) and playwright-core (drives chromium in the
# report's browser test), from npm into web/node_modules.
"$root/scripts/fetch_web_packages.sh"

# Warnings are errors here (PIANOKPM_WERROR): a new warning fails the build that the tests run on.
# A build folder configured before that switch was on is configured again.
if [[ ! -f $build_dir/build.ninja ]] || ! grep -q '^PIANOKPM_WERROR:BOOL=ON$' "$build_dir/CMakeCache.txt"; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPIANOKPM_WERROR=ON
fi
cmake --build "$build_dir" --parallel "$(nproc)"
