#!/usr/bin/env bash
# Trains the one-camera, pose-only model in the hand's frame (configs/train_one_camera.json: the
# pose-rate TCN, `pose_frame: hand`) on a synthetic corpus filmed by many cameras
# (`synth --cameras varied`), on both splits, and evaluates each run on its test sets beside the
# mean predictor (docs/results.md, "Any camera"). Runs resume where they stopped.
# SIMULATOR=2 (the default) or 3 (muscles through the musculoskeletal hand, docs/anatomy.md;
# corpus12_cameras_s3 and runs any_camera_s3_*). MODEL=anatomy_tcn trains the network that falls
# back on the anatomical estimate instead (configs/train_anatomy_tcn.json; runs anatomy_tcn_*),
# MODEL=anatomy_tcn_keys the same reading the keys too (one camera and MIDI; anatomy_tcn_keys_*),
# MODEL=anatomy_tcn_palm anatomy_tcn reading the keypoints in the palm's frame (configs/
# train_anatomy_tcn_palm.json, `pose_frame: palm`; anatomy_tcn_palm_*), MODEL=anatomy_tcn_palm_views
# the same with half of its training windows filmed again by cameras of the training families
# (configs/train_anatomy_tcn_palm_views.json, `view_augmentation`; anatomy_tcn_palm_views_*).
# Usage: [EPOCHS=40] [THREADS=0] [SPLITS="held_out architectural"] [SIMULATOR=2] [MODEL=one_camera]
#        scripts/train_any_camera.sh [WORK_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PIANOKPM_BIN:-$root/build/bin/pianokpm}
work=${1:-$root/results_work}
epochs=${EPOCHS:-40}   # of 100 batches of 16 windows: 4000 steps
threads=${THREADS:-0}
read -r -a splits <<<"${SPLITS:-held_out architectural}"
simulator=${SIMULATOR:-2}
case ${MODEL:-one_camera} in
  one_camera) config=$root/configs/train_one_camera.json name=any_camera ;;
  anatomy_tcn) config=$root/configs/train_anatomy_tcn.json name=anatomy_tcn ;;
  anatomy_tcn_keys) config=$root/configs/train_anatomy_tcn_keys.json name=anatomy_tcn_keys ;;
  anatomy_tcn_palm) config=$root/configs/train_anatomy_tcn_palm.json name=anatomy_tcn_palm ;;
  anatomy_tcn_palm_views) config=$root/configs/train_anatomy_tcn_palm_views.json name=anatomy_tcn_palm_views ;;
  *) echo "MODEL must be one_camera or anatomy_tcn[_keys|_palm|_palm_views], not '$MODEL'" >&2; exit 2 ;;
esac
suffix=$([[ $simulator == 2 ]] || echo "_s$simulator")
corpus=$work/corpus12_cameras$suffix
mkdir -p "$work"
[[ -f $corpus/corpus.json ]] ||
  "$bin" synth --out "$corpus" --pianists 12 --tasks 7 --takes 3 --seconds 30 --seed 42 --cameras varied \
    --simulator "$simulator"
for split in "${splits[@]}"; do
  split_file=$corpus/dataset_$split.json
  run=$work/runs/$name${suffix}_$split
  mean_run=$work/runs/any_camera_mean${suffix}_$split
  resume=()
  [[ -f $run/latest.pt ]] && resume=(--resume)
  "$bin" train --data "$corpus" --split "$split_file" --out "$run" --config "$config" \
    --epochs "$epochs" --threads "$threads" "${resume[@]}"
  [[ -f $mean_run/best.pt ]] || "$bin" train --data "$corpus" --split "$split_file" --out "$mean_run" \
    --architecture mean --modality pose --views 1 --epochs 1
  if [[ $split == architectural ]]; then sets=(test); else sets=(test_cross_camera test_cross_user test_cross_task val); fi
  for set in "${sets[@]}"; do
    for model in "$run" "$mean_run"; do
      out=$work/eval/$(basename "$model")_$set
      [[ -f $out/metrics.json ]] || "$bin" eval --model "$model/best.pt" --data "$corpus" --split "$split_file" --set "$set" \
        --out "$out" --threads "$threads" --no-otd  # OTD: over 10 min a set on 2 cores
    done
  done
done
echo "metrics: $work/eval/$name${suffix}_*/metrics.md"
