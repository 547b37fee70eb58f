"""The Python rows of the benchmark (`make bench-python`, issue 14).

One process, the same inputs for every tool, medians of repeated runs:

- decode and encode of JPEG (quality 90, 4:2:0), PNG (default compression) and TIFF
  (uncompressed) of a 1920x1080 RGB photo-like image through `pixcodec` vs Pillow, OpenCV
  (`imdecode`/`imencode`; BGR, no conversion counted), tifffile, imagecodecs and simplejpeg
  (whichever are installed), plus `pixcodec::decode` through the Rust API (the
  `dataset_epoch` example) for the "at most 3 % slower than Rust" comparison;
- one epoch of `pixcodec.keras.image_dataset_from_directory` over N JPEGs 640x480 → 224x224,
  batches of 32, Keras' defaults except `shuffle=False`, against the Rust `ml::Dataset` on the
  same files and options, and against Keras' own function when TensorFlow is installed.

    python python/bench/bench.py [--rust-dataset PATH] [--out DIR] [--files 1000] [--budget 1.0]

The machine is shared and has 2 cores: the numbers are noisy; compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import pixcodec
from pixcodec import keras as pk


def photo(h, w, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([x * 255 / w, y * 255 / h, 128 + 100 * np.sin(x / 37) * np.cos(y / 23)], axis=-1)
    return np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)


def timeit(fn, budget, min_runs=5):
    fn()  # warm-up
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < budget:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        if len(times) >= 200:
            break
    return statistics.median(times)


def try_import(name):
    try:
        return __import__(name)
    except Exception:
        return None


def codec_rows(budget, rust_bin, workdir):
    rgb = photo(1080, 1920)
    PIL = try_import("PIL.Image") and sys.modules["PIL.Image"]
    cv2 = try_import("cv2")
    tifffile = try_import("tifffile")
    imagecodecs = try_import("imagecodecs")
    simplejpeg = try_import("simplejpeg")
    inputs = {
        "jpeg": pixcodec.encode(rgb, "jpeg", quality=90, subsampling="420"),
        "png": pixcodec.encode(rgb, "png"),
        "tiff": pixcodec.encode(rgb, "tiff", compression="none"),
    }
    rows = []

    def add(op, fmt, tool, fn):
        try:
            secs = timeit(fn, budget)
        except Exception as e:  # a peer that cannot do this case is left out, with the reason
            print(f"  {op} {fmt} {tool}: skipped ({type(e).__name__}: {e})", file=sys.stderr)
            return
        rows.append({"op": op, "format": fmt, "tool": tool, "ms": secs * 1e3})

    for fmt, data in inputs.items():
        arr8 = np.frombuffer(data, np.uint8)
        add("decode", fmt, "pixcodec", lambda: pixcodec.decode(data))
        if rust_bin:
            path = os.path.join(workdir, f"input.{fmt}")
            with open(path, "wb") as f:
                f.write(data)
            out = subprocess.run([rust_bin, "decode", path, "30"], capture_output=True, text=True, check=True)
            rows.append({"op": "decode", "format": fmt, "tool": "rust-api", "ms": json.loads(out.stdout)["decode_s"] * 1e3})
        if PIL:
            add("decode", fmt, "pillow", lambda: np.asarray(PIL.open(io.BytesIO(data)).convert("RGB")))
        if cv2:
            add("decode", fmt, "opencv", lambda: cv2.imdecode(arr8, cv2.IMREAD_UNCHANGED))
        if fmt == "tiff" and tifffile:
            add("decode", fmt, "tifffile", lambda: tifffile.imread(io.BytesIO(data)))
        if imagecodecs:
            f = {"jpeg": "jpeg8_decode", "png": "png_decode", "tiff": "tiff_decode"}[fmt]
            if hasattr(imagecodecs, f):
                add("decode", fmt, "imagecodecs", lambda f=f: getattr(imagecodecs, f)(data))
        if fmt == "jpeg" and simplejpeg:
            add("decode", fmt, "simplejpeg", lambda: simplejpeg.decode_jpeg(data))

    # The GIL is released while decoding: two threads decode 2x the JPEGs in about the time
    # one thread decodes 1x (on 2 free cores).
    import threading

    jpeg = inputs["jpeg"]

    def two_threads():
        ts = [threading.Thread(target=lambda: [pixcodec.decode(jpeg) for _ in range(8)]) for _ in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    add("decode 8 per thread", "jpeg", "pixcodec 1 thread", lambda: [pixcodec.decode(jpeg) for _ in range(8)])
    add("decode 8 per thread", "jpeg", "pixcodec 2 threads", two_threads)

    add("encode", "jpeg", "pixcodec", lambda: pixcodec.encode(rgb, "jpeg", quality=90, subsampling="420"))
    add("encode", "png", "pixcodec", lambda: pixcodec.encode(rgb, "png"))
    add("encode", "tiff", "pixcodec", lambda: pixcodec.encode(rgb, "tiff", compression="none"))
    if PIL:
        img = PIL.fromarray(rgb)

        def pil_save(**kw):
            b = io.BytesIO()
            img.save(b, **kw)
            return b.getvalue()

        add("encode", "jpeg", "pillow", lambda: pil_save(format="JPEG", quality=90, subsampling=2))
        add("encode", "png", "pillow", lambda: pil_save(format="PNG"))
        add("encode", "tiff", "pillow", lambda: pil_save(format="TIFF"))
    if cv2:
        add("encode", "jpeg", "opencv", lambda: cv2.imencode(".jpg", rgb, [cv2.IMWRITE_JPEG_QUALITY, 90]))
        add("encode", "png", "opencv", lambda: cv2.imencode(".png", rgb))
        add("encode", "tiff", "opencv", lambda: cv2.imencode(".tiff", rgb, [cv2.IMWRITE_TIFF_COMPRESSION, 1]))
    if tifffile:
        add("encode", "tiff", "tifffile", lambda: tifffile.imwrite(io.BytesIO(), rgb))
    if imagecodecs:
        add("encode", "jpeg", "imagecodecs", lambda: imagecodecs.jpeg8_encode(rgb, level=90))
        add("encode", "png", "imagecodecs", lambda: imagecodecs.png_encode(rgb))
    if simplejpeg:
        add("encode", "jpeg", "simplejpeg", lambda: simplejpeg.encode_jpeg(rgb, quality=90, colorsubsampling="420"))
    return rows


def dataset_rows(n_files, rust_bin, workdir, repeats):
    root = os.path.join(workdir, "dataset")
    for i in range(n_files):
        d = os.path.join(root, f"class{i % 2}")
        os.makedirs(d, exist_ok=True)
        pixcodec.imwrite(os.path.join(d, f"{i:05d}.jpg"), photo(480, 640, seed=i % 50), quality=90)
    rows = []

    # Indexing happens once, outside the timing, as in the Rust row.
    ds = pk.image_dataset_from_directory(root, image_size=(224, 224), batch_size=32, shuffle=False, verbose=False)

    def epoch():
        n = 0
        for images, _ in ds:
            n += images.shape[0]
            del images  # hands the batch buffer back for reuse, as the Rust loop recycles
        assert n == n_files

    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - t)
    rows.append({"op": "dataset epoch", "format": f"{n_files} jpeg 640x480 -> 224x224", "tool": "pixcodec",
                 "ms": statistics.median(times) * 1e3})
    if rust_bin:
        out = subprocess.run([rust_bin, "dataset", root, "224", "224", "32", str(repeats)],
                             capture_output=True, text=True, check=True)
        rows.append({"op": "dataset epoch", "format": rows[0]["format"], "tool": "rust-api",
                     "ms": json.loads(out.stdout)["dataset_epoch_s"] * 1e3})
    if try_import("tensorflow") is not None and try_import("keras") is not None:
        import keras

        ds = keras.utils.image_dataset_from_directory(
            root, image_size=(224, 224), batch_size=32, shuffle=False, verbose=False
        )
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            for images, _ in ds:
                images.numpy()
            times.append(time.perf_counter() - t)
        rows.append({"op": "dataset epoch", "format": rows[0]["format"], "tool": "keras",
                     "ms": statistics.median(times) * 1e3})
    return rows


def table(rows):
    lines = ["| op | format | tool | median ms | vs pixcodec |", "|---|---|---|---:|---:|"]
    ours = {(r["op"], r["format"]): r["ms"] for r in rows if r["tool"] == "pixcodec"}
    for r in rows:
        base = ours.get((r["op"], r["format"]))
        ratio = f"{r['ms'] / base:.2f}x" if base else ""
        lines.append(f"| {r['op']} | {r['format']} | {r['tool']} | {r['ms']:.2f} | {ratio} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rust-dataset", help="path of the dataset_epoch example binary (Rust rows)")
    ap.add_argument("--out", default="target/bench-python")
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--budget", type=float, default=1.0)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        rows = codec_rows(args.budget, args.rust_dataset, work)
        rows += dataset_rows(args.files, args.rust_dataset, work, args.repeats)
    versions = {}
    for name in ["numpy", "PIL", "cv2", "tifffile", "imagecodecs", "simplejpeg", "tensorflow", "keras"]:
        m = try_import(name)
        if m is not None:
            versions[name] = getattr(m, "__version__", "?")
    versions["pixcodec"] = pixcodec.__version__
    md = table(rows) + "\n\nVersions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + "\n"
    print(md)
    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write(md)
    with open(os.path.join(args.out, "report.json"), "w") as f:
        json.dump({"rows": rows, "versions": versions}, f, indent=1)


if __name__ == "__main__":
    main()
