"""The photometric convention (issue 16) against Pillow: the metadata dict says when samples
are stored inverted (``photometric``: ``"white-is-zero"``, ``"adobe-inverted-cmyk"``), encodes
that cannot state it report it (strict refuses), and the inverted samples written in the plain
convention show in Pillow the same picture Pillow shows for the source. Fixtures from
``tests/data/photometric/`` (made by its ``make_fixtures.py`` with tifffile and Pillow)."""

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
    plain = 255 - pixcodec.decode(src)
    meta = {k: v for k, v in info.metadata.items() if k != "photometric"}
    png, report = pixcodec.encode_report(plain, "png", metadata=meta, metadata_policy="strict")
    assert report.metadata_dropped == []
    seen = np.asarray(Image.open(io.BytesIO(src)))
    assert Image.open(io.BytesIO(src)).mode == "L"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png))), seen)


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
    tif = pixcodec.encode(255 - stored, "tiff", layout="cmyk", metadata={}, metadata_policy="strict")
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
    data, report = pixcodec.encode_report(
        255 - ink, "jpeg", layout="cmyk", metadata={"photometric": "adobe-inverted-cmyk"}, lossless=True,
        require_exact=True,
    )
    assert report.exact and report.metadata_dropped == []
    assert np.array_equal(pixcodec.decode(data), 255 - ink)
    with pytest.raises(pixcodec.Error, match="photometric 'inverted'"):
        pixcodec.encode(ink, "tiff", layout="cmyk", metadata={"photometric": "inverted"})
