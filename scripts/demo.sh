#!/usr/bin/env bash
# The README's main job: the pixcodec CLI on the bundled sample data in examples/data.
#
# Builds the release binaries first (cargo shows its progress; the first build takes several
# minutes), then a short tour: codecs, info, convert, check, explicit conversions, load and
# dataset, the Rust API; it ends with what was exact and what was refused. The tour's output
# is checked: no line may be longer than 160 characters.
# DEMO_PROFILE=dev uses the debug build instead (faster to build, slower to run).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${DEMO_PROFILE:-release}
case $profile in
dev | debug) profile_dir=debug ;;
*) profile_dir=$profile ;;
esac
target=${CARGO_TARGET_DIR:-target}
echo "building pixcodec ($profile profile; cargo reports each crate as it compiles)"
cargo build --profile "$profile" -p pixcodec-cli -p pixcodec --example demo --bin pixcodec
px=$target/$profile_dir/pixcodec
data=examples/data
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
MAX_LINE=160

exact=()
lossy=()
converted=()
refused=()

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }
# expect STATUS LIST LABEL CMD...: runs CMD, checks its exit status, records LABEL in LIST.
expect() {
  local want=$1 list=$2 label=$3 status=0
  shift 3
  printf '$ %s\n' "$*"
  "$@" || status=$?
  if [ "$status" != "$want" ]; then
    echo "demo: expected exit status $want, got $status" >&2
    exit 1
  fi
  [ "$want" = 0 ] || echo "(exit status $status: refused, nothing written)"
  eval "$list+=(\"\$label\")"
}

tour() {
  step "the registry: codecs, formats, layouts x sample types (pixcodec codecs --verbose for everything)"
  show $px codecs

  step "what the sample files hold"
  show $px info $data/photo.png $data/gray16.png $data/labels.npy

  step "a photo to PNG, TIFF and JPEG"
  expect 0 exact "photo -> PNG" $px convert $data/photo.png "$out/photo.png" --verify
  expect 0 exact "photo -> TIFF (deflate)" $px convert $data/photo.png "$out/photo.tif" --compression deflate --predictor --verify
  expect 0 lossy "photo -> JPEG q90" $px convert $data/photo.png "$out/photo.jpg" --quality 90 --verify
  show $px info "$out/photo.tif" "$out/photo.jpg"

  step "uint32 labels: .npy -> TIFF -> .npy, byte for byte"
  expect 0 exact "labels -> TIFF" $px convert $data/labels.npy "$out/labels.tif" --compression lzw
  expect 0 exact "labels TIFF -> .npy" $px convert "$out/labels.tif" "$out/labels_back.npy"
  show cmp $data/labels.npy "$out/labels_back.npy"
  echo "identical: the round trip kept every byte"

  step "formats that cannot hold the data refuse (exit 3) and say what would work"
  expect 3 refused "labels (U32) -> PNG" $px convert $data/labels.npy "$out/labels.png"
  expect 3 refused "check labels as PNG" $px check $data/labels.npy --as png
  expect 3 refused "check gray16 as JPEG" $px check $data/gray16.png --as jpeg
  expect 3 refused "photo -> JPEG --require-exact" $px convert $data/photo.png "$out/strict.jpg" --require-exact
  expect 1 refused "TIFF bytes under .png" $px convert $data/photo.png "$out/photo2.png" --codec tiff
  if ls "$out"/strict.jpg "$out"/labels.png "$out"/photo2.png 2>/dev/null; then
    echo "a refused conversion left a file" >&2
    exit 1
  fi

  step "explicit conversions: asked for by name, checked, and listed in the summary line"
  expect 3 refused "labels page 0 --cast u16 (a label above 65535)" \
    $px convert $data/labels.npy "$out/labels0.png" --page 0 --cast u16
  expect 0 converted "labels page 0 --scale minmax --cast u8" \
    $px convert $data/labels.npy "$out/labels0.png" --page 0 --scale minmax --cast u8
  expect 0 converted "gray16 --scale minmax --cast u8 -> JPEG" \
    $px convert $data/gray16.png "$out/gray8.jpg" --scale minmax --cast u8
  expect 0 converted "photo --add-alpha -> GIF" $px convert $data/photo.png "$out/photo.gif" --add-alpha

  step "load: Keras load_img + img_to_array (resize to 64x64, float32 array)"
  expect 0 converted "load photo 64x64 float32" $px load $data/photo.png -o "$out/photo64.npy" --target-size 64x64
  show $px info "$out/photo64.npy"

  step "dataset: Keras image_dataset_from_directory over two class folders"
  mkdir -p "$out/classes/color" "$out/classes/gray"
  cp $data/photo.png "$out/photo.tif" "$out/classes/color/"
  cp $data/gray16.png "$out/classes/gray/"
  expect 0 converted "gray16 -> 8-bit PNG for the dataset" \
    $px convert $data/gray16.png "$out/classes/gray/gray8.png" --scale minmax --cast u8
  expect 0 converted "dataset 2 classes, 4 images, 32x32" \
    $px dataset "$out/classes" --image-size 32x32 --batch-size 2 --out "$out/batches"
  show ls "$out/batches"

  step "the same promise through the Rust API (examples/demo.rs)"
  show "$target/$profile_dir/examples/demo"

  step "summary"
  summary "exact, bit for bit" "${exact[@]}"
  summary "lossy because asked for (JPEG)" "${lossy[@]}"
  summary "converted on request (each named in its summary line)" "${converted[@]}"
  summary "refused, nothing written" "${refused[@]}"
}

# summary TITLE ITEMS...: one line per title, items wrapped under it.
summary() {
  local title=$1 line="  " item
  shift
  echo "$title ($#):"
  for item in "$@"; do
    if [ $((${#line} + ${#item} + 2)) -gt $MAX_LINE ]; then
      echo "${line%, }"
      line="  "
    fi
    line+="$item, "
  done
  echo "${line%, }"
}

log=$out/demo.log
tour 2>&1 | tee "$log"
# The longest line, without the colour codes, in characters.
longest=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | LC_ALL=C.UTF-8 wc -L)
if [ "$longest" -gt $MAX_LINE ]; then
  echo "demo: an output line has $longest characters (at most $MAX_LINE):" >&2
  sed 's/\x1b\[[0-9;]*m//g' "$log" | LC_ALL=C.UTF-8 awk -v m=$MAX_LINE 'length($0) > m' >&2
  exit 1
fi
echo
echo "demo: done; the longest output line has $longest characters (limit $MAX_LINE)"
