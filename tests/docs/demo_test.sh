#!/usr/bin/env bash
# ./demo.sh as the README describes it, on the finished build: it must end with its list of
# outputs, print the RMSE figures the README states, and leave every file it lists.
# usage: demo_test.sh REPO BUILD_DIR OUT_DIR
set -euo pipefail
root=$1 build=$2 out=$3
rm -rf "$out"
log=$(PIANOKPM_DEMO_SKIP_SETUP=1 PIANOKPM_BUILD_DIR=$build PIANOKPM_DEMO_OUT=$out bash "$root/demo.sh" 2>&1) || {
  echo "$log" | tail -40
  echo "FAIL: demo.sh exited non-zero"
  exit 1
}
fail=0
# The README's figures: shipped two-view model and its mean predictor; one-camera model and its
# mean; the one-camera model with keys.
for figure in "test on 25 performances: RMSE 0.0587" "test on 25 performances: RMSE 0.1005" \
              "test on 38 performances: RMSE 0.0946" "test on 38 performances: RMSE 0.1416" \
              "test on 38 performances: RMSE 0.0911" "demo outputs:"; do
  if ! grep -qF "$figure" <<<"$log"; then echo "FAIL: the demo did not print '$figure'"; fail=1; fi
  if [[ $figure == *RMSE* ]] && ! grep -qF "${figure##*RMSE }" "$root/README.md"; then
    echo "FAIL: README.md does not state ${figure##*RMSE }"; fail=1
  fi
done
# Every output the demo lists exists (paths under OUT_DIR in its closing list).
listed=$(sed -n '/^demo outputs:/,$p' <<<"$log" | grep -oE "$out/[^ ,()]+" | tr -d '`;' | sort -u)
[[ -n $listed ]] || { echo "FAIL: the demo listed no outputs"; fail=1; }
for path in $listed; do
  [[ -e $path ]] || { echo "FAIL: listed but missing: $path"; fail=1; }
done
echo "demo: $(wc -l <<<"$listed") listed outputs checked"
exit $fail
