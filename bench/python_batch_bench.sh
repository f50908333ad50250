#!/usr/bin/env bash
# The Python module and `pianokpm batch` against the command line, on this machine, in one run
# (this host's speed drifts 20-50% from hour to hour, so each figure has its baseline beside it).
#  1. Python's Model.predict on 60 s of playing (released configuration, random inputs) against
#     the CLI's in-process predict of the same work (`pianokpm bench --predict-only`), alternated
#     ROUNDS times; medians.
#  2. `pianokpm batch` over N one-minute keypoint recordings (the shipped top-camera model)
#     against N separate `pianokpm predict` processes, and `mpirun -np 2 pianokpm batch`.
# Usage: bench/python_batch_bench.sh [N=100] [ROUNDS=5]   (figures: docs/performance.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/bin/pianokpm
n=${1:-100} rounds=${2:-5}
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PYTHONPATH=$root/build/python

echo "## 1. Python predict vs the CLI's in-process predict (60 s, released configuration)"
cat > "$work/py_predict.py" <<'PY'
import statistics, sys, time
import numpy as np
import pianokpm
pianokpm.set_threads(int(sys.argv[2]))
m = pianokpm.load_model(sys.argv[1])  # the official state dict: the released configuration
rng = np.random.default_rng(0)
pose = [rng.random((3600, 21, 2), np.float32) * 500 for _ in range(2)]
keys = rng.random((60 * 1024, 88), np.float32)
m.predict(pose[0], pose[1], keys)  # warm-up, as the CLI's bench
times = []
for _ in range(3):
    t0 = time.perf_counter(); m.predict(pose[0], pose[1], keys); times.append(time.perf_counter() - t0)
print(f"{statistics.median(times):.3f}")
PY
threads=$(nproc)
cli_times=() py_times=()
for r in $(seq "$rounds"); do
  c=$("$bin" bench --predict-only --threads "$threads" --repeats 3 | grep 'predict, 60 s' | sed -E 's/^\| [^|]*\| ([0-9.]+) s.*/\1/')
  p=$("$py" "$work/py_predict.py" "$root/tests/fixtures/official/state_dict.pth" "$threads")
  echo "round $r: CLI $c s, Python $p s"
  cli_times+=("$c") py_times+=("$p")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
cm=$(median "${cli_times[@]}") pm=$(median "${py_times[@]}")
echo "median: CLI $cm s, Python $pm s, Python/CLI = $(awk -v p="$pm" -v c="$cm" 'BEGIN {printf "%.3f", p / c}')"

echo; echo "## 2. batch vs $n separate predict processes ($n one-minute keypoint recordings)"
"$py" - "$work" "$n" <<'PY'
import sys, numpy as np, pianokpm
work, n = sys.argv[1], int(sys.argv[2])
base = pianokpm.synth_performance(task=3, pianist=1, seconds=60)["pose_top"]
rng = np.random.default_rng(1)
with open(f"{work}/manifest.csv", "w") as f:
    f.write("name,pose_top\n")
    for i in range(n):
        np.save(f"{work}/top_{i:03d}.npy", base + rng.normal(0, 1, base.shape).astype(np.float32))
        f.write(f"rec{i:03d},top_{i:03d}.npy\n")
PY
start=$(date +%s.%N)
for i in $(seq 0 $((n - 1))); do
  f=$(printf '%03d' "$i")
  "$bin" predict --pose-top "$work/top_$f.npy" --out "$work/sep_$f.csv" 2>/dev/null
done
sep=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print e - s}')
start=$(date +%s.%N)
"$bin" batch --manifest "$work/manifest.csv" --out "$work/batch" 2>/dev/null
one=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print e - s}')
start=$(date +%s.%N)
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --oversubscribe "$bin" batch \
  --manifest "$work/manifest.csv" --out "$work/mpi" 2>/dev/null
two=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print e - s}')
split=$("$py" -c "import json; print(json.load(open('$work/mpi/batch_summary.json'))['rows_per_process'])")
cmp -s "$work/sep_000.csv" "$work/batch/rec000.csv" && same=identical || same=DIFFERENT
echo "$n separate predict processes: $sep s"
echo "batch, one process:            $one s ($(awk -v a="$sep" -v b="$one" 'BEGIN {printf "%.2f", a / b}')x the processes' throughput); outputs $same"
echo "batch, mpirun -np 2:           $two s ($(awk -v a="$sep" -v b="$two" 'BEGIN {printf "%.2f", a / b}')x), rows per process $split"
