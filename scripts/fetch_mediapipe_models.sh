#!/usr/bin/env bash
# MediaPipe Hands' four TFLite models, from the npm package @mediapipe/hands (Apache-2.0), into
# models/mediapipe/ (git-ignored). The two palm detectors live inside the package's packed assets
# file; their byte ranges are read from its loader script. Idempotent: does nothing when all four
# files are there with the expected checksums. Nothing is downloaded at run time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${PIANOKPM_MODELS_DIR:-$root/models/mediapipe}
version=0.4.1675469240

# sha256 of the four files of @mediapipe/hands 0.4.1675469240 (prefixes as published with the package).
declare -A sha=(
  [palm_detection_full.tflite]=2f25e740
  [palm_detection_lite.tflite]=e9a4aadd
  [hand_landmark_full.tflite]=8c026882
  [hand_landmark_lite.tflite]=d7fde8ac
)

all_present() {
  local f
  for f in "${!sha[@]}"; do
    [[ -f $dest/$f ]] || return 1
    [[ $(sha256sum "$dest/$f" | cut -c1-8) == "${sha[$f]}" ]] || return 1
  done
}
all_present && exit 0

if ! command -v npm >/dev/null; then
  echo "fetch_mediapipe_models: npm is missing (apt-get install npm)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch_mediapipe_models: npm pack @mediapipe/hands@$version"
for attempt in 1 2 3; do  # the registry may hiccup; a failed pack leaves nothing behind
  (cd "$work" && npm pack --silent "@mediapipe/hands@$version" >npm.log 2>&1) && break
  sleep $((attempt * 5))
done
if [[ ! -f $work/mediapipe-hands-$version.tgz ]]; then
  echo "fetch_mediapipe_models: npm pack @mediapipe/hands@$version failed:" >&2
  tail -5 "$work/npm.log" >&2
  exit 1
fi
(cd "$work" && tar xzf mediapipe-hands-$version.tgz)
pkg=$work/package
mkdir -p "$dest.partial"
cp "$pkg/hand_landmark_full.tflite" "$pkg/hand_landmark_lite.tflite" "$dest.partial/"
for name in palm_detection_full palm_detection_lite; do
  range=$(grep -o "\"filename\": \"[^\"]*/$name.tflite\", \"start\": [0-9]*, \"end\": [0-9]*" \
    "$pkg/hands_solution_packed_assets_loader.js" | grep -o '[0-9]*, "end": [0-9]*' | tr -cd '0-9 ')
  read -r start end <<<"$range"
  if [[ -z ${start:-} || -z ${end:-} ]]; then
    echo "fetch_mediapipe_models: no byte range for $name in the package's loader" >&2
    exit 1
  fi
  dd if="$pkg/hands_solution_packed_assets.data" of="$dest.partial/$name.tflite" bs=64K \
    iflag=skip_bytes,count_bytes skip="$start" count=$((end - start)) status=none
done
for f in "${!sha[@]}"; do
  got=$(sha256sum "$dest.partial/$f" | cut -c1-8)
  if [[ $got != "${sha[$f]}" ]]; then
    echo "fetch_mediapipe_models: $f has sha256 $got..., expected ${sha[$f]}..." >&2
    exit 1
  fi
done
mkdir -p "$dest"
chmod 644 "$dest.partial"/*.tflite
mv "$dest.partial"/*.tflite "$dest/"
rmdir "$dest.partial"
echo "fetch_mediapipe_models: models in $dest"
