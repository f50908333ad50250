#!/usr/bin/env bash
# The live pipeline over a long session at real-time pace: frame-to-EMG latency (median, 99th
# percentile), dropped frames, the process's memory every 10 s (growth over the session), and, from
# the same run, the model's time per hop beside one whole window's (model_ms_*, window_ms).
# Usage: bench/live_soak.sh [MINUTES=10] [FPS=30] [POSE_MODEL=full] [HOP=live's default] [live options...]
# e.g. bench/live_soak.sh 1 30 full 0.1 --whole-windows; HAND=both bench/live_soak.sh 1 30 full
# (the hand followed: HAND, default any).
# The source is the demo video (640x480) looped to MINUTES, re-timed to FPS when not 30.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PIANOKPM_BIN:-$root/build/bin/pianokpm}
minutes=${1:-10} fps=${2:-30} pose_model=${3:-full} hop=${4:-}
shift $(($# < 4 ? $# : 4))
hop_option=()
[[ -n $hop ]] && hop_option=(--hop "$hop")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
loops=$(( (minutes * 60 + 11) / 12 ))
filter=()
[[ $fps != 30 ]] && filter=(-vf "fps=$fps")
ffmpeg -nostdin -loglevel error -stream_loop "$loops" -i "$root/assets/demo/hand_moving.mp4" -t $((minutes * 60)) \
  "${filter[@]}" -c:v libx264 -preset veryfast -pix_fmt yuv420p "$work/long.mp4"
"$bin" live --source "$work/long.mp4" --realtime --hand "${HAND:-any}" --pose-model "$pose_model" --out /dev/null \
  "${hop_option[@]}" "$@" --stats "$work/stats.json" 2>"$work/live.log" &
pid=$!
echo "seconds,rss_mib"
start=$SECONDS
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [[ -n $rss ]] && echo "$((SECONDS - start)),$((rss / 1024))"
  sleep 10
done
wait "$pid"
cat "$work/stats.json"
