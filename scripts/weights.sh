#!/usr/bin/env bash
# `make weights`: re-derives the face detector's int8 blob from MediaPipe's published model and
# fails if it differs from the committed one. Nothing here runs at build or test time; the blob
# is committed (src/precheck/face/blazeface_short_i8.bin) and this proves where it came from.
#   scripts/weights.sh           fetch (npm pack), check the .tflite's sha256, convert, compare
#   scripts/weights.sh --golden  also regenerate tests/photos/golden.json with Google's LiteRT
set -euo pipefail
cd "$(dirname "$0")/.."

PKG=@mediapipe/face_detection@0.4.1657300184
TFLITE_SHA=3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633
BLOB=src/precheck/face/blazeface_short_i8.bin
WORK=target/weights
mkdir -p "$WORK"

tgz=$(cd "$WORK" && npm pack --silent "$PKG" | tail -n1)
tar -xzf "$WORK/$tgz" -C "$WORK" package/face_detection_short_range.tflite
model="$WORK/package/face_detection_short_range.tflite"
echo "$TFLITE_SHA  $model" | sha256sum --check --quiet \
  || { echo "weights: $model is not the published file (sha256 $TFLITE_SHA)" >&2; exit 1; }

if [ ! -x "$WORK/venv/bin/python" ]; then
  python3 -m venv "$WORK/venv"
fi
# Pinned so the repacked bytes cannot move under us.
"$WORK/venv/bin/pip" install -q numpy==2.4.6 tflite==2.18.0 flatbuffers==25.12.19
"$WORK/venv/bin/python" scripts/weights/convert.py "$model" "$WORK/blazeface_short_i8.bin"
(cd "$WORK" && sed "s#  .*#  blazeface_short_i8.bin#" "../../$BLOB.sha256" | sha256sum --check) \
  || { echo "weights: the re-derived blob differs from $BLOB.sha256" >&2; exit 1; }
cmp "$WORK/blazeface_short_i8.bin" "$BLOB" \
  || { echo "weights: $BLOB differs from what the converter makes" >&2; exit 1; }
echo "weights: $BLOB re-derived from $PKG, identical"

if [ "${1:-}" = "--golden" ]; then
  "$WORK/venv/bin/pip" install -q ai-edge-litert==2.3.0 pillow==13.0.0
  "$WORK/venv/bin/python" scripts/weights/golden.py "$model" \
    tests/photos/astronaut.jpg tests/photos/camera.jpg tests/photos/hopper.png tests/photos/golden.json
fi
