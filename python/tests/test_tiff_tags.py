"""TIFF tags kept as stored (``metadata["tiff_tags"]``): a GeoTIFF that tifffile writes
(``extratags``: ModelPixelScale, ModelTiepoint, GeoKeyDirectory, GeoAsciiParams; little- and
big-endian) probes and decodes in pixcodec with each tag's number, type, count and values in
the machine's byte order; re-encoded to TIFF by pixcodec, tifffile reads the same values back;
PNG lists each one dropped; bad entries raise InvalidArgumentError with TiffTag::new's message."""

import io
import re

import numpy as np
import pytest
import tifffile

import pixcodec

GRAY = (np.arange(24 * 16, dtype=np.uint32) * 7 % 65536).astype(np.uint16).reshape(16, 24)

SCALE = (0.5, 0.5, 0.0)
TIEPOINT = (0.0, 0.0, 0.0, 440720.0, 3751320.0, 0.0)
GEOKEYS = (1, 1, 0, 2, 1024, 0, 1, 2, 2054, 0, 1, 9102)
ASCII = "WGS 84|"


def geotiff(byteorder="<"):
    """A 16-bit gray GeoTIFF written by tifffile (no tifffile JSON description)."""
    buf = io.BytesIO()
    tifffile.imwrite(
        buf,
        GRAY,
        byteorder=byteorder,
        metadata=None,
        software=False,
        extratags=[
            (33550, "d", 3, SCALE, False),
            (33922, "d", 6, TIEPOINT, False),
            (34735, "H", len(GEOKEYS), GEOKEYS, False),
            (34737, "s", 0, ASCII, False),
        ],
    )
    return buf.getvalue()


def by_tag(md):
    return {t["tag"]: t for t in md["tiff_tags"]}


def check_geotiff_tags(md):
    assert "tiff_tags" in md, md
    tags = by_tag(md)
    assert sorted(tags) == [33550, 33922, 34735, 34737]
    assert [t["tag"] for t in md["tiff_tags"]] == sorted(tags)
    t = tags[33550]
    assert (t["type"], t["count"]) == (12, 3)
    assert isinstance(t["value"], bytes) and len(t["value"]) == 24
    assert tuple(np.frombuffer(t["value"], dtype="=f8")) == SCALE
    t = tags[33922]
    assert (t["type"], t["count"]) == (12, 6)
    assert tuple(np.frombuffer(t["value"], dtype="=f8")) == TIEPOINT
    t = tags[34735]
    assert (t["type"], t["count"]) == (3, len(GEOKEYS))
    assert tuple(int(v) for v in np.frombuffer(t["value"], dtype="=u2")) == GEOKEYS
    t = tags[34737]
    assert (t["type"], t["count"]) == (2, len(ASCII) + 1)
    assert t["value"] == ASCII.encode() + b"\0"


@pytest.mark.parametrize("byteorder", ["<", ">"])
def test_tifffile_geotiff_probes_and_decodes_with_its_tags(byteorder):
    data = geotiff(byteorder)
    check_geotiff_tags(pixcodec.probe(data).metadata)
    assert np.array_equal(pixcodec.decode(data), GRAY)
    assert "tiff_tags" in pixcodec.probe(data).metadata


@pytest.mark.parametrize("byteorder", ["<", ">"])
def test_reencoded_geotiff_reads_back_in_tifffile(byteorder):
    data = geotiff(byteorder)
    md = pixcodec.probe(data).metadata
    out, report = pixcodec.encode_report(pixcodec.decode(data), "tiff", metadata=md)
    assert report.metadata_dropped == []
    with tifffile.TiffFile(io.BytesIO(out)) as tif:
        tags = tif.pages[0].tags
        assert tuple(tags[33550].value) == SCALE
        assert tuple(tags[33922].value) == TIEPOINT
        assert tuple(tags[34735].value) == GEOKEYS
        assert tags[34737].value == ASCII
        assert np.array_equal(tif.asarray(), GRAY)
    # And pixcodec reads its own file back the same.
    check_geotiff_tags(pixcodec.probe(out).metadata)


def test_geo_metadata_built_in_python_written_to_tiff_reads_in_tifffile():
    out, report = pixcodec.encode_report(GRAY, "tiff", metadata=geo_metadata())
    assert report.metadata_dropped == []
    with tifffile.TiffFile(io.BytesIO(out)) as tif:
        tags = tif.pages[0].tags
        assert tuple(tags[33550].value) == SCALE
        assert tuple(tags[34735].value) == GEOKEYS
        assert tags[34737].value == ASCII
    check_geotiff_tags(pixcodec.probe(out).metadata)


def test_tiff_tags_built_in_python_round_trip():
    value = np.array(SCALE, dtype="=f8").tobytes()
    md = {
        "tiff_tags": [
            {"tag": 33550, "type": 12, "count": 3, "value": value},
            {"tag": 65000, "type": 7, "value": b"\x01\x02\x03"},  # count defaults to the values given
        ]
    }
    out = pixcodec.encode(GRAY, "tiff", metadata=md)
    got = pixcodec.probe(out).metadata["tiff_tags"]
    assert got == [
        {"tag": 33550, "type": 12, "count": 3, "value": value},
        {"tag": 65000, "type": 7, "count": 3, "value": b"\x01\x02\x03"},
    ]
    with tifffile.TiffFile(io.BytesIO(out)) as tif:
        assert tuple(tif.pages[0].tags[33550].value) == SCALE


def geo_metadata():
    """The tags of geotiff() as a metadata dict built in Python."""
    return {
        "tiff_tags": [
            {"tag": 33550, "type": 12, "count": 3, "value": np.array(SCALE, dtype="=f8").tobytes()},
            {"tag": 33922, "type": 12, "count": 6, "value": np.array(TIEPOINT, dtype="=f8").tobytes()},
            {"tag": 34735, "type": 3, "count": len(GEOKEYS), "value": np.array(GEOKEYS, dtype="=u2").tobytes()},
            {"tag": 34737, "type": 2, "count": len(ASCII) + 1, "value": ASCII.encode() + b"\0"},
        ]
    }


def test_png_drops_each_tiff_tag():
    md = geo_metadata()
    check_geotiff_tags(md)
    data, report = pixcodec.encode_report(GRAY, "png", metadata=md)
    assert [d.split(":")[0] for d in report.metadata_dropped] == [
        "tiff tag 33550",
        "tiff tag 33922",
        "tiff tag 34735",
        "tiff tag 34737",
    ]
    assert "no place for TIFF tags" in report.metadata_dropped[0]
    assert "tiff_tags" not in pixcodec.probe(data).metadata
    with pytest.raises(pixcodec.NotExactError, match="tiff tag 33550"):
        pixcodec.encode(GRAY, "png", metadata=md, metadata_policy="strict")


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"tag": 33550, "type": 12, "count": 3, "value": b"\0" * 23},
         re.escape("tiff tag 33550: 23 bytes are not 3 values of type 12 (8 bytes each)")),
        ({"tag": 34735, "type": 13, "count": 1, "value": b"\0" * 4},
         "tiff tag 34735: field type 13 is not a value type pixcodec carries"),
        ({"tag": 34735, "type": 99, "value": b"\0"}, "field type 99 is not a value type"),
        ({"tag": 33550, "type": 12, "count": 3}, r"tiff_tags\[0\] has no 'value'"),
        ({"type": 12, "count": 0, "value": b""}, r"tiff_tags\[0\] has no 'tag'"),
        ({"tag": 33550, "type": 12, "count": 0, "value": b"", "bytes": 0}, "unknown key 'bytes'"),
        ((33550, 12, 3, b"\0" * 24), r"tiff_tags\[0\] is not a dict"),
    ],
)
def test_bad_entries_raise_with_the_reason(entry, message):
    with pytest.raises(pixcodec.InvalidArgumentError, match=message):
        pixcodec.encode(GRAY, "tiff", metadata={"tiff_tags": [entry]})


def test_a_tag_given_twice_is_refused():
    e = {"tag": 700 + 40000, "type": 1, "count": 1, "value": b"\x05"}
    with pytest.raises(pixcodec.InvalidArgumentError, match="tag 40700 is given twice"):
        pixcodec.encode(GRAY, "tiff", metadata={"tiff_tags": [e, e]})
