"""TIFF integers of any width 1..32 bits and ZSTD TIFF against tifffile/imagecodecs (issue 17)."""

import io
import os
import pathlib

import numpy as np
import pytest
import tifffile

import pixcodec as px

CORPUS = pathlib.Path(os.environ.get("PIXCODEC_CORPUS", pathlib.Path(__file__).parents[2] / ".." / "shared" / "corpus"))
TIFF_CORPUS = CORPUS / "tiff"

try:
    import imagecodecs  # noqa: F401

    HAVE_IMAGECODECS = True
except ImportError:  # pragma: no cover
    HAVE_IMAGECODECS = False


def wider(bits, signed):
    """The dtype pixcodec decodes a ``bits``-bit sample to."""
    size = 8 if bits <= 8 else 16 if bits <= 16 else 32
    return np.dtype(f"{'int' if signed else 'uint'}{size}")


def tifffile_reference(path):
    """tifffile's array in pixcodec's shape: planes interleaved, bilevel as 0/1 uint8."""
    with tifffile.TiffFile(path) as t:
        page = t.pages[0]
        a = page.asarray()
        if page.planarconfig == 2 and page.samplesperpixel > 1:
            a = np.moveaxis(a, 0, -1)
        return np.ascontiguousarray(a.astype(np.uint8) if a.dtype == bool else a), page


def odd_depth_corpus_files():
    if not TIFF_CORPUS.is_dir():
        return []
    out = []
    for p in sorted(TIFF_CORPUS.rglob("*.tif*")):
        try:
            with tifffile.TiffFile(p) as t:
                page = t.pages[0]
                if (
                    page.bitspersample not in (8, 16, 32, 64)
                    and page.sampleformat in (1, 2)
                    and page.photometric in (0, 1, 2)
                    and page.compression in (1, 5, 8, 32773, 32946, 50000)
                ):
                    out.append(p)
        except Exception:  # noqa: BLE001 - not every corpus file is a TIFF tifffile reads
            continue
    return out


def test_corpus_has_odd_depth_files():
    if not TIFF_CORPUS.is_dir():
        pytest.skip(f"corpus not found at {TIFF_CORPUS}")
    assert len(odd_depth_corpus_files()) >= 30


@pytest.mark.parametrize("path", odd_depth_corpus_files(), ids=lambda p: str(p.relative_to(TIFF_CORPUS)))
def test_corpus_odd_depths_equal_tifffile(path):
    want, page = tifffile_reference(path)
    got = px.imread(str(path))
    assert got.dtype == wider(page.bitspersample, page.sampleformat == 2)
    np.testing.assert_array_equal(got, want.astype(got.dtype))
    assert px.probe(str(path)).significant_bits == page.bitspersample


def test_corpus_zstd_equals_tifffile():
    path = TIFF_CORPUS / "int16_zstd.tif"
    if not path.exists():
        pytest.skip(f"corpus not found at {TIFF_CORPUS}")
    want, _ = tifffile_reference(path)
    np.testing.assert_array_equal(px.imread(str(path)), want)
    assert px.probe(str(path)).significant_bits is None


def random_samples(bits, signed, shape, seed):
    rng = np.random.default_rng(seed)
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    a = rng.integers(lo, hi, size=shape, endpoint=True, dtype=np.int64)
    a.flat[0], a.flat[-1] = lo, hi
    return a.astype(wider(bits, signed))


@pytest.mark.parametrize("bits", [b for b in range(1, 33) if b not in (8, 16, 32)])
@pytest.mark.parametrize(
    "layout", [{}, {"tile": (16, 16)}, {"planarconfig": "separate"}, {"rowsperstrip": 3}], ids=str
)
def test_tifffile_packed_files_decode_exactly(bits, layout):
    shape = (19, 21, 3) if layout.get("planarconfig") else (19, 21)
    a = random_samples(bits, False, shape, bits)
    buf = io.BytesIO()
    photometric = "rgb" if a.ndim == 3 else "minisblack"
    # tifffile takes separate planes first.
    stored = np.moveaxis(a, -1, 0) if layout.get("planarconfig") else a
    tifffile.imwrite(buf, stored, bitspersample=bits, photometric=photometric, **layout)
    data = buf.getvalue()
    np.testing.assert_array_equal(tifffile.imread(io.BytesIO(data)), stored)
    got = px.decode(data)
    assert got.dtype == a.dtype
    np.testing.assert_array_equal(got, a)
    assert px.probe(data).significant_bits == bits


@pytest.mark.parametrize("bits", [1, 2, 4, 10, 12, 14, 24, 31])
@pytest.mark.parametrize("compression", ["none", "lzw", "deflate", "zstd"])
@pytest.mark.parametrize("channels", [1, 3])
def test_pixcodec_packed_files_read_in_tifffile(bits, compression, channels):
    if compression == "zstd" and not HAVE_IMAGECODECS:
        pytest.skip("imagecodecs not installed")
    shape = (17, 23) if channels == 1 else (17, 23, 3)
    a = random_samples(bits, False, shape, bits * 7 + channels)
    data = px.encode(a, "tiff", compression=compression, significant_bits=bits)
    with tifffile.TiffFile(io.BytesIO(data)) as t:
        assert t.pages[0].bitspersample == bits
        np.testing.assert_array_equal(t.asarray(), a)
    np.testing.assert_array_equal(px.decode(data), a)


def test_significant_bits_round_trip_keeps_the_depth():
    path = TIFF_CORPUS / "12bit.cropped.rgb.tiff"
    if not path.exists():
        pytest.skip(f"corpus not found at {TIFF_CORPUS}")
    info = px.probe(str(path))
    a = px.imread(str(path))
    data = px.encode(a, "tiff", significant_bits=info.significant_bits)
    assert px.probe(data).significant_bits == 12
    with tifffile.TiffFile(io.BytesIO(data)) as t:
        assert t.pages[0].bitspersample == 12
        np.testing.assert_array_equal(t.asarray(), a)
    too_big = a.copy()
    too_big[1, 2, 0] = 4096
    with pytest.raises(px.InvalidArgumentError, match=r"sample 4096 at pixel \(2, 1\) channel 0"):
        px.encode(too_big, "tiff", significant_bits=12)


@pytest.mark.skipif(not HAVE_IMAGECODECS, reason="imagecodecs not installed")
@pytest.mark.parametrize("dtype", ["uint8", "uint16", "int16", "uint32", "float32"])
@pytest.mark.parametrize("predictor", [False, True])
def test_zstd_interop_with_tifffile(dtype, predictor):
    rng = np.random.default_rng(3)
    if np.dtype(dtype).kind == "f":
        a = rng.standard_normal((40, 30, 3)).astype(dtype)
        predictor = False
    else:
        info = np.iinfo(dtype)
        a = rng.integers(info.min, info.max, size=(40, 30, 3), dtype=dtype, endpoint=True)
    # tifffile writes, pixcodec reads.
    buf = io.BytesIO()
    tifffile.imwrite(buf, a, compression="zstd", predictor=predictor, photometric="rgb", rowsperstrip=7)
    np.testing.assert_array_equal(px.decode(buf.getvalue()), a)
    # pixcodec writes, tifffile reads.
    data = px.encode(a, "tiff", compression="zstd", level=9, predictor=predictor)
    with tifffile.TiffFile(io.BytesIO(data)) as t:
        assert t.pages[0].compression == 50000
        np.testing.assert_array_equal(t.asarray(), a)
