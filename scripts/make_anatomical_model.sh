#!/usr/bin/env bash
# Makes assets/models/anatomical.pt, the anatomical estimator (docs/anatomy.md): nothing is
# learned; `train` records the configuration (one top view, pose only, the hand front end) and the
# familiarity reference of the synthetic hands, what "unfamiliar input" is measured against.
# Usage: scripts/make_anatomical_model.sh [WORK_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PIANOKPM_BIN:-$root/build/bin/pianokpm}
work=${1:-$root/results_work/anatomical}
corpus=$work/corpus
[[ -f $corpus/corpus.json ]] || "$bin" synth --out "$corpus" --simulator 3 --cameras varied --pianists 4 --tasks 7 \
  --takes 1 --seconds 20 --seed 42
rm -rf "$work/run"
"$bin" train --data "$corpus" --split "$corpus/dataset_architectural.json" --out "$work/run" --architecture anatomical \
  --views 1 --modality pose --pose-frame hand --epochs 1
cp "$work/run/best.pt" "$root/assets/models/anatomical.pt"
echo "wrote $root/assets/models/anatomical.pt"
