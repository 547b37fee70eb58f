"""examples/python/dask_convert.py on a small generated tree, on a real LocalCluster."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pixcodec as px
from pixcodec import keras as pk

pytest.importorskip("distributed")
SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "python" / "dask_convert.py"


def run(*args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    p = subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    return p


def test_tree_to_lzw_tiff_is_pixel_exact(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    rng = np.random.default_rng(0)
    arrays = {
        "a/u8.png": rng.integers(0, 256, (20, 30, 3), dtype=np.uint8),
        "a/b/u16.png": rng.integers(0, 65536, (9, 7), dtype=np.uint16),
        "f32.tif": rng.standard_normal((5, 6)).astype(np.float32),
        "c/labels.tiff": rng.integers(0, 2**32, (8, 8), dtype=np.uint32),
        "c/rgba.png": rng.integers(0, 256, (4, 5, 4), dtype=np.uint8),
    }
    for rel, a in arrays.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        px.imwrite(src / rel, a)
    run(src, dst, "--job", "tiff", "--workers", "2")
    manifest = json.loads((dst / "manifest.json").read_text())
    assert manifest["inputs"] == manifest["outputs"] == len(arrays)
    for rel, a in arrays.items():
        out = dst / (os.path.splitext(rel)[0] + ".tif")
        info = px.probe(out)
        assert info.codec == "tiff"
        back = px.imread(out)
        assert back.dtype == a.dtype and back.tobytes() == a.tobytes()


def test_jpegs_to_npy_batches_equal_load_img(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    rng = np.random.default_rng(1)
    rels = []
    for i in range(5):
        rel = f"k{i % 2}/img{i}.jpg"
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        px.imwrite(src / rel, rng.integers(0, 256, (40, 50, 3), dtype=np.uint8), quality=90)
        rels.append(rel)
    run(src, dst, "--job", "npy", "--size", "16x24", "--batch", "2", "--workers", "2")
    manifest = json.loads((dst / "manifest.json").read_text())
    got = [(r["out"], r["files"]) for r in manifest["results"]]
    assert sum(len(f) for _, f in got) == 5
    for out, files in got:
        batch = np.load(out)
        assert batch.shape == (len(files), 16, 24, 3) and batch.dtype == np.uint8
        for img, rel in zip(batch, files):
            assert np.array_equal(img, pk.load_img(src / rel, target_size=(16, 24)))
