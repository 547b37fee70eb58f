"""Lossless JPEG (SOF3, 2..16 bits) and 12-bit JPEG against imagecodecs, an independent
build of libjpeg-turbo: files written by pixcodec decode bit-exact there and files written
there decode bit-exact in pixcodec."""

import numpy as np
import pytest

import pixcodec as px

imagecodecs = pytest.importorskip("imagecodecs")

CASES = [
    # (layout channels, dtype, precision, predictor)
    (1, "uint8", 8, 1),
    (1, "uint8", 6, 7),
    (3, "uint8", 8, 4),
    (3, "uint8", 2, 2),
    (1, "uint16", 16, 1),
    (1, "uint16", 12, 5),
    (1, "uint16", 10, 6),
    (3, "uint16", 16, 7),
    (3, "uint16", 13, 3),
    (3, "uint16", 9, 1),
]


def sample(channels, dtype, precision, h=23, w=37, seed=0):
    """Noise over the whole `precision`-bit range with a smooth gradient in every other
    column, so each predictor sees both."""
    rng = np.random.default_rng(seed)
    shape = (h, w) if channels == 1 else (h, w, channels)
    a = rng.integers(0, 1 << precision, size=shape, dtype=np.uint32)
    ramp = (np.arange(w, dtype=np.uint32) * ((1 << precision) - 1) // (w - 1))
    ramp = ramp[None, :] if channels == 1 else ramp[None, :, None]
    a[:, ::2] = np.broadcast_to(ramp, a.shape)[:, ::2]
    return a.astype(dtype)


def sof(data):
    """(marker, precision) of the first SOF segment."""
    i = 2
    while i + 4 < len(data):
        m, n = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
        if 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
            return m, data[i + 4]
        i += 2 + n
    raise AssertionError("no SOF marker")


@pytest.mark.parametrize("channels,dtype,precision,predictor", CASES)
def test_pixcodec_lossless_decodes_bit_exact_in_imagecodecs(channels, dtype, precision, predictor):
    a = sample(channels, dtype, precision, seed=precision * 10 + predictor)
    data, report = px.encode_report(
        a, "jpeg", lossless=True, precision=precision, predictor=predictor, require_exact=True
    )
    assert report.exact and report.lossy_reason is None
    assert sof(data) == (0xC3, precision)
    b = imagecodecs.jpeg8_decode(data)
    assert b.dtype == a.dtype and b.shape == a.shape
    assert np.array_equal(b, a)
    assert np.array_equal(px.decode(data), a)


def test_pixcodec_gray16_lossless_decodes_in_ljpeg_decode():
    # liblj92 (imagecodecs.ljpeg_decode) is a second, unrelated lossless JPEG decoder.
    a = sample(1, "uint16", 16, seed=3)
    for predictor in (1, 6):
        data = px.encode(a, "jpeg", lossless=True, predictor=predictor)
        b = imagecodecs.ljpeg_decode(data)
        assert np.array_equal(np.asarray(b).reshape(a.shape).astype(np.uint16), a), predictor


@pytest.mark.parametrize("channels,dtype,precision,predictor", CASES)
def test_imagecodecs_lossless_decodes_bit_exact_in_pixcodec(channels, dtype, precision, predictor):
    a = sample(channels, dtype, precision, seed=precision + predictor)
    data = imagecodecs.jpeg8_encode(a, lossless=True, predictor=predictor, bitspersample=precision)
    assert sof(data) == (0xC3, precision)
    info = px.probe(data)
    assert info.lossy_source is False
    b = px.decode(data)
    assert b.dtype == a.dtype and b.shape == a.shape
    assert np.array_equal(b, a)


def test_twelve_bit_lossy_matches_imagecodecs_decode():
    a = sample(3, "uint16", 12, seed=5)
    data, report = px.encode_report(a, "jpeg", quality=92)
    assert not report.exact and report.lossy_reason.startswith("JPEG is lossy (12-bit")
    assert sof(data)[1] == 12
    mine = px.decode(data)
    assert mine.dtype == np.uint16 and mine.shape == a.shape and mine.max() <= 4095
    theirs = imagecodecs.jpeg8_decode(data)
    assert np.array_equal(mine, theirs)
    # And imagecodecs' own 12-bit file decodes in pixcodec as it does in imagecodecs.
    data = imagecodecs.jpeg8_encode(a, level=92, bitspersample=12)
    assert np.array_equal(px.decode(data), imagecodecs.jpeg8_decode(data))


def test_refusals_name_the_value_and_the_option():
    a = np.full((4, 6), 100, np.uint16)
    a[2, 3] = 5000
    with pytest.raises(px.NotExactError, match=r"5000 at x=3, y=2.*lossless=true"):
        px.encode(a, "jpeg")
    with pytest.raises(px.NotExactError, match=r"lossless=true"):
        px.encode(a, "jpeg", require_exact=True)
    with pytest.raises(px.NotExactError, match=r"5000 at x=3, y=2 with precision=12"):
        px.encode(a, "jpeg", lossless=True, precision=12)
    assert np.array_equal(px.decode(px.encode(a, "jpeg", lossless=True, precision=13)), a)


def test_codecs_lists_the_options_that_make_jpeg_exact():
    jpeg = next(c for c in px.codecs() if c["name"] == "jpeg-turbo")
    assert ("gray", "uint16", "lossless=true") in jpeg["exact_with"]
    assert ("rgb", "uint8", "lossless=true") in jpeg["exact_with"]
    png = next(c for c in px.codecs() if c["name"] == "png")
    assert png["exact_with"] == []
