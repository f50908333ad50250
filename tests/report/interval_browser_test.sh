#!/usr/bin/env bash
# An ensemble's 90% interval in eval's report, as a reader sees it in headless chromium
# (interval_browser_test.mjs): each muscle's chart has the two bounds and a shaded band between
# them, and the same report without --interval has no band.
# Usage: interval_browser_test.sh PIANOKPM_BIN NODE_MODULES_DIR FIXTURES_DIR
set -euo pipefail
bin=$1 node_modules=$2 fixtures=$3
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then echo "SKIPPED: no chromium at $chromium (apt-get install chromium)"; exit 77; fi
if [[ ! -d $node_modules/playwright-core ]]; then echo "SKIPPED: no playwright-core in $node_modules (scripts/setup.sh installs it)"; exit 77; fi
if ! command -v node >/dev/null; then echo "SKIPPED: no node"; exit 77; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
c=$work/corpus split=$work/corpus/dataset_architectural.json
"$bin" synth --out "$c" --pianists 2 --tasks 2 --takes 2 --seconds 5 --seed 3 >/dev/null
for seed in 1 2; do
  "$bin" train --data "$c" --split "$split" --config "$fixtures/configs/tiny_model.json" --threads 1 --epochs 1 \
    --seed $seed --out "$work/seed$seed" >/dev/null
done
"$bin" ensemble --models "$work/seed1/best.pt" "$work/seed2/best.pt" --data "$c" --split "$split" --set val \
  --out "$work/ens.json" >/dev/null
"$bin" eval --model "$work/ens.json" --interval 0.9 --data "$c" --split "$split" --no-otd --out "$work/band" >/dev/null
"$bin" eval --model "$work/ens.json" --data "$c" --split "$split" --no-otd --out "$work/plain" >/dev/null
NODE_PATH=$node_modules node "$(dirname "$0")/interval_browser_test.mjs" "$work/band/report.html" "$work/plain/report.html" \
  "$chromium" "${REPORT_SCREENSHOT:-$work/screenshot.png}"
