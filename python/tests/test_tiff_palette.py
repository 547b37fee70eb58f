"""Palette TIFFs (PhotometricInterpretation 3) decode as palette PNGs do: RGB with the colour
map's values (U8 when every 16-bit ColorMap entry is a multiple of 257, else U16), checked
against tifffile's indices and colour map and against Pillow."""

import io
import os
import pathlib

import numpy as np
import pytest
import tifffile

import pixcodec as px

CORPUS = pathlib.Path(os.environ.get("PIXCODEC_CORPUS", pathlib.Path(__file__).parents[2] / ".." / "shared" / "corpus"))


def expected(data):
    with tifffile.TiffFile(io.BytesIO(data)) as t:
        page = t.pages[0]
        idx = page.asarray().astype(np.intp)
        cm = page.colormap
    rgb = np.moveaxis(cm[:, idx], 0, -1)
    if (cm % 257 == 0).all():
        return (rgb // 257).astype(np.uint8)
    return rgb.astype(np.uint16)


@pytest.mark.parametrize("eight_bit", [True, False])
@pytest.mark.parametrize("compression", [None, "deflate", "lzw"])
def test_generated_palette_tiffs(eight_bit, compression):
    rng = np.random.default_rng(5)
    idx = rng.integers(0, 256, size=(23, 31), dtype=np.uint8)
    cm = rng.integers(0, 65536, size=(3, 256), dtype=np.uint16)
    if eight_bit:
        cm = (cm >> 8) * 257
    buf = io.BytesIO()
    tifffile.imwrite(buf, idx, photometric="palette", colormap=cm, compression=compression)
    data = buf.getvalue()
    got = px.decode(data)
    want = expected(data)
    assert got.dtype == (np.uint8 if eight_bit else np.uint16)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got, np.moveaxis(cm[:, idx], 0, -1) // (257 if eight_bit else 1))
    assert px.probe(data).significant_bits is None
    if eight_bit:
        PIL = pytest.importorskip("PIL.Image")
        np.testing.assert_array_equal(got, np.asarray(PIL.open(io.BytesIO(data)).convert("RGB")))


@pytest.mark.parametrize(
    "name",
    [
        "palette-1c-1b.tiff",
        "palette-1c-4b.tiff",
        "palette-1c-8b.tiff",
        "seq/seq-1c-4b-palette-85108c5a.tiff",
        "seq/seq-1c-8b-palette-89b39bc3.tiff",
    ],
)
def test_corpus_palette_tiffs(name):
    path = CORPUS / "tiff" / name
    if not path.exists():
        pytest.skip(f"corpus not found at {path}")
    data = path.read_bytes()
    np.testing.assert_array_equal(px.decode(data), expected(data))
