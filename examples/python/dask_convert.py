"""Convert a directory tree of images with pixcodec on a Dask cluster, pixel-exact.

Two jobs:

- ``tiff``: every PNG/TIFF/… under SRC becomes an LZW TIFF under DST (same relative path,
  ``.tif``), in the file's own dtype and channels; each worker re-reads what it wrote and
  checks it is bit-equal to what it read.
- ``npy``: every JPEG/PNG becomes one ``(H, W, 3)`` array at ``--size`` (Keras' ``load_img``
  pixels, nearest by default), stacked into ``.npy`` batches of ``--batch`` images.

    python examples/python/dask_convert.py SRC DST [--job tiff|npy] [--workers 2]

It starts a ``distributed.LocalCluster`` (one process per worker, one thread each: pixcodec
releases the GIL, so threads would also scale). The same ``convert_one`` / ``load_batch``
functions run unchanged on a multi-machine cluster: start ``dask scheduler`` on one host and
``dask worker tcp://HOST:8786`` on the others (each with ``pip install pixcodec``, and SRC/DST
on a shared file system), then pass ``--scheduler tcp://HOST:8786`` instead of using the local
cluster. On Ray, ``ray.data.from_items(paths).map(convert_one)`` runs the same function.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

import pixcodec
from pixcodec import keras as pk

EXTENSIONS = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp", ".gif", ".npy")


def find_images(src: str) -> list[str]:
    """Every image file under ``src``, as paths relative to it, sorted."""
    out = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            if f.lower().endswith(EXTENSIONS):
                out.append(os.path.relpath(os.path.join(root, f), src))
    return out


def convert_one(rel: str, src: str, dst: str) -> dict:
    """Reads one file, writes it as an LZW TIFF (atomically) and checks the round trip."""
    arr = pixcodec.imread(os.path.join(src, rel))
    out = os.path.join(dst, os.path.splitext(rel)[0] + ".tif")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    report = pixcodec.imwrite(out, arr, compression="lzw", require_exact=True)
    back = pixcodec.imread(out)
    exact = back.dtype == arr.dtype and back.shape == arr.shape and back.tobytes() == arr.tobytes()
    if not exact:
        raise RuntimeError(f"{rel}: the TIFF does not read back bit-equal")
    return {"file": rel, "out": out, "dtype": str(arr.dtype), "shape": list(arr.shape), "bytes": report.bytes}


def load_batch(index: int, rels: list[str], src: str, dst: str, size: tuple[int, int], interpolation: str) -> dict:
    """Loads ``rels`` as Keras' ``load_img(target_size=size)`` would and saves one .npy batch."""
    batch = np.stack([pk.load_img(os.path.join(src, r), target_size=size, interpolation=interpolation) for r in rels])
    out = os.path.join(dst, f"batch_{index:05d}.npy")
    tmp = out + ".tmp.npy"
    np.save(tmp, batch)
    os.replace(tmp, out)
    return {"out": out, "files": rels, "shape": list(batch.shape)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--job", choices=["tiff", "npy"], default="tiff")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scheduler", help="address of an existing Dask scheduler (default: a LocalCluster)")
    ap.add_argument("--size", default="224x224", help="HxW for --job npy")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--interpolation", default="nearest")
    args = ap.parse_args(argv)

    import dask.bag as db
    from distributed import Client, LocalCluster

    rels = find_images(args.src)
    if not rels:
        print(f"no images under {args.src}", file=sys.stderr)
        return 1
    os.makedirs(args.dst, exist_ok=True)
    if args.scheduler:
        client, cluster = Client(args.scheduler), None
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        if args.job == "tiff":
            bag = db.from_sequence(rels, npartitions=max(1, min(len(rels), 4 * args.workers)))
            results = bag.map(convert_one, src=args.src, dst=args.dst).compute()
        else:
            h, w = (int(v) for v in args.size.lower().split("x"))
            chunks = [rels[i : i + args.batch] for i in range(0, len(rels), args.batch)]
            bag = db.from_sequence(list(enumerate(chunks)), npartitions=max(1, len(chunks)))
            results = bag.map(
                lambda ic: load_batch(ic[0], ic[1], args.src, args.dst, (h, w), args.interpolation)
            ).compute()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    summary = {"job": args.job, "inputs": len(rels), "outputs": len(results), "results": results}
    with open(os.path.join(args.dst, "manifest.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"{args.job}: {len(rels)} files -> {len(results)} outputs in {args.dst}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
