#!/usr/bin/env bash
# Set up (install missing packages, build), then run the main job end to end on the embedded
# data: PianoKPM Net with the official reference weights on the official reference performance.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
"$root/scripts/setup.sh"
bin=${PIANOKPM_BUILD_DIR:-$root/build}/bin/pianokpm
data=$root/tests/fixtures/official
out=$root/demo_out
mkdir -p "$out"

"$bin" predict \
  --model "$data/state_dict.pth" \
  --pose-top "$data/performance/hand_data/keyp_top/t1_p1_1.pkl" \
  --pose-right "$data/performance/hand_data/keyp_right/t1_p1_1.pkl" \
  --keys "$data/performance/keystroke_data/t1_p1_1.pkl" \
  --out "$out/t1_p1_1_emg.csv"

echo
echo "demo: predictions (EMG envelopes, columns ADM,PB,1DI,2DI,3DI,4DI, 1024 rows per second):"
echo "  $out/t1_p1_1_emg.csv"
echo "demo: metrics and plots are not produced yet (training/evaluation is a later milestone)."
