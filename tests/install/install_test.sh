#!/usr/bin/env bash
# pianokpm installed as a user installs it, then used from outside the build tree:
#   cmake --install (the command finds its installed models; a C++ project builds against
#   find_package(pianokpm)), the Python wheel in a fresh virtual environment, and the .deb
#   (unpacked: its command runs with an empty environment, its dependencies are named).
# Usage: install_test.sh SOURCE_DIR BUILD_DIR WORK_DIR
set -euo pipefail
src=$1 build=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
prefix=$work/prefix
fixture=$src/tests/fixtures/c3d/1123x01EMG.c3d
top=$src/tests/fixtures/official/performance/hand_data/keyp_top/t1_p1_1.pkl
fail() { echo "install_test: $*" >&2; exit 1; }

echo "== cmake --install"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
for f in bin/pianokpm lib/cmake/pianokpm/pianokpmConfig.cmake lib/pianokpm/libpianokpm_predict.a \
         include/pianokpm/predict/estimator.h share/pianokpm/models/synthetic_top_pose.pt; do
  [[ -e $prefix/$f ]] || fail "cmake --install left out $f"
done
# The installed command, from elsewhere, with nothing of the build's environment: its default
# model comes from the prefix.
(cd "$work" && env -i PATH=/usr/bin:/bin "$prefix/bin/pianokpm" --version) | grep -q "0\." || fail "--version"
(cd "$work" && env -i PATH=/usr/bin:/bin "$prefix/bin/pianokpm" predict --pose-top "$top" -o "$work/emg.csv") \
  >"$work/predict.log" 2>&1 || { cat "$work/predict.log"; fail "installed predict failed"; }
grep -q "using $prefix/share/pianokpm/models/" "$work/predict.log" || { cat "$work/predict.log"; fail "not the installed model"; }

echo "== find_package(pianokpm) from another project"
cmake -S "$src/tests/install/consumer" -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" >"$work/consumer.log" 2>&1 || { cat "$work/consumer.log"; fail "consumer configure"; }
cmake --build "$work/consumer" >>"$work/consumer.log" 2>&1 || { tail -30 "$work/consumer.log"; fail "consumer build"; }
out=$("$work/consumer/consumer" "$fixture")
[[ $out == "8 channels at 1000 Hz; emg 1024x6 (synthetic)" ]] || fail "consumer printed: $out"

if [[ -f $build/CMakeFiles/python_wheel.dir/build.make || -n $(grep -l python_wheel "$build/build.ninja" 2>/dev/null) ]]; then
  echo "== the wheel in a fresh virtual environment (Debian's numpy and torch only)"
  cmake --build "$build" --target python_wheel >"$work/wheel.log"
  wheel=$(ls "$build"/dist/pianokpm-*.whl)
  /usr/bin/python3 -m venv --system-site-packages "$work/venv"
  "$work/venv/bin/python" -m pip install --no-index --no-deps --quiet "$wheel"
  (cd "$work" && env -i PATH=/usr/bin:/bin "$work/venv/bin/python" - "$fixture" "$work/venv" <<'PY'
import sys
import numpy as np
import pianokpm
assert pianokpm.__file__.startswith(sys.argv[2]), pianokpm.__file__  # the installed copy, not the build's
dirs = pianokpm.data_dirs()
assert dirs["mediapipe"].startswith(sys.argv[2]) and "pianokpm_data" in dirs["mediapipe"], dirs
signals = pianokpm.read_signals(sys.argv[1])
assert len(signals["labels"]) == 8 and signals["rates_hz"][0] == 1000, signals["labels"]
print("python:", pianokpm.__version__, len(signals["labels"]), "channels")
PY
  ) || fail "the installed Python module"
fi

echo "== cpack: the .deb"
(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/deb" >"$work/cpack.log" 2>&1) \
  || { tail -30 "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/deb/pianokpm_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
[[ $depends == *libtorch* ]] || fail ".deb Depends lacks libtorch: $depends"
dpkg-deb -x "$deb" "$work/root"
(cd / && env -i PATH=/usr/bin:/bin "$work/root/usr/bin/pianokpm" --version) | grep -q "0\." || fail ".deb's pianokpm --version"
[[ -f $work/root/usr/share/pianokpm/models/synthetic_top_pose.pt ]] || fail ".deb lacks the models"
echo "install_test: ok ($(basename "$deb"), $(du -h "$deb" | cut -f1); Depends: $depends)"
