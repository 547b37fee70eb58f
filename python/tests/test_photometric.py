"""The photometric convention (issue 16) against Pillow: the metadata dict says when samples
are stored inverted (``photometric``: ``"white-is-zero"``, ``"adobe-inverted-cmyk"``), encodes
that cannot state it report it (strict refuses), and the inverted samples written in the plain
convention (``pixcodec.invert(..., metadata=)``, Rust's ``convert::apply_invert``) show in Pillow
the same picture Pillow shows for the source. Fixtures from ``tests/data/photometric/`` (made by
its ``make_fixtures.py`` with tifffile and Pillow)."""

import io
import pathlib

import numpy as np
import pytest
from PIL import Image

import pixcodec

DATA = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "photometric"


def read(name):
    return (DATA / name).read_bytes()


def test_white_is_zero_is_named_and_reported_for_png():
    src = read("wiz_u8.tif")
    info = pixcodec.probe(src)
    assert info.metadata["photometric"] == "white-is-zero"
    stored = pixcodec.decode(src)
    data, report = pixcodec.encode_report(stored, "png", metadata=info.metadata)
    assert len(report.metadata_dropped) == 1
    assert report.metadata_dropped[0].startswith("photometric: png cannot state white-is-zero")
    assert np.array_equal(pixcodec.decode(data), stored)  # the samples as they are
    with pytest.raises(pixcodec.NotExactError, match="png cannot state white-is-zero"):
        pixcodec.encode(stored, "png", metadata=info.metadata, metadata_policy="strict")
    # TIFF states it: Pillow (which applies WhiteIsZero on read) shows the source's picture.
    tif = pixcodec.encode(stored, "tiff", metadata=info.metadata, metadata_policy="strict")
    assert pixcodec.probe(tif).metadata["photometric"] == "white-is-zero"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(tif))), np.asarray(Image.open(io.BytesIO(src))))


def test_inverted_white_is_zero_png_shows_pillows_picture_of_the_tiff():
    src = read("wiz_u8.tif")
    info = pixcodec.probe(src)
    stored = pixcodec.decode(src)
    plain, meta = pixcodec.invert(stored, metadata=info.metadata)
    assert plain.dtype == np.uint8 and plain.shape == stored.shape
    assert np.array_equal(plain, 255 - stored)
    assert "photometric" not in meta and "photometric" in info.metadata  # a new dict
    assert meta == {k: v for k, v in info.metadata.items() if k != "photometric"}
    png, report = pixcodec.encode_report(plain, "png", metadata=meta)
    assert report.metadata_dropped == []
    pixcodec.encode(plain, "png", metadata=meta, metadata_policy="strict")
    seen = np.asarray(Image.open(io.BytesIO(src)))
    assert Image.open(io.BytesIO(src)).mode == "L"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png))), seen)


def test_inverted_1bit_white_is_zero_png_shows_pillows_picture_of_the_tiff():
    src = read("wiz_1bit.tif")
    info = pixcodec.probe(src)
    assert info.significant_bits == 1 and info.metadata["photometric"] == "white-is-zero"
    stored = pixcodec.decode(src)
    plain, meta = pixcodec.invert(stored, significant_bits=info.significant_bits, metadata=info.metadata)
    assert np.array_equal(plain, 1 - stored)
    png, report = pixcodec.encode_report(plain, "png", metadata=meta, significant_bits=1)
    assert report.metadata_dropped == []
    assert Image.open(io.BytesIO(png)).mode == Image.open(io.BytesIO(src)).mode == "1"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png))), np.asarray(Image.open(io.BytesIO(src))))


def test_white_is_zero_u16_round_trips_through_invert():
    # Pillow reads 16-bit WhiteIsZero as stored (I;16), so this one is checked against numpy.
    src = read("wiz_u16.tif")
    info = pixcodec.probe(src)
    stored = pixcodec.decode(src)
    plain, meta = pixcodec.invert(stored, metadata=info.metadata)
    assert plain.dtype == np.uint16 and np.array_equal(plain, 65535 - stored)
    tif = pixcodec.encode(plain, "tiff", metadata=meta, metadata_policy="strict")
    assert "photometric" not in pixcodec.probe(tif).metadata
    back, meta2 = pixcodec.invert(pixcodec.decode(tif), metadata=meta)
    assert meta2["photometric"] == "white-is-zero"
    assert np.array_equal(back, stored)


def test_adobe_cmyk_jpeg_keeps_the_flag_and_inverted_tiff_shows_pillows_cmyk():
    src = read("adobe_cmyk.jpg")
    info = pixcodec.probe(src)
    assert info.layout == "cmyk"
    assert info.metadata["photometric"] == "adobe-inverted-cmyk"
    stored = pixcodec.decode(src)
    # JPEG -> JPEG keeps the convention (nothing reported).
    jpg, report = pixcodec.encode_report(stored, "jpeg", layout="cmyk", metadata=info.metadata, quality=95)
    assert report.metadata_dropped == []
    assert pixcodec.probe(jpg).metadata["photometric"] == "adobe-inverted-cmyk"
    # To TIFF as stored: reported; inverted to plain ink: Pillow's view of the JPEG.
    _, report = pixcodec.encode_report(stored, "tiff", layout="cmyk", metadata=info.metadata)
    assert [d.split(":")[0] for d in report.metadata_dropped] == ["photometric"]
    ink, meta = pixcodec.invert(stored, layout="cmyk", metadata=info.metadata)
    assert np.array_equal(ink, 255 - stored) and "photometric" not in meta
    tif = pixcodec.encode(ink, "tiff", layout="cmyk", metadata=meta, metadata_policy="strict")
    pillow_tif = Image.open(io.BytesIO(tif))
    pillow_jpg = Image.open(io.BytesIO(src))
    assert pillow_tif.mode == pillow_jpg.mode == "CMYK"
    assert np.array_equal(np.asarray(pillow_tif), np.asarray(pillow_jpg))


def test_plain_cmyk_to_jpeg_is_reported():
    ink = (np.arange(4 * 4 * 4, dtype=np.uint32) * 4).astype(np.uint8).reshape(4, 4, 4)
    _, report = pixcodec.encode_report(ink, "jpeg", layout="cmyk")
    assert len(report.metadata_dropped) == 1 and "Adobe APP14" in report.metadata_dropped[0]
    with pytest.raises(pixcodec.NotExactError, match="photometric"):
        pixcodec.encode(ink, "jpeg", layout="cmyk", lossless=True, require_exact=True)
    # Stored the Adobe way and said so: exact, nothing reported.
    adobe, meta = pixcodec.invert(ink, layout="cmyk", metadata={})
    assert meta == {"photometric": "adobe-inverted-cmyk"}
    assert np.array_equal(adobe, 255 - ink)
    data, report = pixcodec.encode_report(
        adobe, "jpeg", layout="cmyk", metadata=meta, lossless=True, require_exact=True
    )
    assert report.exact and report.metadata_dropped == []
    assert np.array_equal(pixcodec.decode(data), adobe)
    with pytest.raises(pixcodec.Error, match="photometric 'inverted'"):
        pixcodec.encode(ink, "tiff", layout="cmyk", metadata={"photometric": "inverted"})


# pixcodec.invert on its own (a negative): convert::invert / invert_bits.


def test_invert_gray_uint8_and_uint16():
    g8 = np.arange(256, dtype=np.uint8).reshape(16, 16)
    out = pixcodec.invert(g8)
    assert out.dtype == np.uint8 and out.shape == (16, 16)
    assert np.array_equal(out, 255 - g8)
    g16 = (np.arange(60, dtype=np.uint32) * 1111).astype(np.uint16).reshape(5, 12)
    out = pixcodec.invert(g16)
    assert out.dtype == np.uint16 and np.array_equal(out, 65535 - g16)
    # Strided and channel-axis inputs: values as numpy has them, shape kept.
    assert np.array_equal(pixcodec.invert(g8[::2, ::3]), 255 - g8[::2, ::3])
    col = g8[:, :, None]
    out = pixcodec.invert(col)
    assert out.shape == (16, 16, 1) and np.array_equal(out, 255 - col)
    u32 = np.array([[0, 7, 2**32 - 1]], dtype=np.uint32)
    assert np.array_equal(pixcodec.invert(u32), np.uint32(2**32 - 1) - u32)
    assert not np.shares_memory(pixcodec.invert(g8), g8)


def test_invert_keeps_alpha_and_layout_cmyk_inverts_all_four():
    rgba = (np.arange(2 * 3 * 4, dtype=np.uint32) * 10).astype(np.uint8).reshape(2, 3, 4)
    out = pixcodec.invert(rgba)
    assert np.array_equal(out[..., :3], 255 - rgba[..., :3])
    assert np.array_equal(out[..., 3], rgba[..., 3])
    assert np.array_equal(pixcodec.invert(rgba, layout="cmyk"), 255 - rgba)
    ga = np.array([[[0, 9], [150, 65535]]], dtype=np.uint16)
    out = pixcodec.invert(ga)
    assert np.array_equal(out, np.array([[[65535, 9], [65535 - 150, 65535]]], dtype=np.uint16))
    rgb = np.zeros((1, 1, 3), dtype=np.uint8)
    with pytest.raises(pixcodec.InvalidArgumentError, match="layout cmyk has 4 channel"):
        pixcodec.invert(rgb, layout="cmyk")


def test_invert_significant_bits_12():
    a = np.array([[0, 1, 2048], [4000, 4095, 17]], dtype=np.uint16)
    out = pixcodec.invert(a, significant_bits=12)
    assert out.dtype == np.uint16 and np.array_equal(out, 4095 - a)
    assert out.max() <= 4095
    with pytest.raises(pixcodec.NotExactError, match="value 4096 at x=1, y=0, channel 0 is above 4095"):
        pixcodec.invert(np.array([[0, 4096]], dtype=np.uint16), significant_bits=12)
    for bad in (0, 17, -1, 300):
        with pytest.raises(pixcodec.InvalidArgumentError, match="significant"):
            pixcodec.invert(a, significant_bits=bad)


def test_invert_refuses_float_signed_and_bool():
    for dtype in (np.float32, np.float64, np.float16):
        with pytest.raises(pixcodec.UnsupportedError, match="inverts unsigned integer samples") as e:
            pixcodec.invert(np.zeros((2, 2), dtype=dtype))
        assert isinstance(e.value, pixcodec.Error)
    with pytest.raises(pixcodec.UnsupportedError, match="I16 samples have no such convention"):
        pixcodec.invert(np.zeros((2, 2), dtype=np.int16))
    with pytest.raises(pixcodec.UnsupportedError, match="bool"):
        pixcodec.invert(np.zeros((2, 2), dtype=bool))
    with pytest.raises(pixcodec.InvalidArgumentError):
        pixcodec.invert(np.zeros((2, 2, 2, 2), dtype=np.uint8))


def test_invert_with_metadata_flips_the_convention_only_where_there_is_one():
    g = np.array([[0, 200]], dtype=np.uint8)
    given = {"dpi": (300.0, 300.0), "photometric": "white-is-zero"}
    out, meta = pixcodec.invert(g, metadata=given)
    assert np.array_equal(out, 255 - g)
    assert meta == {"dpi": (300.0, 300.0)}
    assert given["photometric"] == "white-is-zero"  # the caller's dict is not changed
    _, meta = pixcodec.invert(out, metadata=meta)
    assert meta["photometric"] == "white-is-zero"
    # Gray with alpha: white-is-zero too, alpha kept.
    ga, meta = pixcodec.invert(np.array([[[5, 77]]], dtype=np.uint8), metadata={})
    assert ga.tolist() == [[[250, 77]]] and meta == {"photometric": "white-is-zero"}
    # RGB/RGBA have no inverted convention; a convention that does not fit the layout is refused.
    with pytest.raises(pixcodec.InvalidArgumentError, match="no inverted convention"):
        pixcodec.invert(np.zeros((1, 1, 3), dtype=np.uint8), metadata={})
    # 4 channels are rgba unless layout="cmyk", as for encode.
    with pytest.raises(pixcodec.InvalidArgumentError, match="Rgba samples have no inverted convention"):
        pixcodec.invert(np.zeros((1, 1, 4), dtype=np.uint8), metadata={"photometric": "adobe-inverted-cmyk"})
    with pytest.raises(pixcodec.InvalidArgumentError, match="says adobe-inverted-cmyk, which does not describe"):
        pixcodec.invert(g, metadata={"photometric": "adobe-inverted-cmyk"})
    with pytest.raises(pixcodec.InvalidArgumentError, match="photometric 'inverted'"):
        pixcodec.invert(g, metadata={"photometric": "inverted"})
    with pytest.raises(pixcodec.UnsupportedError):
        pixcodec.invert(g.astype(np.float32), metadata={"photometric": "white-is-zero"})
