#!/usr/bin/env bash
# Makes assets/demo/hand_moving.mp4, the demo's "camera" recording: the three photographs of a real
# hand in tests/fixtures/hands (open, half curled, fully curled fingers) in turn, sliding across a
# 640x480 frame at 30 fps for 12 s, as a hand moves over a keyboard. Run once; the output is
# committed (ffmpeg from Debian: apt-get install ffmpeg).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
hands=$root/tests/fixtures/hands
out=$root/assets/demo/hand_moving.mp4
mkdir -p "$(dirname "$out")"
# One 2-s cycle: open 0.5 s, half 0.5 s, full 0.5 s, half 0.5 s; six cycles. The hand image
# (480x640 scaled to 360x480) slides left and right by 100 px over a 5-s period.
ffmpeg -hide_banner -loglevel error -y \
  -loop 1 -t 0.5 -framerate 30 -i "$hands/nocurl.jpg" \
  -loop 1 -t 0.5 -framerate 30 -i "$hands/halfcurl.jpg" \
  -loop 1 -t 0.5 -framerate 30 -i "$hands/fullcurl.jpg" \
  -loop 1 -t 0.5 -framerate 30 -i "$hands/halfcurl.jpg" \
  -filter_complex "[0][1][2][3]concat=n=4:v=1:a=0,scale=360:480,setsar=1,fps=30,loop=loop=5:size=60:start=0[hand];\
color=c=0x303030:s=640x480:r=30:d=12[bg];[bg][hand]overlay=x='140+100*sin(2*PI*t/5)':y=0:shortest=1,format=yuv420p" \
  -frames:v 360 -c:v libx264 -preset slow -crf 26 -movflags +faststart "$out.partial.mp4"
mv "$out.partial.mp4" "$out"
echo "wrote $out"
