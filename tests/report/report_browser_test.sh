#!/usr/bin/env bash
# Makes a report of a small synthetic performance (its EMG, keys, and an overlay video drawn from
# its top-camera keypoints) and checks it in headless chromium (report_browser_test.mjs).
# Usage: report_browser_test.sh PIANOKPM_BIN NODE_MODULES_DIR
set -euo pipefail
bin=$1 node_modules=$2
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then echo "SKIPPED: no chromium at $chromium (apt-get install chromium)"; exit 77; fi
if [[ ! -d $node_modules/playwright-core ]]; then echo "SKIPPED: no playwright-core in $node_modules (scripts/setup.sh installs it)"; exit 77; fi
if ! command -v node >/dev/null; then echo "SKIPPED: no node"; exit 77; fi
for command in render report analyze; do
  status=0
  "$bin" "$command" --help >/dev/null 2>&1 || status=$?
  # a crash is a failure; a command this build lacks is a skip
  if ((status >= 128)); then echo "FAILED: pianokpm $command --help died (status $status)"; exit 1; fi
  if ((status != 0)); then echo "SKIPPED: this build has no 'pianokpm $command' (OpenCV missing)"; exit 77; fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" synth --out "$work/corpus" --pianists 1 --tasks 1 --takes 1 --seconds 12 --seed 3 >/dev/null
perf=$work/corpus
"$bin" render --emg "$perf/emg_data/t1_p1_1.pkl" --pose "$perf/hand_data/keyp_top/t1_p1_1.pkl" --out "$work/overlay.mp4"
"$bin" analyze --emg "$perf/emg_data/t1_p1_1.pkl" --keys "$perf/keystroke_data/t1_p1_1.pkl" --out "$work/analysis.json"
"$bin" report --emg "$perf/emg_data/t1_p1_1.pkl" --keys "$perf/keystroke_data/t1_p1_1.pkl" --video "$work/overlay.mp4" \
  --synthetic-model --title "Synthetic performance t1_p1_1" --out "$work/report.html"
NODE_PATH=$node_modules node "$(dirname "$0")/report_browser_test.mjs" "$work/report.html" "$work/analysis.json" \
  "$chromium" "${REPORT_SCREENSHOT:-$work/screenshot.png}"
