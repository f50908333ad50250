#!/usr/bin/env bash
# Familiarity in the report as a reader sees it (familiarity_browser_test.mjs in headless
# chromium): a tiny hand-frame model predicts a synthetic performance and the same keypoints
# frozen on their first frame; the frozen one's report opens with the unfamiliar-input warning and
# its strip is red, the other's has no warning.
# Usage: familiarity_browser_test.sh PIANOKPM_BIN NODE_MODULES_DIR CONFIGS_DIR
set -euo pipefail
bin=$1 node_modules=$2 configs=$3
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then echo "SKIPPED: no chromium at $chromium (apt-get install chromium)"; exit 77; fi
if [[ ! -d $node_modules/playwright-core ]]; then echo "SKIPPED: no playwright-core in $node_modules (scripts/setup.sh installs it)"; exit 77; fi
if ! command -v node >/dev/null; then echo "SKIPPED: no node"; exit 77; fi
python=/usr/bin/python3
if ! "$python" -c 'import numpy' 2>/dev/null; then echo "SKIPPED: no numpy for $python (apt-get install python3-numpy)"; exit 77; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
c=$work/corpus
"$bin" synth --out "$c" --pianists 4 --tasks 2 --takes 2 --seconds 8 --cameras varied --threads 1 >/dev/null
"$bin" train --data "$c" --split "$c/dataset_architectural.json" --config "$configs/train_one_camera.json" --epochs 1 \
  --max-batches 2 --batch 4 --threads 1 --out "$work/run" >/dev/null 2>&1
pose=$c/hand_data/keyp_top/t2_p2_1.pkl
"$python" - "$pose" "$work/frozen.npy" <<'PY'
import pickle, sys
import numpy as np
with open(sys.argv[1], "rb") as f:
    pose = pickle.load(f)
np.save(sys.argv[2], np.repeat(pose[:1], len(pose), axis=0))
PY
for name in plain frozen; do
  input=$pose
  [[ $name == frozen ]] && input=$work/frozen.npy
  "$bin" predict --model "$work/run/best.pt" --pose-top "$input" --out "$work/${name}_emg.csv" >/dev/null 2>&1
  "$bin" report --emg "$work/${name}_emg.csv" --out "$work/$name.html" >/dev/null 2>&1
done
NODE_PATH=$node_modules node "$(dirname "$0")/familiarity_browser_test.mjs" "$work/frozen.html" "$work/plain.html" "$chromium" \
  "${REPORT_SCREENSHOT:-$work/screenshot.png}"
