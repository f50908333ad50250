#!/usr/bin/env bash
# What an interval costs: `pianokpm predict --interval 0.9` with an ensemble of K copies of the
# shipped two-view model against `pianokpm predict` with the model alone, on 60 s of playing, each
# timed by predict itself ("predicted ... in X s", the prediction without loading), in fresh
# processes, alternated ROUNDS times; medians and their ratio (goal: at most K).
# Usage: bench/ensemble_bench.sh [K=5] [ROUNDS=5]   (figures: docs/performance.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/bin/pianokpm
k=${1:-5} rounds=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" synth --out "$work/c" --pianists 1 --tasks 1 --takes 1 --seconds 60 >/dev/null
name=t1_p1_1
echo "{\"val\": [\"$name.pkl\"]}" > "$work/split.json"
model=$root/assets/models/synthetic_pianokpm.pt
members=()
for i in $(seq "$k"); do cp "$model" "$work/m$i.pt"; members+=("$work/m$i.pt"); done
# Calibrated on the same performance: the cost is what is measured here, not the coverage.
"$bin" ensemble --models "${members[@]}" --data "$work/c" --split "$work/split.json" --out "$work/ens.json" >/dev/null
inputs=(--pose-top "$work/c/hand_data/keyp_top/$name.pkl" --pose-right "$work/c/hand_data/keyp_right/$name.pkl"
        --keys "$work/c/keystroke_data/$name.pkl")
timed() { "$bin" predict "$@" "${inputs[@]}" 2>&1 | sed -nE 's/.*predicted .* in ([0-9.]+) s.*/\1/p'; }
single=() ensemble=()
for r in $(seq "$rounds"); do
  single+=("$(timed --model "$model" --out "$work/one.npy")")
  ensemble+=("$(timed --model "$work/ens.json" --interval 0.9 --out "$work/ens.npy")")
  echo "round $r: single ${single[-1]} s, ensemble of $k with interval ${ensemble[-1]} s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
s=$(median "${single[@]}") e=$(median "${ensemble[@]}")
echo "median: single $s s, ensemble of $k with interval $e s, ratio $(awk -v a="$e" -v b="$s" 'BEGIN {printf "%.2f", a / b}') (goal <= $k)"
