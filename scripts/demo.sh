#!/usr/bin/env bash
# The README's main job: the pixcodec CLI on the bundled sample data in examples/data.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p pixcodec-cli -p pixcodec --example demo --bin pixcodec
px=target/release/pixcodec
data=examples/data
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "the registry"
show $px codecs

step "what the sample files hold"
show $px info $data/photo.png $data/gray16.png $data/labels.npy

step "a photo to PNG, TIFF and JPEG"
show $px convert $data/photo.png "$out/photo.png" --verify
show $px convert $data/photo.png "$out/photo.tif" --compression deflate --predictor --verify
show $px convert $data/photo.png "$out/photo.jpg" --quality 90 --verify
show $px info "$out/photo.png" "$out/photo.tif" "$out/photo.jpg"

step "uint32 labels: .npy -> TIFF -> .npy, byte for byte"
show $px convert $data/labels.npy "$out/labels.tif" --compression lzw
show $px convert "$out/labels.tif" "$out/labels_back.npy"
show cmp $data/labels.npy "$out/labels_back.npy"
echo "identical: the round trip kept every byte"

step "formats that cannot hold the data refuse (exit 3) instead of rescaling"
set +e
show $px convert $data/labels.npy "$out/labels.png"; echo "exit status $?"
show $px check $data/labels.npy --as png; echo "exit status $?"
show $px check $data/gray16.png --as jpeg; echo "exit status $?"
show $px convert $data/photo.png "$out/strict.jpg" --require-exact; echo "exit status $?"
set -e
ls "$out"/strict.jpg "$out"/labels.png 2>/dev/null && { echo "a refused conversion left a file" >&2; exit 1; }

step "the same promise through the Rust API (examples/demo.rs)"
target/release/examples/demo
