#!/usr/bin/env bash
# docs/anatomy.md's comparison: the anatomical estimator (no EMG, no training) beside the mean
# predictor and the shipped one-camera models, on the architectural test set of three synthetic
# corpora of 8 pianists x 7 tasks x 3 takes of 30 s, seed 42: simulator 1 with the fixed top camera
# (the one the first shipped models were trained on), simulator 2 filmed by a camera per
# performance (the any-camera model's kind of data) and simulator 3 (the hand model's own muscles)
# filmed the same way. Each figure: RMSE and Pearson r of the six envelopes (no OTD, for speed).
# Usage: scripts/compare_anatomical.sh [WORK_DIR]   (about 20 min on two cores)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PIANOKPM_BIN:-$root/build/bin/pianokpm}
work=${1:-$root/results_work/anatomical_compare}
models=$root/assets/models
mkdir -p "$work"
for corpus in sim1_fixed sim2_varied sim3_varied; do
  dir=$work/$corpus
  case $corpus in
    sim1_fixed) args=(--simulator 1) ;;
    sim2_varied) args=(--simulator 2 --cameras varied) ;;
    sim3_varied) args=(--simulator 3 --cameras varied) ;;
  esac
  [[ -f $dir/corpus.json ]] || "$bin" synth --out "$dir" "${args[@]}" --pianists 8 --tasks 7 --takes 3 --seconds 30 --seed 42
  for model in synthetic_mean synthetic_top_pose synthetic_any_camera anatomical; do
    out=$work/eval/${corpus}_$model
    [[ -f $out/metrics.json ]] && continue
    "$bin" eval --model "$models/$model.pt" --data "$dir" --split "$dir/dataset_architectural.json" --set test \
      --out "$out" --no-otd
  done
done
for f in "$work"/eval/*/metrics.json; do
  echo "$(basename "$(dirname "$f")") $(/usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(json.dumps(m.get("overall", m))[:300])' "$f")"
done
