#!/usr/bin/env bash
# End-to-end delay of a remote session (docs/performance.md, "Remote sessions"): `pianokpm live`
# plays the demo video in real time (looped to cover the watching) and pushes to `pianokpm serve`
# on 127.0.0.1 over TLS; the viewer's page in headless chromium measures, for every chunk, the
# delay from the player's frame to its screen and what the network and server add to the
# player's own latency.
# Usage: bench/remote_delay.sh [SECONDS_WATCHED (600)] [OUT_DIR (build/bench_remote)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600} out=${2:-$root/build/bench_remote}
mkdir -p "$out"
loops=$((seconds / 12 + 8))
ffmpeg -v error -y -stream_loop "$loops" -i "$root/assets/demo/hand_moving.mp4" -c copy "$out/looped.mp4"
REMOTE_PLAYER_VIDEO=$out/looped.mp4 bash "$root/tests/remote/remote_browser_test.sh" "$root/build/bin/pianokpm" \
  "$root/web/node_modules" "$seconds" "$out/delay.json"
cat "$out/delay.json"
[[ -f $out/delay_live_stats.json ]] && cat "$out/delay_live_stats.json"
