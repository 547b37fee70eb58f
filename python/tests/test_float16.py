"""numpy float16 (pixcodec's F16 sample type) in and out, against numpy and tifffile: npy
bytes identical to numpy.save, TIFF files read by tifffile and tifffile's files read by
pixcodec (both byte orders, with and without the floating-point predictor), bit for bit,
special values (signed zeros, subnormals, 65504, infinities, NaN payloads) included."""

import io
import os
import pathlib

import numpy as np
import pytest

import pixcodec as px

# +0, -0, smallest and largest subnormal, smallest normal, 1, -2.5, 65504, -65504, +inf,
# -inf, quiet NaN, NaN with a payload.
SPECIAL = np.array(
    [0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x3C00, 0xC100, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x7E00, 0x7D01],
    dtype=np.uint16,
)


def halves(shape, seed=0):
    """Random finite halves with the special values spread over every third sample."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 1 << 16, size=shape, dtype=np.uint16)
    bits[(bits & 0x7C00) == 0x7C00] &= 0xBFFF  # no random inf/NaN
    flat = bits.reshape(-1)
    flat[::3] = np.resize(SPECIAL, flat[::3].shape)
    return bits.view(np.float16)


def same_bits(a, b):
    return a.dtype == b.dtype == np.float16 and a.shape == b.shape and np.array_equal(a.view(np.uint16), b.view(np.uint16))


@pytest.mark.parametrize("shape", [(6, 7), (5, 4, 3), (3, 8, 4)])
def test_npy_bytes_equal_numpy_save_and_decode_back(shape):
    a = halves(shape, seed=len(shape))
    data = px.encode(a, "npy")
    ref = io.BytesIO()
    np.save(ref, a)
    assert data == ref.getvalue()
    back = px.decode(data)
    assert same_bits(back, a)
    info = px.probe(data)
    assert info.dtype == "float16"


def test_big_endian_npy_decodes_to_native_float16():
    a = halves((4, 5), seed=7)
    ref = io.BytesIO()
    np.save(ref, a.astype(">f2"))
    back = px.decode(ref.getvalue())
    assert back.dtype == np.dtype("float16") and back.dtype.isnative
    assert same_bits(back, a)


@pytest.mark.parametrize("layout", ["gray", "rgb", "rgba"])
@pytest.mark.parametrize("compression", ["none", "lzw", "deflate"])
@pytest.mark.parametrize("predictor", [False, True])
def test_pixcodec_tiff_read_by_tifffile(layout, compression, predictor):
    tifffile = pytest.importorskip("tifffile")
    shape = {"gray": (37, 29), "rgb": (37, 29, 3), "rgba": (37, 29, 4)}[layout]
    a = halves(shape, seed=3)
    data = px.encode(a, "tiff", compression=compression, predictor=predictor)
    with tifffile.TiffFile(io.BytesIO(data)) as tf:
        page = tf.pages[0]
        assert page.bitspersample == 16 and page.sampleformat == 3
        # The predictor applies with compression only (libtiff ignores it on raw strips).
        assert int(page.predictor) == (3 if predictor and compression != "none" else 1)
        got = page.asarray()
    assert same_bits(got, a)
    assert same_bits(px.decode(data), a)


@pytest.mark.parametrize("byteorder", ["<", ">"])
# tifffile refuses predictor 2 on floats; the corpus' *-pred2 files cover it.
@pytest.mark.parametrize("predictor", [None, 3])
@pytest.mark.parametrize("tile", [None, (16, 16)])
def test_tifffile_float16_read_by_pixcodec(byteorder, predictor, tile):
    tifffile = pytest.importorskip("tifffile")
    a = halves((40, 33, 3), seed=11)
    buf = io.BytesIO()
    kw = {"compression": "zlib", "predictor": predictor} if predictor else {}
    tifffile.imwrite(buf, a, byteorder=byteorder, photometric="rgb", tile=tile, **kw)
    back = px.decode(buf.getvalue())
    assert same_bits(back, a)
    # and tifffile agrees with itself on what it wrote
    assert same_bits(tifffile.imread(io.BytesIO(buf.getvalue())), a)


def _corpus_tiff():
    base = pathlib.Path(os.environ.get("PIXCODEC_CORPUS", pathlib.Path(__file__).parents[2] / "../shared/corpus"))
    d = base / "tiff"
    if not d.is_dir():
        pytest.skip(f"corpus not found at {d}")
    return d


@pytest.mark.parametrize(
    "name",
    [
        "random-fp16.tiff",
        "random-fp16-pred2.tiff",
        "random-fp16-pred3.tiff",
        "single-black-fp16.tiff",
        "white-fp16.tiff",
        "white-fp16-pred2.tiff",
        "white-fp16-pred3.tiff",
    ],
)
def test_corpus_fp16_tiffs_equal_tifffile(name):
    tifffile = pytest.importorskip("tifffile")
    path = _corpus_tiff() / name
    ref = tifffile.imread(path)
    assert ref.dtype == np.float16
    got = px.imread(path)
    assert same_bits(got, ref)


def test_float16_refused_by_png_with_the_formats_that_hold_it():
    a = halves((3, 4))
    with pytest.raises(px.NotExactError, match="Gray F16.*npy or tiff"):
        px.encode(a, "png")
