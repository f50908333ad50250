#!/usr/bin/env bash
# MediaPipe Hands' own landmarks for some images, from the official npm package run in headless
# Chromium (Debian's `chromium`, software WebGL). Usage:
#   tools/mediapipe_reference/run_reference.sh OUT.json COMPLEXITY(0|1) IMAGE...
# Writes {image: {width, height, hands: [{landmarks: [[x, y, z] x 21], handedness}]}}, coordinates
# normalized as MediaPipe reports them. Used once to make test data; CI does not need Chromium.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1; complexity=$2; shift 2
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent @mediapipe/hands@0.4.1675469240 >/dev/null 2>&1 && tar xzf mediapipe-hands-*.tgz && mv package mp)
mkdir -p "$work/images"
names=()
for f in "$@"; do cp "$f" "$work/images/"; names+=("$(basename "$f")"); done
cp "$here/index.html" "$work/"
port=$((20000 + RANDOM % 20000))
(cd "$work" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!
sleep 1
# One image per browser run: the page has a time budget and software WebGL is slow.
echo '{}' >"$work/all.json"
for ((b = 0; b < ${#names[@]}; b += 1)); do
  list=${names[b]}
  for attempt in 1 2 3; do  # the page sometimes gets dumped before the WebAssembly is up: retry
    chromium --headless=new --no-sandbox --disable-gpu-sandbox --use-angle=swiftshader --enable-unsafe-swiftshader \
      --virtual-time-budget=120000 --timeout=180000 \
      --dump-dom "http://127.0.0.1:$port/index.html?complexity=$complexity&images=$list" 2>"$work/chromium.log" \
      | sed -n 's/.*<pre id="result">\(.*\)<\/pre>.*/\1/p' >"$work/result.json"
    grep -q '^{' "$work/result.json" && break
  done
  if ! grep -q '^{' "$work/result.json"; then
    echo "run_reference: no result for $list; page said: $(cat "$work/result.json")" >&2
    exit 1
  fi
  python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); a.update(json.load(open(sys.argv[2]))); json.dump(a, open(sys.argv[1], "w"), indent=0)' \
    "$work/all.json" "$work/result.json"
done
mv "$work/all.json" "$out"
echo "run_reference: wrote $out"
