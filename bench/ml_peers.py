"""Python peers of the ML loader's rows (issue 5) and the target rows; writes rows-ml.json.

Usage: python ml_peers.py RUST_ROWS.json OUT.json. RUST_ROWS.json comes from
`cargo bench --bench ml` (bench/rust/ml.rs), which also made the dataset it names. Timed here,
on the same files in the same run:

- ``pillow-numpy``: the loop Keras' ``load_img`` + ``img_to_array`` amounts to: open, convert
  RGB, resize 224x224 bilinear, ``np.asarray(float32)``, stack into batches of 32 (one thread).
- ``pillow-numpy-draft``: the same plus ``Image.draft("RGB", (224, 224))``, Pillow's own
  shrink-on-load (libjpeg DCT scaling), the closest peer to pixcodec's default.
- ``tf-image_dataset_from_directory``: only when tensorflow is importable (never installed here).

Timing rule as bench/rust/report.rs: one warm-up, then repeats until BENCH_BUDGET seconds, at
least 3 and at most 200; median.
"""

import importlib.util
import json
import os
import sys
import time

import numpy as np
from PIL import Image

SIDE = 224
BATCH = 32


def timed(f):
    budget = float(os.environ.get("BENCH_BUDGET", "1.0"))
    f()
    v, start = [], time.perf_counter()
    while len(v) < 3 or (time.perf_counter() - start < budget and len(v) < 200):
        t = time.perf_counter()
        f()
        v.append(time.perf_counter() - t)
    return sorted(v)[len(v) // 2]


def files_of(d):
    classes = sorted(c for c in os.listdir(d) if os.path.isdir(os.path.join(d, c)))
    out = []
    for k, c in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(d, c))):
            if f.lower().endswith((".jpg", ".jpeg")):
                out.append((os.path.join(d, c, f), k))
    return out


def pillow_epoch(files, draft):
    n = 0
    for i in range(0, len(files), BATCH):
        arrs, labels = [], []
        for path, label in files[i:i + BATCH]:
            with Image.open(path) as im:
                if draft:
                    im.draft("RGB", (SIDE, SIDE))
                im = im.convert("RGB").resize((SIDE, SIDE), Image.BILINEAR)
            arrs.append(np.asarray(im, dtype=np.float32))
            labels.append(label)
        batch, labels = np.stack(arrs), np.asarray(labels, dtype=np.int32)
        n += batch.shape[0]
    assert n == len(files)


def main():
    rust_path, out = sys.argv[1], sys.argv[2]
    rust = json.load(open(rust_path))
    load_before = os.getloadavg()
    ds_rows = [r for r in rust if r["op"] == "ml-dataset"]
    d = ds_rows[0]["dataset"]
    files = files_of(d)
    n = len(files)
    base = {k: ds_rows[0][k] for k in ("format", "op", "image", "variant")}
    peers = []

    def add(tool, threads, secs):
        r = dict(base, tool=tool, lang="python", threads=threads, seconds=secs, mpix_s=n / secs, bytes=None,
                 mpix=float(n))
        peers.append(r)
        print(f"dataset {tool} ({threads} threads): {n / secs:.0f} images/s", file=sys.stderr)

    add("pillow-numpy", 1, timed(lambda: pillow_epoch(files, False)))
    add("pillow-numpy-draft", 1, timed(lambda: pillow_epoch(files, True)))
    tf_note = "tensorflow is not importable in the bench venv (not installed), so no image_dataset_from_directory row"
    if importlib.util.find_spec("tensorflow") is not None:
        import tensorflow as tf

        tds = tf.keras.utils.image_dataset_from_directory(d, image_size=(SIDE, SIDE), batch_size=BATCH,
                                                          shuffle=False, interpolation="bilinear")

        def tf_epoch():
            for x, _ in tds:
                x.numpy()

        add("tf-image_dataset_from_directory", os.cpu_count(), timed(tf_epoch))
        tf_note = f"tensorflow {tf.__version__} row included (its own thread pool, up to {os.cpu_count()} threads)"
    load_after = os.getloadavg()

    rows = rust + peers
    shrink = {r["tool"]: r for r in rust if r["op"] == "ml-load"}
    on, off = shrink["pixcodec"], shrink["pixcodec-no-shrink"]
    la = f"load average {load_before[0]:.2f} before / {load_after[0]:.2f} after the peers on {os.cpu_count()} cores"
    targets = [{
        "target": "ml::load shrink-on-load vs full decode + resize (4000x3000 JPEG to 224x224 bilinear)",
        "ratio": off["seconds"] / on["seconds"], "goal": 3.0, "higher_is_better": True,
        "detail": f"{on['seconds'] * 1e3:.1f} ms vs {off['seconds'] * 1e3:.1f} ms, one thread each; "
                  f"PSNR between the two results {on['psnr_db']:.2f} dB; input {on['input_origin']}",
    }]
    px = {r["tool"]: r for r in ds_rows}["pixcodec"]

    def vs(peer, name, extra):
        targets.append({
            "target": f"ml::Dataset throughput vs {name} (1000 JPEGs 640x480 to 224x224, batches of 32, F32)",
            "ratio": px["mpix_s"] / peer["mpix_s"], "goal": 2.0, "higher_is_better": True,
            "detail": f"{px['mpix_s']:.0f} vs {peer['mpix_s']:.0f} images/s; pixcodec {px['threads']} threads, "
                      f"{peer['tool']} {peer['threads']} thread(s); {extra}{la}",
        })

    by = {r["tool"]: r for r in peers}
    vs(by["pillow-numpy"], "a Pillow + NumPy loop", f"{tf_note}; ")
    vs(by["pillow-numpy-draft"], "a Pillow + NumPy loop with draft() (stricter peer, not in issue 5)", "")
    if "tf-image_dataset_from_directory" in by:
        vs(by["tf-image_dataset_from_directory"], "tf.keras image_dataset_from_directory", "")
    json.dump(rows + targets, open(out, "w"), indent=1)
    for t in targets:
        print(f"{t['target']}: {t['ratio']:.2f}x (goal {t['goal']}x) - {t['detail']}", file=sys.stderr)


if __name__ == "__main__":
    main()
