#!/usr/bin/env bash
# Regenerates assets/anatomy/myohand_moment_arms.json from a checkout of MyoHub/myo_sim (MyoHand,
# Apache-2.0) with Debian's libmujoco-dev. Usage:
#   tools/myohand_moment_arms/run.sh PATH/TO/myo_sim [OUT.json]
# The bone meshes are only looks: they are stripped so that a checkout without them loads. Used
# once to make the shipped table; neither the build nor CI needs MuJoCo.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$1
out=${2:-$here/../../assets/anatomy/myohand_moment_arms.json}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src/hand" "$work/"
sed -i -e '/<mesh /d' -e '/mesh="/d' "$work"/hand/assets/*.xml
sed -i -e '/myosuite_scene.xml/d' "$work/hand/myohand.xml"
g++ -O2 -o "$work/extract" "$here/extract.cpp" -lmujoco
"$work/extract" "$work/hand/myohand.xml" >"$work/out.json"
mv "$work/out.json" "$out"
echo "wrote $out"
