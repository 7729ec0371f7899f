#!/usr/bin/env bash
# `npm run demo`: installs what is missing, then renders the bundled sample scenario over a
# generated 1280x720 clip with sound, into out/. Prints where the MP4 is and how fast it went.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
node_modules/.bin/tsc -p tsconfig.build.json
mkdir -p out
src=out/sample-source.mp4
if [ ! -s "$src" ]; then
  echo "[demo] generating a 12 s 1280x720 30 fps sample clip with audio: $src" >&2
  ffmpeg -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=12" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=12" \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "$src.tmp.mp4"
  mv "$src.tmp.mp4" "$src"
fi
node_modules/.bin/node --max-semi-space-size=4 dist/src/cli/render.js \
  --video "$src" --scenario samples/demo-scenario.json --out out/sample-captioned.mp4 "$@"
