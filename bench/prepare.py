"""Builds the inputs of `make bench`: arrays (.npy) and reference files every tool decodes.

Photos come from the corpus (``$PIXCODEC_CORPUS/photos``); the upscales to 1920x1080 and
4000x3000 are made here with Pillow's Lanczos filter. TIFF also gets U16 gray, U32 labels and
F32 and F16 fields; JPEG also gets a lossless 16-bit file of the U16 gray image (imagecodecs).
Writes ``<out>/manifest.json`` listing images and cases (format, op, image,
variant, options, and the reference file for decode cases).
"""

import io
import json
import os
import sys

import imagecodecs
import numpy as np
import tifffile
from PIL import Image

QUICK = os.environ.get("BENCH_QUICK") == "1"


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    photo = Image.open(os.path.join(corpus, "photos", "kodim23.png")).convert("RGB")
    sizes = {"photo": photo.size, "1920x1080": (1920, 1080), "4000x3000": (4000, 3000)}
    if QUICK:
        sizes.pop("4000x3000")
    images, cases = {}, []

    def add_image(name, arr):
        path = os.path.join(out, name + ".npy")
        np.save(path, np.ascontiguousarray(arr))
        h, w = arr.shape[:2]
        images[name] = {"npy": path, "width": w, "height": h, "dtype": str(arr.dtype),
                        "channels": 1 if arr.ndim == 2 else arr.shape[2]}

    def ref(name, data):
        path = os.path.join(out, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    for label, (w, h) in sizes.items():
        img = photo if (w, h) == photo.size else photo.resize((w, h), Image.LANCZOS)
        name = f"rgb8_{w}x{h}"
        add_image(name, np.asarray(img))
        b = io.BytesIO()
        img.save(b, "JPEG", quality=90, subsampling=2)  # 4:2:0 baseline
        jpg = ref(name + ".jpg", b.getvalue())
        b = io.BytesIO()
        img.save(b, "PNG", compress_level=6)
        png = ref(name + ".png", b.getvalue())
        cases.append(dict(format="jpeg", op="decode", image=name, variant="q90-420", file=jpg, opts={}))
        cases.append(dict(format="jpeg", op="encode", image=name, variant="q90-420",
                          opts={"quality": 90, "subsampling": "420"}))
        cases.append(dict(format="png", op="decode", image=name, variant="level6", file=png, opts={}))
        cases.append(dict(format="png", op="encode", image=name, variant="level6",
                          opts={"level": 6, "filter": "adaptive"}))
        cases.append(dict(format="png", op="encode", image=name, variant="fast",
                          opts={"level": 1, "filter": "up"}))

    # TIFF data: photos plus scientific arrays.
    side = (2048, 1536) if not QUICK else (1024, 768)
    base = np.asarray(photo.resize(side, Image.LANCZOS)).astype(np.float32)
    lum = base @ np.array([0.299, 0.587, 0.114], np.float32)
    rng = np.random.default_rng(1)
    gray16 = np.clip(lum * 257 + rng.normal(0, 40, lum.shape), 0, 65535).astype(np.uint16)
    yy, xx = np.mgrid[0:side[1], 0:side[0]]
    labels = ((yy // 97) * 64 + (xx // 131)).astype(np.uint32) * 7 + (lum > 128)
    field = (np.sin(xx / 91.0) * np.cos(yy / 57.0) * 1000 + lum).astype(np.float32)
    tiff_images = {f"gray16_{side[0]}x{side[1]}": gray16, f"labels32_{side[0]}x{side[1]}": labels,
                   f"field32f_{side[0]}x{side[1]}": field,
                   # Half floats (|values| < 1300, inside float16's range): issue 17's F16 rows.
                   f"field16f_{side[0]}x{side[1]}": field.astype(np.float16)}
    for name, arr in tiff_images.items():
        add_image(name, arr)
    # Lossless 16-bit JPEG (SOF3, predictor 1) of the 16-bit gray image, written by imagecodecs.
    gname = f"gray16_{side[0]}x{side[1]}"
    ljpg = ref(gname + "_lossless.jpg", bytes(imagecodecs.jpeg8_encode(gray16, lossless=True, predictor=1,
                                                                        bitspersample=16)))
    cases.append(dict(format="jpeg", op="decode", image=gname, variant="lossless16", file=ljpg, opts={}))
    cases.append(dict(format="jpeg", op="encode", image=gname, variant="lossless16",
                      opts={"lossless": True, "predictor": 1}))
    tiff_names = ["rgb8_1920x1080"] + list(tiff_images)
    if not QUICK:
        tiff_names.insert(1, "rgb8_4000x3000")
    for name in tiff_names:
        arr = np.load(images[name]["npy"])
        is_float = arr.dtype.kind == "f"
        variants = [("none", None, False), ("lzw", "lzw", False), ("deflate", "zlib", False)]
        if not is_float and not name.startswith("rgb8_4000"):
            variants += [("lzw-pred", "lzw", True), ("deflate-pred", "zlib", True)]
        if arr.dtype == np.float16:
            # tifffile's predictor=True on floats is the floating-point predictor (3), as pixcodec's.
            variants = [("none", None, False), ("deflate", "zlib", False), ("deflate-pred", "zlib", True)]
        for variant, comp, pred in variants:
            b = io.BytesIO()
            kw = {}
            if comp == "zlib":
                kw["compression"] = "zlib"
                kw["compressionargs"] = {"level": 6}
            elif comp:
                kw["compression"] = comp
            if pred:
                kw["predictor"] = True
            photometric = "rgb" if arr.ndim == 3 else "minisblack"
            # Strips of ~256 KiB (as pixcodec writes them) so readers can spread them over cores.
            row = arr.shape[1] * arr.itemsize * (arr.shape[2] if arr.ndim == 3 else 1)
            tifffile.imwrite(b, arr, photometric=photometric, rowsperstrip=max(1, (1 << 18) // row), **kw)
            path = ref(f"{name}_{variant}.tif", b.getvalue())
            tiff_opts = {"compression": "deflate" if comp == "zlib" else (comp or "none"), "predictor": pred}
            if comp == "zlib":
                tiff_opts["level"] = 6
            cases.append(dict(format="tiff", op="decode", image=name, variant=variant, file=path, opts={}))
            cases.append(dict(format="tiff", op="encode", image=name, variant=variant, opts=tiff_opts))
    # 12-bit packed samples (issue 17), as cameras and microscopes write them: tifffile packs
    # them too (uncompressed; it cannot compress packed samples).
    name12 = f"gray12_{side[0]}x{side[1]}"
    add_image(name12, (gray16 >> 4).astype(np.uint16))
    arr12 = np.load(images[name12]["npy"])
    b = io.BytesIO()
    tifffile.imwrite(b, arr12, photometric="minisblack", bitspersample=12,
                     rowsperstrip=max(1, (1 << 18) // (arr12.shape[1] * 2)))
    path = ref(f"{name12}_packed12.tif", b.getvalue())
    cases.append(dict(format="tiff", op="decode", image=name12, variant="packed12", file=path, opts={}))
    cases.append(dict(format="tiff", op="encode", image=name12, variant="packed12",
                      opts={"compression": "none", "predictor": False, "significant_bits": 12}))
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"images": images, "cases": cases}, f, indent=1)
    print(f"prepared {len(images)} images, {len(cases)} cases in {out}")


if __name__ == "__main__":
    main()
