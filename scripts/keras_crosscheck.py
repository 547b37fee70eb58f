#!/usr/bin/env python3
"""Cross-check `pixcodec load` / `pixcodec dataset` against Keras.

Runs only when keras (and, for the dataset part, tensorflow) is importable; it is not part of
`make test`. Usage:

    KERAS_BACKEND=tensorflow python3 scripts/keras_crosscheck.py [path/to/pixcodec]

The binary defaults to target/release/pixcodec, then target/debug/pixcodec. Exit status 0 when
every check holds, 1 otherwise, 0 with a "skipped" line when keras is not installed.
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from PIL import Image
    import keras
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(0)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else None
if BIN is None:
    for cand in ("target/release/pixcodec", "target/debug/pixcodec"):
        base = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
        p = os.path.join(base, cand.split("/", 1)[1])
        if os.path.exists(p):
            BIN = p
            break
if BIN is None:
    print("build the CLI first: cargo build --release -p pixcodec-cli")
    sys.exit(1)

failures = []


def check(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}")
    if not ok:
        failures.append(name)


def pix(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"pixcodec {' '.join(args)}: {r.stderr}")
    return r.stdout


def picture(h, w, c, seed):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    chans = [
        (xx * 255 // max(w - 1, 1)),
        (yy * 255 // max(h - 1, 1)),
        ((xx * 7 + yy * 13) % 256),
        rng.integers(0, 256, (h, w)),
    ]
    a = np.stack(chans[:c], -1) + rng.integers(-20, 20, (h, w, c))
    return np.clip(a, 0, 255).astype(np.uint8)


tmp = tempfile.mkdtemp()
files = {}
for name, (h, w, c, ext) in {
    "rgb": (123, 201, 3, "png"),
    "rgba": (77, 64, 4, "png"),
    "gray": (50, 91, 1, "png"),
    "photo": (480, 640, 3, "jpg"),
}.items():
    a = picture(h, w, c, len(name))
    img = Image.fromarray(a[..., 0] if c == 1 else a)
    p = os.path.join(tmp, f"{name}.{ext}")
    img.save(p, quality=90) if ext == "jpg" else img.save(p)
    files[name] = p

# ---------------------------------------------------------------- load vs load_img
from keras.utils import img_to_array, load_img  # noqa: E402

for name, path in files.items():
    for mode in ("rgb", "grayscale", "rgba"):
        for size, interp, keep in [
            (None, "nearest", False),
            ((224, 224), "nearest", False),
            ((224, 224), "bilinear", False),
            ((37, 53), "nearest", False),
            ((37, 53), "bilinear", False),
            ((100, 60), "bilinear", True),
            ((33, 47), "nearest", True),
        ]:
            ref = img_to_array(
                load_img(path, color_mode=mode, target_size=size, interpolation=interp, keep_aspect_ratio=keep)
            )
            out = os.path.join(tmp, "o.npy")
            args = ["load", path, "-o", out, "--color-mode", "gray" if mode == "grayscale" else mode]
            args += ["--interpolation", interp, "--no-shrink"]
            if size:
                args += ["--target-size", f"{size[0]}x{size[1]}"]
            if keep:
                args += ["--fit", "keep"]
            pix(*args)
            got = np.load(out)
            label = f"load {name} {mode} size={size} {interp} keep={keep}"
            if got.shape != ref.shape:
                check(label, False, f"shape {got.shape} != {ref.shape}")
                continue
            limit = 0.0 if size is None else 1.0
            if mode == "rgba" and size is not None:
                # Pillow resizes RGBA through 8-bit premultiplied "RGBa": under low alpha a
                # one-level filter difference becomes up to 255/alpha levels of colour, so
                # compare the premultiplied colour and the alpha channel.
                pg, pr = got[..., :3] * got[..., 3:] / 255.0, ref[..., :3] * ref[..., 3:] / 255.0
                diff = max(float(np.abs(pg - pr).max()), float(np.abs(got[..., 3] - ref[..., 3]).max()))
                label += " (premultiplied)"
                limit = 2.0  # one level before the division, one from its truncation
            else:
                diff = float(np.abs(got - ref).max())
            check(label, diff <= limit, f"max |diff| = {diff:g} (allowed {limit:g})")

# Shrink-on-load vs Keras (informational: a different, DCT-domain downscale).
ref = img_to_array(load_img(files["photo"], target_size=(224, 224), interpolation="bilinear"))
out = os.path.join(tmp, "s.npy")
# Tolerance 0: the 1/2 scale (320x240, 1.07x the output) is below the 1.25x that antialiased
# bilinear needs for the default 40 dB, so the default would decode at full size.
pix("load", files["photo"], "-o", out, "--target-size", "224x224", "--interpolation", "bilinear", "--shrink",
    "--shrink-min-psnr", "0")
d = np.load(out) - ref
psnr = 10 * np.log10(255.0**2 / float((d**2).mean()))
print(f"info shrink-on-load 640x480 JPEG -> 224x224 vs Keras: max |diff| {np.abs(d).max():g}, PSNR {psnr:.1f} dB")

# ---------------------------------------------------------------- datasets
try:
    import tensorflow as tf  # noqa: F401
except ImportError:
    print("skipped dataset checks: tensorflow is not installed")
    tf = None

if tf is not None:
    from keras.utils import image_dataset_from_directory

    root = os.path.join(tmp, "tree")
    layout = {"zebra": 5, "Apple": 4, "cat": 7, "cat/inner": 3, ".hidden": 2, "b10": 3, "b9": 2}
    k = 0
    for sub, n in layout.items():
        os.makedirs(os.path.join(root, sub), exist_ok=True)
        for i in range(n):
            k += 1
            h, w = 30 + (k * 37) % 90, 30 + (k * 53) % 110
            a = picture(h, w, 3, k)
            ext = ["png", "jpg", "JPG", "jpeg"][k % 4]
            Image.fromarray(a).save(os.path.join(root, sub, f"f{(k * 7) % 23}_{i}.{ext}"), quality=95)
    with open(os.path.join(root, "cat", "notes.txt"), "w") as f:
        f.write("not an image")

    def keras_set(**kw):
        return image_dataset_from_directory(root, verbose=False, **kw)

    def pix_list(*extra):
        lines = pix("dataset", root, "--list", "--image-size", "32x40", *extra).splitlines()
        rows = [l.split("\t") for l in lines if "\t" in l]
        return [r[1] for r in rows], [int(r[0]) if r[0] else None for r in rows], lines

    # shuffle=False: class names, order, labels.
    ds = keras_set(shuffle=False, image_size=(32, 40), batch_size=8)
    paths, labels, lines = pix_list()
    check("dataset class names", ds.class_names == sorted(ds.class_names) and lines[0].startswith(f"Found {len(ds.file_paths)} files belonging to {len(ds.class_names)} classes."), str(ds.class_names))
    check("dataset file order (shuffle=False)", paths == list(ds.file_paths), f"{len(paths)} files")
    klabels = np.concatenate([y.numpy() for _, y in ds])
    check("dataset labels (shuffle=False)", list(klabels) == labels)

    # Pixel agreement of the batches (bilinear, no antialias, float32).
    out = os.path.join(tmp, "batches")
    pix("dataset", root, "--image-size", "32x40", "--batch-size", "8", "--no-shrink", "--out", out)
    worst = {"png": 0.0, "jpeg": 0.0}
    n = 0
    for i, (x, y) in enumerate(ds):
        got = np.load(os.path.join(out, f"images_{i:05}.npy"))
        for k in range(got.shape[0]):
            kind = "png" if ds.file_paths[n].endswith("png") else "jpeg"
            worst[kind] = max(worst[kind], float(np.abs(got[k] - x.numpy()[k]).max()))
            n += 1
        check(f"dataset batch {i} labels", (np.load(os.path.join(out, f"labels_{i:05}.npy")) == y.numpy()).all())
    # TensorFlow's resize_bilinear arithmetic: the batches equal Keras' to the bit.
    check("dataset PNG pixels vs tf.image.resize bilinear", worst["png"] == 0.0, f"max |diff| = {worst['png']:g}")
    # TensorFlow decodes JPEG with libjpeg's fast integer IDCT (decode_jpeg's default
    # dct_method), and so does `pixcodec dataset` by default (--dct-method fast).
    check("dataset JPEG pixels vs TensorFlow (fast IDCT on both sides)", worst["jpeg"] == 0.0,
          f"max |diff| = {worst['jpeg']:g}")
    out_acc = os.path.join(tmp, "batches-accurate")
    pix("dataset", root, "--image-size", "32x40", "--batch-size", "8", "--dct-method", "accurate", "--out", out_acc)
    acc = max(float(np.abs(np.load(os.path.join(out_acc, f"images_{i:05}.npy"))
                           - np.load(os.path.join(out, f"images_{i:05}.npy"))).max()) for i in range(len(ds)))
    print(f"info dataset JPEG pixels, --dct-method accurate vs fast: max |diff| = {acc:g}")

    # Seeded shuffle and split: same membership and order of the file lists.
    for subset in ("training", "validation"):
        kd = keras_set(shuffle=True, seed=1337, validation_split=0.2, subset=subset, image_size=(32, 40))
        p, _, lines = pix_list("--shuffle", "--seed", "1337", "--validation-split", "0.2", "--subset", subset)
        check(f"dataset split {subset}: size", len(p) == len(kd.file_paths), f"{len(p)} vs {len(kd.file_paths)}")
        check(f"dataset split {subset}: files (NumPy RandomState order)", p == list(kd.file_paths))

    # Explicit class names and categorical labels.
    kd = keras_set(shuffle=False, class_names=["zebra", "Apple"], label_mode="categorical", image_size=(32, 40))
    p, l, _ = pix_list("--class-names", "zebra,Apple")
    check("dataset class_names order", p == list(kd.file_paths) and kd.class_names == ["zebra", "Apple"])

print(f"{len(failures)} failed" if failures else "all checks passed")
sys.exit(1 if failures else 0)
