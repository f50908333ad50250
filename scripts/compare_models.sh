#!/usr/bin/env bash
# Reproduces docs/results.md's equal-budget comparison: the synthetic corpus of simulator 1 (8
# pianists x 7 tasks x 3 takes of 30 s), every model trained for the same number of steps on the
# architectural and the held-out split, each evaluated on its test sets (RMSE, OTD, Pearson r,
# onset error).
# Long on a CPU: about 17 min per PianoKPM-encoder model and 5 min per evaluation with OTD on two
# cores. docs/results.md was made with LAUNCH="mpirun -np 2" THREADS=1 (two data-parallel
# processes); other launches give other (equally valid) runs. A GPU: DEVICE=cuda.
# Usage: [EPOCHS=10] [LAUNCH="mpirun -np 2"] [THREADS=1] [DEVICE=cpu] [SEEDS="42 1 2"]
#        [MODELS="mean neuropose ..."] [SPLITS="architectural held_out"] [NO_OTD=1]
#        scripts/compare_models.sh [WORK_DIR]
# Runs are named NAME_SPLIT for seed 42 and NAME_SPLIT_sSEED for other seeds; finished runs resume.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PIANOKPM_BIN:-$root/build/bin/pianokpm}
work=${1:-$root/results_work}
device=${DEVICE:-cpu}
epochs=${EPOCHS:-10}   # of 50 batches of 8 windows each (configs/train_synthetic.json): 500 steps
threads=${THREADS:-0}
read -r -a launch <<<"${LAUNCH:-}"
read -r -a seeds <<<"${SEEDS:-42}"
otd=()
[[ -n ${NO_OTD:-} ]] && otd=(--no-otd)
corpus=$work/corpus8x3
mkdir -p "$work"

[[ -f $corpus/corpus.json ]] ||
  "$bin" synth --simulator 1 --out "$corpus" --pianists 8 --tasks 7 --takes 3 --seconds 30 --seed 42

# name, --architecture, --modality
models=("mean mean pose+keys" "neuropose neuropose pose+keys" "linear_readout linear_readout pose+keys"
        "codetalker codetalker pose+keys"
        "pianokpm pianokpm pose+keys" "pianokpm_pose pianokpm pose" "pianokpm_keys pianokpm keys")
read -r -a wanted <<<"${MODELS:-mean neuropose linear_readout codetalker pianokpm pianokpm_pose pianokpm_keys}"
read -r -a splits <<<"${SPLITS:-architectural held_out}"
for split in "${splits[@]}"; do
  for entry in "${models[@]}"; do
    read -r name arch modality <<<"$entry"
    [[ " ${wanted[*]} " == *" $name "* ]] || continue
    for seed in "${seeds[@]}"; do
      [[ $arch == mean && $seed != "${seeds[0]}" ]] && continue  # no randomness: one run
      suffix=""
      [[ $seed != 42 ]] && suffix=_s$seed
      run=$work/runs/${name}_$split$suffix
      resume=()
      [[ -f $run/latest.pt ]] && resume=(--resume)
      "${launch[@]}" "$bin" train --data "$corpus" --split "$corpus/dataset_$split.json" --out "$run" \
        --config "$root/configs/train_synthetic.json" --architecture "$arch" --modality "$modality" \
        --epochs "$epochs" --seed "$seed" --keep-epochs --device "$device" --threads "$threads" "${resume[@]}"
      if [[ $split == architectural ]]; then sets=(test); else sets=(test_cross_user test_cross_task); fi
      for set in "${sets[@]}"; do
        [[ -f $work/eval/${name}_$set$suffix/metrics.json ]] && continue
        "$bin" eval --model "$run/best.pt" --data "$corpus" --split "$corpus/dataset_$split.json" --set "$set" \
          "${otd[@]}" --out "$work/eval/${name}_$set$suffix"
      done
    done
  done
done
echo "metrics: $work/eval/*/metrics.md"
