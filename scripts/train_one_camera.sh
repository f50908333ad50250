#!/usr/bin/env bash
# Trains the two one-camera models shipped in assets/models (top camera only: pose alone, and pose
# with keys) on the architectural split of the synthetic corpus, by the protocol of
# docs/results.md (configs/train_synthetic.json, seed 42), and evaluates each on the test set.
# Usage: [EPOCHS=14] [LAUNCH="mpirun -np 2"] [THREADS=1] scripts/train_one_camera.sh [WORK_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PIANOKPM_BIN:-$root/build/bin/pianokpm}
work=${1:-$root/results_work}
epochs=${EPOCHS:-14}   # of 50 batches of 8 windows: 700 steps
threads=${THREADS:-0}
read -r -a launch <<<"${LAUNCH:-}"
corpus=$work/corpus8x3
mkdir -p "$work"
[[ -f $corpus/corpus.json ]] || "$bin" synth --out "$corpus" --pianists 8 --tasks 7 --takes 3 --seconds 30 --seed 42
split=$corpus/dataset_architectural.json
for modality in pose pose+keys; do
  name=top_${modality/+/_}
  run=$work/runs/$name
  resume=()
  [[ -f $run/latest.pt ]] && resume=(--resume)
  "${launch[@]}" "$bin" train --data "$corpus" --split "$split" --out "$run" --config "$root/configs/train_synthetic.json" \
    --views 1 --modality "$modality" --epochs "$epochs" --keep-epochs --threads "$threads" "${resume[@]}"
  "$bin" eval --model "$run/best.pt" --data "$corpus" --split "$split" --set test --out "$work/eval/$name"
done
echo "metrics: $work/eval/top_*/metrics.md"
