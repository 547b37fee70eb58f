"""The Python peers of `make bench`: Pillow, OpenCV, simplejpeg, imagecodecs and tifffile on
the cases of ``manifest.json``, timed with the rule of ``bench/rust/report.rs`` (one warm-up,
then repeats until BENCH_BUDGET seconds, at least 3, at most 200; the median).

Usage: python peers.py MANIFEST OUT.json
"""

import io
import json
import os
import statistics
import sys
import time

import cv2
import imagecodecs
import numpy as np
import simplejpeg
import tifffile
from PIL import Image

BUDGET = float(os.environ.get("BENCH_BUDGET", "1.0"))
ONLY = os.environ.get("BENCH_ONLY")
cv2.setNumThreads(1)


def timed(f):
    f()
    runs, start = [], time.perf_counter()
    while len(runs) < 3 or (time.perf_counter() - start < BUDGET and len(runs) < 200):
        t = time.perf_counter()
        f()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def jpeg_tools(op, arr, data, variant):
    if variant.startswith("lossless"):
        # Lossless 16-bit JPEG: imagecodecs (libjpeg-turbo 3) is the peer that reads and writes it.
        if op == "decode":
            yield "imagecodecs", lambda: imagecodecs.jpeg8_decode(data), None
        else:
            enc = lambda: bytes(imagecodecs.jpeg8_encode(arr, lossless=True, predictor=1, bitspersample=16))
            yield "imagecodecs", enc, enc
        return
    if op == "decode":
        yield "pillow", lambda: np.asarray(Image.open(io.BytesIO(data)).convert("RGB")), None
        yield "opencv", lambda: cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED), None
        yield "simplejpeg", lambda: simplejpeg.decode_jpeg(data, colorspace="RGB"), None
        yield "imagecodecs", lambda: imagecodecs.jpeg8_decode(data), None
    else:
        img = Image.fromarray(arr)

        def pil():
            b = io.BytesIO()
            img.save(b, "JPEG", quality=90, subsampling=2)
            return b.getvalue()

        bgr = cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)  # OpenCV takes BGR; conversion not timed
        yield "pillow", pil, pil
        enc = lambda: cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
        yield "opencv", enc, enc
        enc2 = lambda: simplejpeg.encode_jpeg(arr, quality=90, colorspace="RGB", colorsubsampling="420")
        yield "simplejpeg", enc2, enc2
        enc3 = lambda: bytes(imagecodecs.jpeg8_encode(arr, level=90, subsampling="420"))
        yield "imagecodecs", enc3, enc3


def png_tools(op, arr, data, variant):
    level = 1 if variant == "fast" else 6
    if op == "decode":
        yield "pillow", lambda: np.asarray(Image.open(io.BytesIO(data))), None
        yield "opencv", lambda: cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED), None
        yield "imagecodecs-png", lambda: imagecodecs.png_decode(data), None
        if hasattr(imagecodecs, "spng_decode"):
            yield "imagecodecs-spng", lambda: imagecodecs.spng_decode(data), None
    else:
        img = Image.fromarray(arr)

        def pil():
            b = io.BytesIO()
            img.save(b, "PNG", compress_level=level)
            return b.getvalue()

        bgr = cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)
        yield "pillow", pil, pil
        enc = lambda: cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, level])[1].tobytes()
        yield "opencv", enc, enc
        enc2 = lambda: bytes(imagecodecs.png_encode(arr, level=level))
        yield "imagecodecs-png", enc2, enc2


def tiff_tools(op, arr, data, opts):
    if op == "decode":
        yield "tifffile-1thread", lambda: tifffile.imread(io.BytesIO(data), maxworkers=1), None
        yield "tifffile-2threads", lambda: tifffile.imread(io.BytesIO(data), maxworkers=2), None
        yield "imagecodecs-libtiff", lambda: imagecodecs.tiff_decode(data), None
        if arr.dtype == np.uint8 and arr.ndim == 3:
            yield "pillow", lambda: np.asarray(Image.open(io.BytesIO(data))), None
    else:
        comp = opts["compression"]
        kw = {}
        if comp == "deflate":
            kw = {"compression": "zlib", "compressionargs": {"level": 6}}
        elif comp == "lzw":
            kw = {"compression": "lzw"}
        if opts.get("predictor"):
            kw["predictor"] = True
        if opts.get("significant_bits"):
            kw["bitspersample"] = opts["significant_bits"]
        photometric = "rgb" if arr.ndim == 3 else "minisblack"
        for name, workers in (("tifffile-1thread", 1), ("tifffile-2threads", 2)):
            def enc(workers=workers):
                b = io.BytesIO()
                # Strips of ~256 KiB, as pixcodec writes, so both can spread strips over cores.
                rps = max(1, (1 << 18) // (arr.shape[1] * arr.itemsize * (arr.shape[2] if arr.ndim == 3 else 1)))
                tifffile.imwrite(b, arr, photometric=photometric, maxworkers=workers, rowsperstrip=rps, **kw)
                return b.getvalue()
            yield name, enc, enc
        if arr.dtype == np.uint8 and arr.ndim == 3:
            img = Image.fromarray(arr)
            pil_comp = {"none": None, "lzw": "tiff_lzw", "deflate": "tiff_adobe_deflate"}[comp]
            if not opts.get("predictor"):
                def pil():
                    b = io.BytesIO()
                    img.save(b, "TIFF", compression=pil_comp)
                    return b.getvalue()
                yield "pillow", pil, pil


def main():
    manifest = json.load(open(sys.argv[1]))
    rows = []
    arrays = {}
    for case in manifest["cases"]:
        fmt, op, name, variant = case["format"], case["op"], case["image"], case["variant"]
        if ONLY and ONLY not in fmt:
            continue
        if name not in arrays:
            arrays[name] = np.load(manifest["images"][name]["npy"])
        arr = arrays[name]
        data = open(case["file"], "rb").read() if "file" in case else None
        mpix = arr.shape[0] * arr.shape[1] / 1e6
        tools = {"jpeg": lambda: jpeg_tools(op, arr, data, variant),
                 "png": lambda: png_tools(op, arr, data, variant),
                 "tiff": lambda: tiff_tools(op, arr, data, case["opts"])}[fmt]()
        for tool, f, produce in tools:
            try:
                secs = timed(f)
                size = len(produce()) if produce else 0
                if op == "decode" and (fmt != "jpeg" or variant.startswith("lossless")):
                    got = np.asarray(f())
                    if tool != "opencv" and got.shape == arr.shape and not np.array_equal(got, arr):
                        print(f"warning: {tool} decoded {name} {variant} differently", file=sys.stderr)
            except Exception as e:  # a peer that cannot do this case is left out, and said so
                print(f"{fmt} {op} {name} {variant} {tool}: skipped ({type(e).__name__}: {e})", file=sys.stderr)
                continue
            print(f"{fmt:5} {op:6} {name:22} {variant:13} {tool:20} {mpix / secs:8.1f} MP/s", file=sys.stderr)
            rows.append(dict(format=fmt, op=op, image=name, variant=variant, tool=tool, lang="python",
                             threads=2 if "2threads" in tool else 1, seconds=secs, mpix_s=mpix / secs,
                             bytes=size, mpix=mpix))
    json.dump(rows, open(sys.argv[2], "w"), indent=1)


if __name__ == "__main__":
    main()
