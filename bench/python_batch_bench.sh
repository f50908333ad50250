#!/usr/bin/env bash
# The Python module and `pianokpm batch` against the command line, on this machine, in one run
# (this host's speed drifts 20-50% from hour to hour, so each figure has its baseline beside it).
#  1. Python's Model.predict on 60 s of playing (the official weights, a synthetic performance)
#     against `pianokpm predict`'s own timing of the same work, each in a fresh process,
#     alternated ROUNDS times; medians.
#  2. `pianokpm batch` over N one-minute keypoint recordings (the shipped top-camera model)
#     against N separate `pianokpm predict` processes, and `mpirun -np 2 pianokpm batch`.
# Usage: bench/python_batch_bench.sh [N=100] [ROUNDS=6]   (figures: docs/performance.md)
# PARTS=1 runs the first part only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/bin/pianokpm
n=${1:-100} rounds=${2:-6}
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PYTHONPATH=$root/build/python

echo "## 1. Python predict vs the CLI's predict, in process (60 s of playing, released configuration)"
# The same model (the official state dict), the same 60 s of input, each timed around the
# prediction itself in a fresh process (the CLI logs "predicted ... in X s"), alternated.
"$py" - "$work" <<'PY'
import sys, numpy as np, pianokpm
p = pianokpm.synth_performance(task=3, pianist=1, seconds=60)
for k in ("pose_top", "pose_right", "keys"):
    np.save(f"{sys.argv[1]}/{k}.npy", p[k])
PY
cat > "$work/py_predict.py" <<'PY'
import sys, time, numpy as np, pianokpm
w, pause = sys.argv[2], float(sys.argv[3])
m = pianokpm.load_model(sys.argv[1])
args = [np.load(f"{w}/{k}.npy") for k in ("pose_top", "pose_right", "keys")]
time.sleep(pause)
t0 = time.perf_counter(); m.predict(*args); print(f"{time.perf_counter() - t0:.3f}")
PY
official=$root/tests/fixtures/official/state_dict.pth
cli() {
  "$bin" predict --model "$official" --pose-top "$work/pose_top.npy" --pose-right "$work/pose_right.npy" \
    --keys "$work/keys.npy" --out "$work/cli.npy" 2>&1 | sed -nE 's/.*predicted .* in ([0-9.]+) s.*/\1/p'
}
cli_times=() py_times=() paused_times=()
for r in $(seq "$rounds"); do  # the order alternates: the second process of a pair tends to be slower
  if ((r % 2)); then c=$(cli); p=$("$py" "$work/py_predict.py" "$official" "$work" 0)
  else p=$("$py" "$work/py_predict.py" "$official" "$work" 0); c=$(cli); fi
  q=$("$py" "$work/py_predict.py" "$official" "$work" 1)
  echo "round $r: CLI $c s, Python $p s, Python 1 s after loading $q s"
  cli_times+=("$c") py_times+=("$p") paused_times+=("$q")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
cm=$(median "${cli_times[@]}") pm=$(median "${py_times[@]}") qm=$(median "${paused_times[@]}")
echo "median: CLI $cm s, Python $pm s (Python/CLI = $(awk -v p="$pm" -v c="$cm" 'BEGIN {printf "%.3f", p / c}')), Python 1 s after loading $qm s"
[[ ${PARTS:-12} == 1 ]] && exit 0

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
  "$bin" predict --pose-top "$work/top_$f.npy" --out "$work/sep_$f.csv" >/dev/null 2>&1
done
sep=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print e - s}')
start=$(date +%s.%N)
"$bin" batch --manifest "$work/manifest.csv" --out "$work/batch" >/dev/null 2>&1
one=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print e - s}')
start=$(date +%s.%N)
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --oversubscribe "$bin" batch \
  --manifest "$work/manifest.csv" --out "$work/mpi" >/dev/null 2>&1
two=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print e - s}')
split=$("$py" -c "import json; print(json.load(open('$work/mpi/batch_summary.json'))['rows_per_process'])")
same=$("$py" -c "import numpy as np; a = np.loadtxt('$work/sep_000.csv', delimiter=',', skiprows=1); b = np.loadtxt('$work/batch/rec000.csv', delimiter=',', skiprows=1); print(f'max difference {abs(a - b).max():.1e}')")
echo "$n separate predict processes: $sep s"
echo "batch, one process:            $one s ($(awk -v a="$sep" -v b="$one" 'BEGIN {printf "%.2f", a / b}')x the processes' throughput); outputs $same"
echo "batch, mpirun -np 2:           $two s ($(awk -v a="$sep" -v b="$two" 'BEGIN {printf "%.2f", a / b}')x), rows per process $split"
