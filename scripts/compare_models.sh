#!/usr/bin/env bash
# Reproduces docs/results.md's equal-budget comparison: the synthetic corpus (8 pianists x 7 tasks
# x 3 takes of 30 s), every model trained for the same number of steps on the architectural and
# the held-out split, each evaluated on its test sets (RMSE, OTD, Pearson r, onset error).
# Long on a CPU: about 17 min per PianoKPM-encoder model and 5 min per evaluation with OTD on two
# cores. docs/results.md was made with LAUNCH="mpirun -np 2" THREADS=1 (two data-parallel
# processes); other launches give other (equally valid) runs. A GPU: DEVICE=cuda.
# Usage: [EPOCHS=10] [LAUNCH="mpirun -np 2"] [THREADS=1] [DEVICE=cpu] scripts/compare_models.sh [WORK_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PIANOKPM_BIN:-$root/build/bin/pianokpm}
work=${1:-$root/results_work}
device=${DEVICE:-cpu}
epochs=${EPOCHS:-10}   # of 50 batches of 8 windows each (configs/train_synthetic.json): 500 steps
threads=${THREADS:-0}
read -r -a launch <<<"${LAUNCH:-}"
corpus=$work/corpus8x3
mkdir -p "$work"

[[ -f $corpus/corpus.json ]] || "$bin" synth --out "$corpus" --pianists 8 --tasks 7 --takes 3 --seconds 30 --seed 42

# name, --architecture, --modality
models=("mean mean pose+keys" "neuropose neuropose pose+keys" "linear_readout linear_readout pose+keys"
        "pianokpm pianokpm pose+keys" "pianokpm_pose pianokpm pose" "pianokpm_keys pianokpm keys")
for split in architectural held_out; do
  for entry in "${models[@]}"; do
    read -r name arch modality <<<"$entry"
    run=$work/runs/${name}_$split
    resume=()
    [[ -f $run/latest.pt ]] && resume=(--resume)
    "${launch[@]}" "$bin" train --data "$corpus" --split "$corpus/dataset_$split.json" --out "$run" \
      --config "$root/configs/train_synthetic.json" --architecture "$arch" --modality "$modality" \
      --epochs "$epochs" --keep-epochs --device "$device" --threads "$threads" "${resume[@]}"
    if [[ $split == architectural ]]; then sets=(test); else sets=(test_cross_user test_cross_task); fi
    for set in "${sets[@]}"; do
      "$bin" eval --model "$run/best.pt" --data "$corpus" --split "$corpus/dataset_$split.json" --set "$set" \
        --out "$work/eval/${name}_$set"
    done
  done
done
echo "metrics: $work/eval/*/metrics.md"
