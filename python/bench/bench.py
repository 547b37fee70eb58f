"""The Python section of `make bench` (issue 14); also `make bench-python` alone.

One Python process, the same inputs for every tool, medians of repeated runs:

- decode and encode of a 1920x1080 RGB photo-like image as JPEG (quality 90, 4:2:0), PNG
  (zlib level 6, pixcodec's default: every peer is set to level 6 too, and every encode row
  records its output size) and TIFF (uncompressed) through `pixcodec` (tool
  ``pixcodec-python``) vs Pillow, OpenCV (``imdecode``/``imencode``; BGR, no conversion
  counted), tifffile, imagecodecs and simplejpeg (whichever handle the case), and through the
  Rust API (tool ``rust-api``: ``pixcodec::decode`` / ``pixcodec::encode`` timed by
  ``python/bench/dataset_epoch.rs`` with the same timing rule on the same bytes);
- 8 JPEG decodes in one thread vs 8 in each of two threads (the GIL is released while decoding);
- one epoch of ``pixcodec.keras.image_dataset_from_directory`` over N JPEGs 640x480 -> 224x224,
  batches of 32, its defaults (Keras' pixels) except ``shuffle=False``, vs the Rust
  ``ml::Dataset`` with the same options on the same files, and vs Keras' own
  ``image_dataset_from_directory`` (TensorFlow) iterated in this process.

Timing rule (as bench/rust/report.rs and bench/ml_peers.py): one warm-up, then runs until
``--budget`` seconds have passed, at least 5 and at most 200; the median. Every case is timed in
``--rounds`` rounds, each tool once per round, back to back, the order reversed every other
round (the Rust API's run is a subprocess started in its turn, right after or before
pixcodec-python's). Rows: each tool's best round. Targets: the median over rounds of the
ratio within a round, so that both sides of a ratio ran under the same load.

Writes the rows and the target rows in bench/report.py's format to ``--rows`` (``make bench``:
target/bench/rows-python.json) and prints a Markdown table.

    python python/bench/bench.py --rust target/release/examples/dataset_epoch \
        --rows target/bench/rows-python.json [--work DIR] [--files 1000] [--budget 1.0] [--rounds 3]

The machine this project runs on has 2 cores shared with other jobs: compare ratios within one
run, not absolute numbers across runs.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time

# OpenBLAS's idle worker threads spin (perf showed blas_thread_server in the timed loops of this
# process); no tool timed here uses BLAS, and on 2 cores a spinning thread slows whichever tool runs.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import pixcodec  # noqa: E402
from pixcodec import keras as pk  # noqa: E402

W, H = 1920, 1080
IMAGE = f"rgb8_{W}x{H} photo-like"
VARIANT = {"jpeg": "python: q90 4:2:0", "png": "python: zlib level 6", "tiff": "python: uncompressed"}
PX = "pixcodec-python"
RUST = "rust-api"
CORES = os.cpu_count() or 1


def photo(h, w, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([x * 255 / w, y * 255 / h, 128 + 100 * np.sin(x / 37) * np.cos(y / 23)], axis=-1)
    return np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)


def timeit(fn, budget, min_runs=5, max_runs=200):
    fn()  # warm-up
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or (time.perf_counter() - start < budget and len(times) < max_runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def try_import(name):
    try:
        __import__(name)
        return sys.modules[name]
    except Exception:
        return None


def rust_run(rust_bin, *args):
    out = subprocess.run([rust_bin, *map(str, args)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def timed_rounds(tools, rounds):
    """tools: {name: fn() -> seconds}; each timed once per round, order reversed every other
    round; returns {name: [seconds of each round]} (a tool that raises is left out, with the
    reason)."""
    best, names = {}, list(tools)
    skipped = set()
    for k in range(rounds):
        for name in names if k % 2 == 0 else names[::-1]:
            if name in skipped:
                continue
            try:
                s = tools[name]()
            except Exception as e:  # a peer that cannot do this case
                print(f"  {name}: skipped ({type(e).__name__}: {e})", file=sys.stderr)
                skipped.add(name)
                continue
            best.setdefault(name, []).append(s)
    return best


def row(fmt, op, image, variant, tool, lang, threads, seconds, mpix, nbytes=None):
    return {"format": fmt, "op": op, "image": image, "variant": variant, "tool": tool, "lang": lang,
            "threads": threads, "seconds": seconds, "mpix_s": mpix / seconds, "bytes": nbytes, "mpix": mpix}


def codec_cases(rgb):
    """{(fmt, op): {tool: (fn, bytes or None)}} for the Python tools, and the inputs."""
    PIL = try_import("PIL.Image")
    cv2 = try_import("cv2")
    tifffile = try_import("tifffile")
    imagecodecs = try_import("imagecodecs")
    simplejpeg = try_import("simplejpeg")
    px_opts = {"jpeg": {"quality": 90, "subsampling": "420"}, "png": {}, "tiff": {"compression": "none"}}
    inputs = {fmt: pixcodec.encode(rgb, fmt, **o) for fmt, o in px_opts.items()}
    cases = {}
    for fmt, data in inputs.items():
        arr8 = np.frombuffer(data, np.uint8)
        dec = {PX: lambda data=data: pixcodec.decode(data)}
        if PIL:
            dec["pillow"] = lambda data=data: np.asarray(PIL.open(io.BytesIO(data)).convert("RGB"))
        if cv2:
            dec["opencv"] = lambda arr8=arr8: cv2.imdecode(arr8, cv2.IMREAD_UNCHANGED)
        if fmt == "tiff" and tifffile:
            dec["tifffile"] = lambda data=data: tifffile.imread(io.BytesIO(data))
        if imagecodecs:
            f = getattr(imagecodecs, {"jpeg": "jpeg8_decode", "png": "png_decode", "tiff": "tiff_decode"}[fmt], None)
            if f:
                dec["imagecodecs"] = lambda f=f, data=data: f(data)
        if fmt == "jpeg" and simplejpeg:
            dec["simplejpeg"] = lambda data=data: simplejpeg.decode_jpeg(data)
        cases[(fmt, "decode")] = dec

    enc = {fmt: {PX: lambda fmt=fmt: pixcodec.encode(rgb, fmt, **px_opts[fmt])} for fmt in inputs}
    if PIL:
        img = PIL.fromarray(rgb)

        def pil_save(**kw):
            b = io.BytesIO()
            img.save(b, **kw)
            return b.getvalue()

        enc["jpeg"]["pillow"] = lambda: pil_save(format="JPEG", quality=90, subsampling=2)
        enc["png"]["pillow"] = lambda: pil_save(format="PNG", compress_level=6)
        enc["tiff"]["pillow"] = lambda: pil_save(format="TIFF", compression="raw")
    if cv2:
        # OpenCV's PNG default is level 1 with the RLE strategy; asked for a level it uses
        # zlib's default strategy, as pixcodec and Pillow do.
        enc["jpeg"]["opencv"] = lambda: cv2.imencode(".jpg", rgb, [cv2.IMWRITE_JPEG_QUALITY, 90])[1]
        enc["png"]["opencv"] = lambda: cv2.imencode(".png", rgb, [cv2.IMWRITE_PNG_COMPRESSION, 6])[1]
        enc["tiff"]["opencv"] = lambda: cv2.imencode(".tiff", rgb, [cv2.IMWRITE_TIFF_COMPRESSION, 1])[1]
    if tifffile:
        def tf_write():
            b = io.BytesIO()
            tifffile.imwrite(b, rgb)
            return b.getvalue()

        enc["tiff"]["tifffile"] = tf_write
    if imagecodecs:
        enc["jpeg"]["imagecodecs"] = lambda: imagecodecs.jpeg8_encode(rgb, level=90, subsampling="420")
        enc["png"]["imagecodecs"] = lambda: imagecodecs.png_encode(rgb, level=6)
        if hasattr(imagecodecs, "tiff_encode"):
            enc["tiff"]["imagecodecs"] = lambda: imagecodecs.tiff_encode(rgb)
    if simplejpeg:
        enc["jpeg"]["simplejpeg"] = lambda: simplejpeg.encode_jpeg(rgb, quality=90, colorsubsampling="420")
    for fmt, tools in enc.items():
        cases[(fmt, "encode")] = tools
    return cases, inputs, px_opts


def codec_rows(args, work):
    rgb = photo(H, W)
    cases, inputs, px_opts = codec_cases(rgb)
    raw_path = os.path.join(work, "input-raw.tiff")  # the exact pixels, for the Rust encode rows
    with open(raw_path, "wb") as f:
        f.write(inputs["tiff"])
    rows, mpix = [], W * H / 1e6
    for (fmt, op), tools in cases.items():
        print(f"{op} {fmt}", file=sys.stderr)
        sizes = {}
        timers = {}
        # pixcodec-python and rust-api first and next to each other in every round (the order
        # is reversed every other round), so their per-round ratio compares like moments.
        for name, fn in tools.items():
            if op == "encode":
                try:
                    out = fn()
                    sizes[name] = len(out) if not isinstance(out, np.ndarray) else out.nbytes
                except Exception as e:
                    print(f"  {name}: skipped ({type(e).__name__}: {e})", file=sys.stderr)
                    continue
            timers[name] = lambda fn=fn: timeit(fn, args.budget)
            if name == PX and args.rust:
                if op == "decode":
                    path = os.path.join(work, f"input.{fmt}")
                    with open(path, "wb") as f:
                        f.write(inputs[fmt])
                    timers[RUST] = lambda path=path: rust_run(args.rust, "decode", path, args.budget)["seconds"]
                else:
                    kv = [f"{k}={v}" for k, v in px_opts[fmt].items()]
                    sizes[RUST] = rust_run(args.rust, "encode", raw_path, fmt, 0, *kv)["bytes"]
                    timers[RUST] = lambda fmt=fmt, kv=kv: rust_run(args.rust, "encode", raw_path, fmt, args.budget,
                                                                   *kv)["seconds"]
        for name, times in timed_rounds(timers, args.rounds).items():
            ours = name in (PX, RUST)
            for s in times:
                rows.append(row(fmt, op, IMAGE, VARIANT[fmt], name, "rust" if name == RUST else "python",
                                CORES if ours else 1, s, mpix, sizes.get(name)))
            print(f"  {name}: " + " ".join(f"{s * 1e3:.3f}" for s in times) + " ms", file=sys.stderr)

    # The GIL is released while decoding: two threads decode 2x the JPEGs in about the time one
    # thread decodes 1x (on 2 free cores). Informative, no target.
    jpeg = inputs["jpeg"]

    def two_threads():
        ts = [threading.Thread(target=lambda: [pixcodec.decode(jpeg) for _ in range(8)]) for _ in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    best = timed_rounds({"pixcodec-python 1 thread x8": lambda: timeit(lambda: [pixcodec.decode(jpeg) for _ in range(8)], args.budget),
                         "pixcodec-python 2 threads x8": lambda: timeit(two_threads, args.budget)}, args.rounds)
    for name, times in best.items():
        n = 8 if "1 thread" in name else 16
        for s in times:
            rows.append(row("jpeg", "decode threads", IMAGE, "python: 8 decodes per calling thread", name, "python",
                            CORES, s, mpix * n))
    return rows


def make_dataset(root, n_files, corpus):
    """n_files JPEGs 640x480 (q90 4:2:0) in two or four class folders, made once (a marker
    file says it is complete). With the corpus photos: bench/rust/ml.rs's recipe (each file a
    seeded random 4:3 crop of one of four photos, resized to 640x480, plus seeded noise of
    +-8 levels); without them, seeded photo-like synthetic images."""
    stamp = os.path.join(root, f".complete-{n_files}")
    if os.path.exists(stamp):
        return
    import shutil

    shutil.rmtree(root, ignore_errors=True)
    classes = ["kodim02", "kodim07", "kodim17", "kodim23"]
    photos = None
    if corpus and all(os.path.exists(os.path.join(corpus, "photos", c + ".png")) for c in classes):
        photos = [pixcodec.imread(os.path.join(corpus, "photos", c + ".png"))[..., :3] for c in classes]
        from PIL import Image
    for i in range(n_files):
        rng = np.random.default_rng(i)
        if photos is None:
            d = os.path.join(root, f"class{i % 2}")
            img = photo(480, 640, seed=i % 50)
        else:
            d = os.path.join(root, classes[i % 4])
            p = photos[i % 4]
            ph, pw = p.shape[:2]
            max_w = min(pw, ph * 4 // 3)
            cw = max(max_w // 2 + int(rng.integers(0, max_w // 2 + 1)), 8)
            ch = cw * 3 // 4
            x0, y0 = int(rng.integers(0, pw - cw + 1)), int(rng.integers(0, ph - ch + 1))
            crop = Image.fromarray(np.ascontiguousarray(p[y0:y0 + ch, x0:x0 + cw]))
            img = np.asarray(crop.resize((640, 480), Image.BILINEAR)).astype(np.int16)
            img = np.clip(img + rng.integers(-8, 9, img.shape), 0, 255).astype(np.uint8)
        os.makedirs(d, exist_ok=True)
        pixcodec.imwrite(os.path.join(d, f"{i:05d}.jpg"), img, quality=90, subsampling="420")
    open(stamp, "w").close()


def dataset_rows(args, work):
    n_files = args.files
    if args.dataset and os.path.exists(os.path.join(args.dataset, ".complete")):
        root = args.dataset  # bench/rust/ml.rs's files (make bench runs it first): the ML rows' inputs
        origin = "the ML rows' dataset (bench/rust/ml.rs)"
    else:
        root = os.path.join(work, f"dataset-{n_files}")
        make_dataset(root, n_files, args.corpus)
        origin = "made by bench.py"
    n_files = sum(f.lower().endswith(".jpg") for _, _, fs in os.walk(root) for f in fs)
    print(f"dataset: {n_files} files in {root} ({origin})", file=sys.stderr)
    image = f"{n_files} files 640x480 -> 224x224"
    variant = "python: batches of 32, no shuffle; mpix_s = images/s"
    # Indexing happens once, outside the timing, in every tool.
    ds = pk.image_dataset_from_directory(root, image_size=(224, 224), batch_size=32, shuffle=False, verbose=False)

    def px_epoch():
        n = 0
        for images, _ in ds:
            n += images.shape[0]
            del images  # hands the batch buffer back for reuse, as the Rust loop recycles
        assert n == n_files

    def median_of(fn):
        fn()  # warm-up
        times = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    timers = {PX: lambda: median_of(px_epoch)}
    if args.rust:
        timers[RUST] = lambda: rust_run(args.rust, "dataset", root, 224, 224, 32, args.repeats)["dataset_epoch_s"]
    keras_note = None
    if try_import("tensorflow") is not None and try_import("keras") is not None:
        import keras

        kds = keras.utils.image_dataset_from_directory(root, image_size=(224, 224), batch_size=32, shuffle=False,
                                                       verbose=False)

        def keras_epoch():
            n = 0
            for images, _ in kds:
                n += images.numpy().shape[0]
            assert n == n_files

        timers["keras"] = lambda: median_of(keras_epoch)
    else:
        keras_note = "TensorFlow/Keras not importable in this venv: no Keras row"
        print(keras_note, file=sys.stderr)
    print("dataset epoch", file=sys.stderr)
    rows = []
    for name, times in timed_rounds(timers, args.dataset_rounds).items():
        for s in times:
            rows.append(row("jpeg", "dataset epoch", image, variant, name, "rust" if name == RUST else "python",
                            CORES, s, float(n_files)))
        print(f"  {name}: " + " ".join(f"{s:.3f}" for s in times) + " s", file=sys.stderr)
    return rows, keras_note


def paired(rounds, a, b):
    """Median over rounds of (a's time in round k) / (b's time in round k): a and b ran back to
    back in each round, so each ratio compares the two under the same machine load (the
    2-core machine is shared; a best round of one tool can meet a bad round of the other)."""
    n = min(len(rounds[a]), len(rounds[b]))
    return statistics.median(rounds[a][k] / rounds[b][k] for k in range(n))


def targets(best_rows, rounds, keras_note):
    """rounds: {(format, op): {tool: [seconds per round]}}; best_rows: each tool's best round."""
    out = []
    best = {}
    for r in best_rows:
        best.setdefault((r["format"], r["op"]), {})[r["tool"]] = r
    for fmt in ("jpeg", "png", "tiff"):
        for op in ("decode", "encode"):
            tools = best.get((fmt, op), {})
            rt = rounds.get((fmt, op), {})
            px = tools.get(PX)
            if px is None:
                continue
            peers = [t for t in tools if t not in (PX, RUST)]
            name = f"Python pixcodec.{op} {fmt} ({VARIANT[fmt][8:]}) vs best Python peer"
            if peers:
                n = min(len(rt[t]) for t in peers + [PX])
                per_round = [min(rt[t][k] for t in peers) / rt[PX][k] for k in range(n)]
                b = min((tools[t] for t in peers), key=lambda r: r["seconds"])
                detail = (f"median over {n} rounds of (fastest peer / pixcodec-python) in the round; best rounds: "
                          f"{px['seconds'] * 1e3:.3f} ms vs {b['tool']} {b['seconds'] * 1e3:.3f} ms"
                          + (f"; bytes {px['bytes']} vs {b['bytes']}" if op == "encode" else ""))
                out.append({"target": name, "ratio": statistics.median(per_round), "goal": 1.0,
                            "higher_is_better": True, "detail": detail})
            rust = tools.get(RUST)
            name = f"Python pixcodec.{op} {fmt} ({VARIANT[fmt][8:]}) time / Rust API"
            if rust:
                out.append({"target": name, "ratio": paired(rt, PX, RUST), "goal": 1.03, "higher_is_better": False,
                            "detail": f"median over rounds of the per-round ratio; best rounds: "
                                      f"{px['seconds'] * 1e3:.3f} ms vs pixcodec::{op} {rust['seconds'] * 1e3:.3f} ms"})
            else:
                out.append({"target": name, "ratio": None, "goal": 1.03, "higher_is_better": False,
                            "detail": "Rust API not measured (no --rust)"})
    ds = best.get(("jpeg", "dataset epoch"), {})
    rt = rounds.get(("jpeg", "dataset epoch"), {})
    px = ds.get(PX)
    if px:
        rust = ds.get(RUST)
        out.append({"target": "Python keras.image_dataset_from_directory epoch time / Rust ml::Dataset",
                    "ratio": paired(rt, PX, RUST) if rust else None, "goal": 1.03,
                    "higher_is_better": False,
                    "detail": f"{px['image']}, batches of 32, defaults except shuffle=False; median of per-round "
                              "ratios; best rounds: "
                              + (f"{px['seconds']:.3f} s vs {rust['seconds']:.3f} s" if rust else "Rust not measured")})
        keras = ds.get("keras")
        out.append({"target": "Python pixcodec.keras.image_dataset_from_directory vs Keras' own (same process)",
                    "ratio": paired(rt, "keras", PX) if keras else None, "goal": 2.0,
                    "higher_is_better": True,
                    "detail": (f"median of per-round Keras / pixcodec epoch times; best rounds: {px['seconds']:.3f} s "
                               f"vs keras {keras['seconds']:.3f} s per epoch" if keras
                               else keras_note or "Keras not measured")})
    for t in out:
        if t["ratio"] is not None:
            t["ratio"] = round(t["ratio"], 4)
    return out


def table(rows, tgts, spread):
    lines = ["| op | format | tool | median ms | bytes | time / pixcodec-python | spread |",
             "|---|---|---|---:|---:|---:|---:|"]
    ours = {(r["op"], r["format"]): r["seconds"] for r in rows if r["tool"] == PX}
    for r in rows:
        base = ours.get((r["op"], r["format"]))
        ratio = f"{r['seconds'] / base:.3f}" if base else ""
        sp = spread.get((r["format"], r["op"], r["tool"]), 0.0)
        lines.append(f"| {r['op']} | {r['format']} | {r['tool']} | {r['seconds'] * 1e3:.3f} | {r['bytes'] or ''} "
                     f"| {ratio} | {sp * 100:.0f}% |")
    lines += ["", "| target | measured | goal | met | detail |", "|---|---:|---|---|---|"]
    for t in tgts:
        r, hib = t["ratio"], t["higher_is_better"]
        met = r is not None and (r >= t["goal"] if hib else r <= t["goal"])
        goal = (">= " if hib else "<= ") + str(t["goal"])
        lines.append(f"| {t['target']} | {'' if r is None else f'{r:.3f}'} | {goal} | {'yes' if met else '**no**'} | {t['detail']} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rust", help="the dataset_epoch example binary (the Rust API rows)")
    ap.add_argument("--rows", default="target/bench/rows-python.json")
    ap.add_argument("--work", default="target/bench/python", help="inputs (the dataset is kept here between runs)")
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--dataset", help="a folder of JPEGs with a .complete marker (bench/rust/ml.rs's); used when complete")
    ap.add_argument("--corpus", default=os.environ.get("PIXCODEC_CORPUS", "../shared/corpus"),
                    help="corpus folder whose photos/ make the dataset when --dataset is absent")
    ap.add_argument("--budget", type=float, default=float(os.environ.get("BENCH_BUDGET", "1.0")))
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "3")))
    ap.add_argument("--repeats", type=int, default=3, help="epochs per dataset median")
    ap.add_argument("--dataset-rounds", type=int, default=5, help="rounds of the dataset case")
    ap.add_argument("--only", choices=["codecs", "dataset"])
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    load_before = os.getloadavg()
    rows, keras_note = [], None
    if args.only != "dataset":
        rows += codec_rows(args, args.work)
    if args.only != "codecs":
        r, keras_note = dataset_rows(args, args.work)
        rows += r
    load_after = os.getloadavg()
    best = {}
    for r in rows:  # each tool's best round per case, as bench/report.py keeps
        k = (r["format"], r["op"], r["tool"])
        if k not in best or r["seconds"] < best[k]["seconds"]:
            best[k] = r
    spread = {}
    for r in rows:
        k = (r["format"], r["op"], r["tool"])
        spread[k] = max(spread.get(k, 0.0), r["seconds"] / best[k]["seconds"] - 1)
    best_rows = list(best.values())
    rounds = {}
    for r in rows:  # in round order
        rounds.setdefault((r["format"], r["op"]), {}).setdefault(r["tool"], []).append(r["seconds"])
    tgts = targets(best_rows, rounds, keras_note)
    versions = {}
    for name in ["numpy", "PIL", "cv2", "tifffile", "imagecodecs", "simplejpeg", "tensorflow", "keras"]:
        m = try_import(name)
        if m is not None:
            versions[name] = getattr(m, "__version__", "?")
    versions["pixcodec"] = pixcodec.__version__
    md = (table(best_rows, tgts, spread) + "\n\nVersions: " + ", ".join(f"{k} {v}" for k, v in versions.items())
          + f"\nLoad average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}; {CORES} cores\n")
    print(md)
    os.makedirs(os.path.dirname(os.path.abspath(args.rows)), exist_ok=True)
    with open(args.rows, "w") as f:
        json.dump(rows + tgts, f, indent=1)
    with open(os.path.join(args.work, "report.md"), "w") as f:
        f.write(md)


if __name__ == "__main__":
    main()
