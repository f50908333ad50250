#!/usr/bin/env bash
# The viewer's page as a viewer sees it: `pianokpm serve` on 127.0.0.1 with TLS, a player pushing
# rows (push_rows.py), and headless chromium (remote_browser_test.mjs) logging in and watching.
# Usage: remote_browser_test.sh PIANOKPM_BIN NODE_MODULES_DIR [SECONDS_WATCHED [RESULT_JSON]]
# With REMOTE_PLAYER_VIDEO=FILE the player is `pianokpm live --source FILE --realtime --push` instead
# (the delay benchmark in docs/performance.md: bench/remote_delay.sh watches it for 600 s).
set -uo pipefail
bin=$1 node_modules=$2 watch_s=${3:-6} result=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then echo "SKIPPED: no chromium at $chromium (apt-get install chromium)"; exit 77; fi
if [[ ! -d $node_modules/playwright-core ]]; then echo "SKIPPED: no playwright-core in $node_modules"; exit 77; fi
if ! command -v node >/dev/null; then echo "SKIPPED: no node"; exit 77; fi
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
password='a long test password'
for user in "ada player" "teacher viewer"; do
  set -- $user
  PIANOKPM_PASSWORD=$password "$bin" serve --data "$work/serve" --add-user "$1" --role "$2" || exit 1
done
"$bin" serve --data "$work/serve" --grant ada:teacher || exit 1
"$bin" serve --data "$work/serve" --listen 127.0.0.1:0 --ready-file "$work/ready.json" >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do [[ -f $work/ready.json ]] && break; sleep 0.1; done
if [[ ! -f $work/ready.json ]]; then echo "serve did not start:"; cat "$work/serve.log"; exit 1; fi
url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$work/ready.json")
cert=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cert"])' "$work/ready.json")
# Pushes for as long as the page needs: chromium's start plus the watching, with room to spare.
if [[ -n ${REMOTE_PLAYER_VIDEO:-} ]]; then
  PIANOKPM_PUSH_PASSWORD=$password "$bin" live --source "$REMOTE_PLAYER_VIDEO" --realtime --hand any --out /dev/null \
    --push "$url" --push-user ada --push-ca "$cert" --push-title "etude in C" --stats "$work/live_stats.json" \
    >"$work/push.log" 2>&1 &
else
  ffmpeg -v error -f lavfi -i testsrc=size=320x240 -frames:v 1 "$work/picture.jpg" || exit 1
  python3 "$here/push_rows.py" "$url" "$cert" ada "$password" $((watch_s + 60)) "etude in C" "$work/picture.jpg" \
    >"$work/push.log" 2>&1 &
fi
pids+=($!)
NODE_PATH=$node_modules node "$here/remote_browser_test.mjs" "$url" "$chromium" teacher "$password" "$watch_s" \
  "${result:-$work/result.json}" "${REMOTE_SCREENSHOT:-$work/remote.png}"
status=$?
[[ $status -ne 0 ]] && { cat "$work/serve.log"; cat "$work/push.log"; }
if [[ -n ${REMOTE_PLAYER_VIDEO:-} && -n $result ]]; then  # the player's own latency, for the benchmark
  kill -INT "${pids[1]}" 2>/dev/null; wait "${pids[1]}" 2>/dev/null
  [[ -f $work/live_stats.json ]] && cp "$work/live_stats.json" "${result%.json}_live_stats.json"
fi
exit $status
