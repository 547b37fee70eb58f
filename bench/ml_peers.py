"""Python peers of the ML loader's rows (issue 5) and the target rows; writes rows-ml.json.

Usage: python ml_peers.py RUST_ROWS.json OUT.json PIXCODEC_CLI. RUST_ROWS.json comes from
`cargo bench --bench ml` (bench/rust/ml.rs), which also made the dataset it names. Timed here,
on the same files in the same run:

- ``pillow-numpy``: the loop Keras' ``load_img`` + ``img_to_array`` amounts to: open, convert
  RGB, resize 224x224 bilinear, ``np.asarray(float32)``, stack into batches of 32 (one thread).
- ``pillow-numpy-draft``: the same plus ``Image.draft("RGB", (224, 224))``, Pillow's own
  shrink-on-load (libjpeg DCT scaling), the closest peer to pixcodec's default.
- ``tf-image_dataset_from_directory``: Keras 3 on TensorFlow (bench.mk installs both into the
  bench venv; without them the Keras rows say so), alternated round after round with
  ``pixcodec-cli`` (``pixcodec dataset DIR``: the same engine as ``ml::Dataset``) and
  ``pixcodec-cli-out`` (the same writing every batch as ``.npy`` with ``--out``).

Timing rule as bench/rust/report.rs: one warm-up, then repeats until BENCH_BUDGET seconds, at
least 3 and at most 200; median.
"""

import importlib
import importlib.util
import json
import os
import shutil
import subprocess
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
    rust_path, out, cli = sys.argv[1], sys.argv[2], sys.argv[3]
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
    tf_note = "tensorflow is not importable in the bench venv (its install failed), so no Keras rows"
    if importlib.util.find_spec("tensorflow") is not None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf

        tds = tf.keras.utils.image_dataset_from_directory(d, image_size=(SIDE, SIDE), batch_size=BATCH,
                                                          shuffle=False, interpolation="bilinear", verbose=False)

        def tf_epoch():
            for x, _ in tds:
                x.numpy()

        # Keras alternated with the `pixcodec dataset` CLI (the same engine as ml::Dataset, in
        # its own process; with --out it also writes every batch as .npy), round after round;
        # each keeps its best round.
        out_dir = os.path.join(os.path.dirname(os.path.abspath(out)), "ml-cli-out")
        cli_args = [cli, "dataset", d, "--image-size", f"{SIDE}x{SIDE}", "--batch-size", str(BATCH)]

        def cli_epoch(write):
            if write:
                shutil.rmtree(out_dir, ignore_errors=True)
            subprocess.run(cli_args + (["--out", out_dir] if write else []), check=True, capture_output=True)

        best = {}
        for _ in range(int(os.environ.get("BENCH_ROUNDS", "2"))):
            for tool, f in [("tf-image_dataset_from_directory", tf_epoch),
                            ("pixcodec-cli", lambda: cli_epoch(False)),
                            ("pixcodec-cli-out", lambda: cli_epoch(True))]:
                t = timed(f)
                best[tool] = min(best.get(tool, t), t)
        shutil.rmtree(out_dir, ignore_errors=True)
        add("tf-image_dataset_from_directory", os.cpu_count(), best["tf-image_dataset_from_directory"])
        add("pixcodec-cli", os.cpu_count(), best["pixcodec-cli"])
        add("pixcodec-cli-out", os.cpu_count(), best["pixcodec-cli-out"])
        tf_note = (f"keras {importlib.import_module('keras').__version__} on tensorflow {tf.__version__} "
                   f"(its own thread pool, up to {os.cpu_count()} threads)")
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
    rust_ds = {r["tool"]: r for r in ds_rows}
    by = {r["tool"]: r for r in peers}
    what = "(1000 JPEGs 640x480 to 224x224, batches of 32, F32)"

    def vs(a, peer, name, goal, extra=""):
        targets.append({
            "target": f"{name} {what}",
            "ratio": a["mpix_s"] / peer["mpix_s"], "goal": goal, "higher_is_better": True,
            "detail": f"{a['mpix_s']:.0f} vs {peer['mpix_s']:.0f} images/s; {a['tool']} {a['threads']} thread(s), "
                      f"{peer['tool']} {peer['threads']} thread(s); {extra}{la}",
        })

    px = rust_ds["pixcodec"]
    vs(px, rust_ds["pixcodec-1thread"], "ml::Dataset on all cores vs one thread", 1.8)
    if "tf-image_dataset_from_directory" in by:
        keras = by["tf-image_dataset_from_directory"]
        vs(px, keras, "ml::Dataset with Keras' pixels vs Keras image_dataset_from_directory", 2.5,
           f"{tf_note}; floor 2x; ")
        vs(by["pixcodec-cli"], keras, "pixcodec dataset CLI (alternated with Keras) vs Keras", 2.5)
        vs(rust_ds["pixcodec-shrink"], keras, "ml::Dataset with shrink-on-load vs Keras", 4.0)
        vs(by["pixcodec-cli-out"], keras, "pixcodec dataset --out (.npy writes) vs Keras", 1.5)
    else:
        targets.append({"target": f"ml::Dataset vs Keras image_dataset_from_directory {what}", "ratio": None,
                        "goal": 2.5, "higher_is_better": True, "detail": tf_note})
    vs(px, by["pillow-numpy"], "ml::Dataset with Keras' pixels vs a Pillow + NumPy loop", 2.0)
    json.dump(rows + targets, open(out, "w"), indent=1)
    for t in targets:
        r = "n/a" if t["ratio"] is None else f"{t['ratio']:.2f}x"
        print(f"{t['target']}: {r} (goal {t['goal']}x) - {t['detail']}", file=sys.stderr)


if __name__ == "__main__":
    main()
