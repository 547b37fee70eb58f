"""Metadata across libraries: files pixcodec writes (``metadata=``) are read by Pillow and
tifffile with the same ICC profile, EXIF, XMP, resolution and text, and files Pillow and
tifffile write decode in pixcodec with their metadata (``probe(...).metadata``)."""

import io

import numpy as np
import pytest
import tifffile
from PIL import Image

import pixcodec


def icc(n):
    """An ICC-like profile of n bytes (carried, never interpreted)."""
    b = bytearray((i * 7) % 251 for i in range(n))
    b[:4] = n.to_bytes(4, "big")
    b[36:40] = b"acsp"
    return bytes(b)


def exif_bytes(orientation=6):
    """An EXIF block made by Pillow (with its Exif\\0\\0 prefix) holding Make and Orientation."""
    e = Image.Exif()
    e[0x010F] = "Cam"
    e[0x0112] = orientation
    return e.tobytes()


XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'
    b'<?xpacket end="w"?>'
)

RGB = (np.arange(48 * 32 * 3, dtype=np.uint32) * 13 % 256).astype(np.uint8).reshape(32, 48, 3)


def meta(**extra):
    m = {
        "icc_profile": icc(3000),
        "exif": exif_bytes()[6:],
        "xmp": XMP,
        "resolution": (100.0, 50.0, "cm"),
    }
    m.update(extra)
    return m


def test_png_written_by_pixcodec_reads_in_pillow():
    m = meta(text=[("Software", "pixcodec", None), ("Title", "\u732b", "ja")])
    data, report = pixcodec.encode_report(RGB, "png", metadata=m)
    assert report.metadata_dropped == []
    im = Image.open(io.BytesIO(data))
    assert im.info["icc_profile"] == m["icc_profile"]
    assert im.getexif()[0x0112] == 6
    assert im.getexif()[0x010F] == "Cam"
    assert im.info["dpi"] == pytest.approx((254.0, 127.0))
    assert im.info["XML:com.adobe.xmp"].encode() == XMP
    assert im.text["Software"] == "pixcodec"
    assert im.text["Title"] == "\u732b"
    assert np.array_equal(np.asarray(im), RGB)


def test_jpeg_written_by_pixcodec_reads_in_pillow():
    m = meta(icc_profile=icc(70_000), text=[("Comment", "no place for it", None)])
    data, report = pixcodec.encode_report(RGB, "jpeg", metadata=m)
    assert report.metadata_dropped == [
        "text 'Comment': JPEG has no keyword/value text entries (pixcodec writes no COM markers)"
    ]
    im = Image.open(io.BytesIO(data))
    assert im.info["icc_profile"] == m["icc_profile"]  # two APP2 segments joined by Pillow
    assert im.getexif()[0x0112] == 6
    assert im.info["dpi"] == pytest.approx((254.0, 127.0))
    assert im.info["xmp"] == XMP
    # Strict refuses before writing anything.
    with pytest.raises(pixcodec.NotExactError, match="text 'Comment'"):
        pixcodec.encode(RGB, "jpeg", metadata=m, metadata_policy="strict")
    # Strip writes none.
    bare = Image.open(io.BytesIO(pixcodec.encode(RGB, "jpeg", metadata=m, metadata_policy="strip")))
    assert "icc_profile" not in bare.info and "exif" not in bare.info


def test_tiff_written_by_pixcodec_reads_in_tifffile_and_pillow():
    m = meta(text=[("ImageDescription", "a test", None), ("Artist", "me", None)])
    data, report = pixcodec.encode_report(RGB, "tiff", metadata=m)
    assert report.metadata_dropped == [
        "exif: tiff keeps EXIF as an EXIF IFD, and this block cannot be one: its IFD0 holds tags "
        "(0x010f) that would have to be merged into the page's own tags; it is not written "
        "(the orientation is kept as tag 274)"
    ]
    with tifffile.TiffFile(io.BytesIO(data)) as t:
        tags = t.pages[0].tags
        assert bytes(tags["InterColorProfile"].value) == m["icc_profile"]
        assert bytes(tags["XMP"].value) == XMP
        assert tags["XResolution"].value == (100, 1)
        assert tags["YResolution"].value == (50, 1)
        assert tags["ResolutionUnit"].value == 3
        assert tags["Orientation"].value == 6
        assert tags["ImageDescription"].value == "a test"
        assert tags["Artist"].value == "me"
        assert np.array_equal(t.asarray(), RGB)
    im = Image.open(io.BytesIO(data))
    assert im.info["icc_profile"] == m["icc_profile"]
    assert im.info["dpi"] == pytest.approx((254.0, 127.0))


def test_npy_reports_every_item():
    _, report = pixcodec.encode_report(RGB, "npy", metadata={"icc_profile": b"abc", "dpi": (72.0, 72.0)})
    assert report.metadata_dropped == [
        "icc_profile: npy cannot store metadata",
        "resolution: npy cannot store metadata",
    ]


def test_conversion_keeps_icc_exif_xmp_between_formats():
    m = meta()
    png = pixcodec.encode(RGB, "png", metadata=m)
    got = pixcodec.probe(png).metadata
    jpg = pixcodec.encode(RGB, "jpeg", metadata=got)
    back = pixcodec.probe(jpg).metadata
    for k in ("icc_profile", "exif", "xmp"):
        assert back[k] == m[k]
    assert back["orientation"] == 6
    assert back["dpi"] == pytest.approx((254.0, 127.0))


def test_pillow_png_decodes_with_metadata():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "pillow")
    info.add_itxt("Description", "d\u00e9j\u00e0", lang="fr")
    buf = io.BytesIO()
    ex = exif_bytes(3)
    Image.fromarray(RGB).save(buf, "PNG", icc_profile=icc(5000), exif=ex, dpi=(300, 300), pnginfo=info)
    md = pixcodec.probe(buf.getvalue()).metadata
    assert md["icc_profile"] == icc(5000)
    assert md["exif"] == ex[6:]
    assert md["orientation"] == 3
    assert md["resolution"] == (11811.0, 11811.0, "m")  # int(300 / 0.0254 + 0.5)
    assert md["dpi"] == pytest.approx((300.0, 300.0), abs=1e-3)
    assert ("Author", "pillow", None) in md["text"]
    assert ("Description", "d\u00e9j\u00e0", "fr") in md["text"]
    assert np.array_equal(pixcodec.decode(buf.getvalue()), RGB)


def test_pillow_jpeg_decodes_with_metadata():
    buf = io.BytesIO()
    ex = exif_bytes(8)
    Image.fromarray(RGB).save(buf, "JPEG", icc_profile=icc(70_000), exif=ex, dpi=(300, 200))
    md = pixcodec.probe(buf.getvalue()).metadata
    assert md["icc_profile"] == icc(70_000)
    assert md["exif"] == ex[6:]
    assert md["orientation"] == 8
    assert md["resolution"] == (300.0, 200.0, "inch")


def test_tifffile_tiff_decodes_with_metadata():
    buf = io.BytesIO()
    tifffile.imwrite(
        buf,
        RGB,
        photometric="rgb",
        iccprofile=icc(4000),
        resolution=(300, 300),
        resolutionunit="INCH",
        description="from tifffile",
        software="tifffile test",
        metadata=None,
        extratags=[(700, 1, len(XMP), XMP, True)],
    )
    md = pixcodec.probe(buf.getvalue()).metadata
    assert md["icc_profile"] == icc(4000)
    assert md["xmp"] == XMP
    assert md["resolution"] == (300.0, 300.0, "inch")
    assert ("ImageDescription", "from tifffile", None) in md["text"]
    assert ("Software", "tifffile test", None) in md["text"]
    assert np.array_equal(pixcodec.decode(buf.getvalue()), RGB)


def tiff_with_exif_ifd():
    """A 4x2 gray TIFF (little-endian, by hand) whose IFD0 points to an EXIF IFD holding
    ExposureTime 1/250 (RATIONAL, out of line) and ISO 200 (SHORT, inline); Pillow and
    tifffile write no EXIF IFD into TIFF."""
    import struct

    def ifd(entries, at, nxt=0):
        b = struct.pack("<H", len(entries))
        for tag, ty, count, value in entries:
            b += struct.pack("<HHI", tag, ty, count) + value
        return b + struct.pack("<I", nxt)

    short = lambda v: struct.pack("<HH", v, 0)
    long = lambda v: struct.pack("<I", v)
    pixels_at, exif_at = 8, 16
    exif = ifd([(0x829A, 5, 1, long(exif_at + 2 + 24 + 4)), (0x8827, 3, 1, short(200))], exif_at)
    exif += struct.pack("<II", 1, 250)
    ifd0_at = exif_at + len(exif)
    ifd0 = ifd(
        [
            (256, 3, 1, short(4)),
            (257, 3, 1, short(2)),
            (258, 3, 1, short(8)),
            (259, 3, 1, short(1)),
            (262, 3, 1, short(1)),
            (273, 4, 1, long(pixels_at)),
            (274, 3, 1, short(6)),
            (277, 3, 1, short(1)),
            (278, 3, 1, short(2)),
            (279, 4, 1, long(8)),
            (34665, 4, 1, long(exif_at)),
        ],
        ifd0_at,
    )
    return b"II*\x00" + struct.pack("<I", ifd0_at) + bytes(range(8)) + exif + ifd0


def test_tiff_exif_ifd_decodes_as_an_exif_block_pillow_reads():
    data = tiff_with_exif_ifd()
    assert tifffile.TiffFile(io.BytesIO(data)).pages[0].tags["ExifTag"].value["ISOSpeedRatings"] == 200
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "x.tif")
        with open(path, "wb") as f:
            f.write(data)
        from_file = pixcodec.probe(path).metadata  # through the decoder's reader
    md = pixcodec.probe(data).metadata
    assert from_file == md
    assert md["orientation"] == 6
    assert np.array_equal(pixcodec.decode(data), np.arange(8, dtype=np.uint8).reshape(2, 4))
    back = Image.Exif()
    back.load(b"Exif\x00\x00" + md["exif"])
    sub = back.get_ifd(0x8769)
    assert float(sub[0x829A]) == pytest.approx(1 / 250)
    assert sub[0x8827] == 200
    # Written to JPEG, Pillow reads the same EXIF IFD.
    jpg = Image.open(io.BytesIO(pixcodec.encode(RGB, "jpeg", metadata=md)))
    assert jpg.getexif().get_ifd(0x8769)[0x8827] == 200
    assert jpg.getexif()[0x0112] == 6
    # Written to TIFF, tifffile reads the EXIF IFD; read back, the block is the same bytes.
    tif, report = pixcodec.encode_report(RGB, "tiff", metadata=md)
    assert report.metadata_dropped == []
    with tifffile.TiffFile(io.BytesIO(tif)) as t:
        assert t.pages[0].tags["ExifTag"].value["ISOSpeedRatings"] == 200
        assert t.pages[0].tags["ExifTag"].value["ExposureTime"] == (1, 250)
        assert t.pages[0].tags["Orientation"].value == 6
    assert pixcodec.probe(tif).metadata["exif"] == md["exif"]
