#!/usr/bin/env bash
# The live view as a person sees it: `pianokpm live` plays the demo video in real time with
# --serve on 127.0.0.1, and headless chromium (live_browser_test.mjs) checks the page.
# Usage: live_browser_test.sh PIANOKPM_BIN NODE_MODULES_DIR VIDEO
# LIVE_SCREENSHOT=path keeps the screenshot (the README's picture is made this way).
set -uo pipefail
bin=$1 node_modules=$2 video=$3
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then echo "SKIPPED: no chromium at $chromium (apt-get install chromium)"; exit 77; fi
if [[ ! -d $node_modules/playwright-core ]]; then echo "SKIPPED: no playwright-core in $node_modules (scripts/setup.sh installs it)"; exit 77; fi
if ! command -v node >/dev/null; then echo "SKIPPED: no node"; exit 77; fi
status=0
"$bin" live --help >/dev/null 2>&1 || status=$?
# a crash is a failure; a command this build lacks is a skip
if ((status >= 128)); then echo "FAILED: pianokpm live --help died (status $status)"; exit 1; fi
if ((status != 0)); then echo "SKIPPED: this build has no 'pianokpm live'"; exit 77; fi
work=$(mktemp -d)
# The demo video lasts 12 s; a loaded machine can spend that starting chromium, so the page is
# checked against the video played five times over (the test stops live when it is done).
if command -v ffmpeg >/dev/null && ffmpeg -v error -stream_loop 4 -i "$video" -c copy "$work/looped.mp4"; then
  video=$work/looped.mp4
fi
"$bin" live --source "$video" --realtime --hand any --serve 127.0.0.1:0 --out "$work/rows.csv" --duration 60 \
  >"$work/live.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
url=
for _ in $(seq 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$work/live.log" | head -1)
  [[ -n $url ]] && break
  sleep 0.1
done
if [[ -z $url ]]; then echo "live did not start serving:"; cat "$work/live.log"; exit 1; fi
NODE_PATH=$node_modules node "$(dirname "$0")/live_browser_test.mjs" "$url" "$work/rows.csv" "$chromium" \
  "${LIVE_SCREENSHOT:-$work/live.png}"
status=$?
[[ $status -ne 0 ]] && cat "$work/live.log"
exit $status
