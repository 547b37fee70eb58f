"""The core functions of the pixcodec package against numpy, Pillow and tifffile."""

import io
import mmap
import os
import threading

import numpy as np
import pytest

import pixcodec as px

DTYPES = ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float32", "float64", "float16"]
CHANNELS = {"gray": 1, "gray_alpha": 2, "rgb": 3, "rgba": 4, "cmyk": 4}


def sample_array(dtype, layout, h=5, w=7, seed=0):
    """Random samples over the dtype's whole range (floats: any finite values)."""
    rng = np.random.default_rng(seed)
    c = CHANNELS[layout]
    shape = (h, w) if c == 1 else (h, w, c)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        # float16 tops out at 65504: a smaller spread keeps the values finite.
        return (rng.standard_normal(shape) * (1e3 if dt.itemsize == 2 else 1e6)).astype(dt)
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)


def exact_rows():
    rows = []
    for c in px.codecs():
        for layout, dtype, fidelity in c["encode"]:
            if fidelity == "exact":
                rows.append((c["name"], layout, dtype))
    return rows


EXACT = exact_rows()


def test_capability_tables_list_the_builtin_codecs():
    names = {c["name"] for c in px.codecs()}
    assert {"png", "jpeg-turbo", "tiff", "npy"} <= names
    png = next(c for c in px.codecs() if c["name"] == "png")
    assert ("gray", "uint16", "exact") in png["encode"]
    assert ("gray", "uint32", "exact") not in png["encode"]
    assert ".png" in png["extensions"] or "png" in png["extensions"]
    tiff = next(c for c in px.codecs() if c["name"] == "tiff")
    comp = next(o for o in tiff["options"] if o["name"] == "compression")
    assert "lzw" in comp["choices"]
    assert len(EXACT) > 50


@pytest.mark.parametrize("codec,layout,dtype", EXACT, ids=[f"{c}-{l}-{d}" for c, l, d in EXACT])
def test_every_exact_claim_round_trips_bit_for_bit(codec, layout, dtype):
    # GIF holds at most 256 colours: 5x7 pixels never exceed that.
    a = sample_array(dtype, layout)
    data = px.encode(a, codec, codec=codec, layout=layout if layout == "cmyk" else None)
    info = px.probe(data)
    assert (info.dtype, info.layout) == (dtype, layout)
    b = px.decode(data)
    assert b.dtype == a.dtype and b.shape == a.shape
    assert a.tobytes() == b.tobytes()  # bit-equal, NaN payloads and -0.0 included


def test_uint32_labels_stay_uint32_and_png_refuses_them():
    labels = np.arange(1, 37, dtype=np.uint32).reshape(6, 6) * 1000
    with pytest.raises(px.NotExactError) as e:
        px.encode(labels, "png")
    assert isinstance(e.value, ValueError)
    msg = str(e.value)
    assert "png cannot store Gray U32" in msg and "tiff" in msg
    back = px.decode(px.encode(labels, "tiff", compression="lzw"))
    assert back.dtype == np.uint32 and np.array_equal(back, labels)


def test_jpeg_is_reported_lossy_and_require_exact_refuses_it():
    x = np.array([[[0, 0, 0], [255, 255, 255]], [[255, 0, 0], [0, 255, 0]]], dtype=np.uint8)
    data, report = px.encode_report(x, "jpeg", verify=True)
    assert report.exact is False and "lossy" in report.lossy_reason
    assert report.codec == "jpeg-turbo" and report.format == "jpeg" and report.bytes == len(data)
    assert report.verification["identical"] is False
    assert not np.array_equal(px.decode(data), x)
    with pytest.raises(px.NotExactError):
        px.encode(x, "jpeg", require_exact=True)
    png, r = px.encode_report(x, ".png", verify=True)
    assert r.exact and r.lossy_reason is None and r.verification["identical"]


def test_unknown_and_bad_codec_options_are_errors():
    x = np.zeros((4, 4), np.uint8)
    with pytest.raises(px.InvalidArgumentError, match="does not accept option 'qualty'"):
        px.encode(x, "jpeg", qualty=90)
    with pytest.raises(px.InvalidArgumentError):
        px.encode(x, "jpeg", quality=101)
    with pytest.raises(px.UnknownFormatError):
        px.encode(x, "nosuchformat")
    assert px.encode(x, "tiff", compression="deflate", predictor=True)[:2] in (b"II", b"MM")


def test_decode_matches_pillow_and_tifffile():
    PIL = pytest.importorskip("PIL.Image")
    tifffile = pytest.importorskip("tifffile")
    rgb = sample_array("uint8", "rgb", 9, 11, seed=3)
    buf = io.BytesIO()
    PIL.fromarray(rgb).save(buf, format="PNG")
    assert np.array_equal(px.decode(buf.getvalue()), rgb)
    # pixcodec's PNG, read by Pillow.
    assert np.array_equal(np.asarray(PIL.open(io.BytesIO(px.encode(rgb, "png")))), rgb)
    f32 = sample_array("float32", "gray", 6, 4, seed=4)
    tb = io.BytesIO()
    tifffile.imwrite(tb, f32)
    assert px.decode(tb.getvalue()).tobytes() == f32.tobytes()
    i16 = sample_array("int16", "rgb", 3, 5, seed=5)
    assert np.array_equal(tifffile.imread(io.BytesIO(px.encode(i16, "tiff", compression="deflate"))), i16)


def test_all_buffer_types(tmp_path):
    a = sample_array("uint16", "rgba", 8, 6, seed=1)
    data = px.encode(a, "png")
    arr = np.frombuffer(data, dtype=np.uint8)
    for buf in (data, bytearray(data), memoryview(data), arr, arr.copy()):
        assert np.array_equal(px.decode(buf), a)
    p = tmp_path / "a.png"
    p.write_bytes(data)
    with open(p, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        out = px.decode(m)
        assert np.array_equal(out, a)
        assert px.probe(m).shape == [8, 6, 4]
    with pytest.raises(px.InvalidArgumentError, match="not contiguous"):
        px.decode(memoryview(bytearray(data))[::2])
    with pytest.raises(px.InvalidArgumentError, match="2-byte items"):
        px.decode(a)
    with pytest.raises(px.InvalidArgumentError, match="imread"):
        px.decode(str(p))


def test_imread_paths_pathlike_and_file_objects(tmp_path):
    a = sample_array("float32", "rgb", 4, 5, seed=2)
    p = tmp_path / "x.tiff"
    report = px.imwrite(p, a, compression="deflate")
    assert report.exact and report.format == "tiff"
    assert px.imread(str(p)).tobytes() == a.tobytes()
    assert px.imread(p).tobytes() == a.tobytes()
    with open(p, "rb") as f:
        assert px.imread(f).tobytes() == a.tobytes()
    assert px.imread(io.BytesIO(p.read_bytes())).tobytes() == a.tobytes()
    info = px.probe(p)
    assert (info.width, info.height, info.dtype, info.layout, info.pages, info.codec) == (
        5, 4, "float32", "rgb", 1, "tiff"
    )


def test_decoded_array_is_decoded_into_without_copy():
    # decode/imread decode straight into a new numpy-allocated array (no Rust buffer, no copy);
    # decode_pages/decode_volume hand Rust memory to numpy (the array's base is a Buffer).
    a = sample_array("uint8", "rgb", 64, 64)
    out = px.decode(px.encode(a, "png"))
    assert out.base is None
    assert out.flags["C_CONTIGUOUS"] and out.flags["OWNDATA"] and out.flags["WRITEABLE"]
    vol = px.decode_volume(px.encode_pages([a, a], "tiff"))
    assert type(vol.base).__name__ == "Buffer" and vol.flags["OWNDATA"] is False
    out[0, 0, 0] = 7  # writeable, and independent of any other decode
    assert px.decode(px.encode(a, "png"))[0, 0, 0] == a[0, 0, 0]


def test_encode_bytes_of_every_length_on_one_thread():
    # encode writes straight into a bytes object once the thread's last two outputs of the same
    # kind (target, shape, dtype) were as long as each other. The sequence reaches every path:
    # buffered, direct with equal length, direct and shorter (copied), direct and longer
    # (spilled), and a new kind; each must give the same bytes as encode_into, and decode back.
    rng = np.random.default_rng(3)
    noisy = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    flat = np.full((48, 64, 3), 7, np.uint8)
    none = {"compression": "none"}
    cases = [
        (noisy, "tiff", none), (noisy, "tiff", none), (noisy, "tiff", none),  # buffered x2, direct equal
        (flat, "png", {}), (flat, "png", {}), (flat, "png", {}),  # new kind, buffered, direct equal
        (noisy, "png", {}),  # direct with flat's length: longer, spilled
        (noisy, "png", {}), (noisy, "png", {}),  # buffered until two lengths repeat
        (flat, "png", {}),  # direct with noisy's length: shorter, copied
        (noisy, "jpeg", {"quality": 95}), (noisy, "jpeg", {"quality": 95}),
        (noisy, "jpeg", {"quality": 50}),  # direct with q95's length: shorter
        (noisy[:, :, 0], "tiff", {"compression": "lzw"}),  # new kind
    ]
    for arr, fmt, opts in cases:
        data = px.encode(arr, fmt, **opts)
        ref = bytearray()
        px.encode_into(arr, fmt, ref, **opts)
        assert type(data) is bytes and data == bytes(ref), (fmt, opts, arr.shape)
        if fmt != "jpeg":
            np.testing.assert_array_equal(px.decode(data), arr)
    # encode_pages shares the path: buffered twice, then direct, each decoding to the pages
    outputs = [px.encode_pages([noisy, flat], "tiff") for _ in range(3)]
    assert outputs[0] == outputs[1] == outputs[2]
    pages = px.decode_pages(outputs[2])
    assert len(pages) == 2
    np.testing.assert_array_equal(pages[0], noisy)
    np.testing.assert_array_equal(pages[1], flat)


@pytest.mark.parametrize(
    "view",
    [
        lambda s: s[::2],  # row stride, used in place
        lambda s: s[1:-1, 2:],  # row stride with an offset
        lambda s: s[:, ::3],  # column stride: copied
        lambda s: s[:, :, ::-1],  # negative channel stride (BGR view): copied
        lambda s: s[::-1],  # negative row stride: copied
        lambda s: np.asfortranarray(s),
        lambda s: s.astype(s.dtype.newbyteorder(">")),  # byte-swapped
        lambda s: s.transpose(1, 0, 2),
    ],
)
def test_strided_and_non_contiguous_input(view):
    s = sample_array("uint16", "rgb", 12, 10, seed=7)
    v = view(s)
    back = px.decode(px.encode(v, "png"))
    assert back.dtype == np.uint16 and np.array_equal(back, v)
    ba = bytearray(b"junk")
    px.encode_into(v, "tiff", ba)
    assert np.array_equal(px.decode(ba), v)


def test_encode_into_reuses_the_bytearray():
    out = bytearray()
    a = sample_array("uint8", "gray", 30, 30)
    r1 = px.encode_into(a, "png", out)
    assert r1.bytes == len(out) and np.array_equal(px.decode(out), a)
    r2 = px.encode_into(a[:3, :3], "png", out)
    assert r2.bytes == len(out) < r1.bytes and np.array_equal(px.decode(out), a[:3, :3])
    with pytest.raises(px.InvalidArgumentError, match="bytearray"):
        px.encode_into(a, "png", b"")


def test_layouts_gray_channel_axis_and_cmyk():
    g = sample_array("uint8", "gray", 4, 4)
    assert px.decode(px.encode(g[:, :, None], "png")).shape == (4, 4)
    cmyk = sample_array("uint8", "cmyk", 4, 4)
    data = px.encode(cmyk, "tiff", layout="cmyk")
    assert px.probe(data).layout == "cmyk"
    assert np.array_equal(px.decode(data), cmyk)
    with pytest.raises(px.InvalidArgumentError, match="layout rgb has 3 channel"):
        px.encode(cmyk, "tiff", layout="rgb")


def test_multi_page_lists_volumes_and_pages():
    vol = np.stack([sample_array("uint16", "gray", 5, 6, seed=i) for i in range(4)])
    data = px.encode_pages(vol, "tiff", compression="lzw")
    assert px.probe(data).pages == 4
    v = px.decode_volume(data)
    assert v.shape == (4, 5, 6) and np.array_equal(v, vol)
    pages = px.decode_pages(data)
    assert len(pages) == 4 and all(np.array_equal(p, q) for p, q in zip(pages, vol))
    assert np.array_equal(px.decode(data, page=3), vol[3])
    with pytest.raises(px.InvalidArgumentError, match="page 4 requested"):
        px.decode(data, page=4)
    mixed = [sample_array("uint8", "rgb", 3, 3), sample_array("float32", "gray", 2, 5)]
    data = px.encode_pages(mixed, "tiff")
    got = px.decode_pages(data)
    assert [g.dtype for g in got] == [np.uint8, np.float32]
    assert all(a.tobytes() == b.tobytes() for a, b in zip(got, mixed))
    with pytest.raises(px.InvalidArgumentError, match="pages differ"):
        px.decode_volume(data)
    with pytest.raises(px.Error):
        px.encode_pages(vol, "png")


def test_two_threads_decode_the_same_as_one():
    imgs = [sample_array("uint8", "rgb", 256, 320, seed=i) for i in range(8)]
    jpegs = [px.encode(i, "jpeg", quality=85) for i in imgs]
    expected = [px.decode(j) for j in jpegs]
    results = {}

    def work(k):
        results[k] = [px.decode(j) for j in jpegs for _ in range(3)]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(2):
        assert all(np.array_equal(a, expected[i // 3]) for i, a in enumerate(results[k]))


@pytest.mark.parametrize(
    "bad,cls,text",
    [
        (np.zeros((2, 2), np.complex64), px.UnsupportedError, "complex64"),
        (np.zeros((2, 2), object), px.UnsupportedError, "object"),
        (np.zeros((2, 2), bool), px.UnsupportedError, "bool"),
        (np.zeros((2, 2), np.complex128), px.UnsupportedError, "complex128"),
        (np.zeros((1, 2, 2, 2, 2), np.uint8), px.InvalidArgumentError, "5-D"),
        (np.zeros((4,), np.uint8), px.InvalidArgumentError, "1-D"),
        (np.zeros((0, 3), np.uint8), px.InvalidArgumentError, "zero-size"),
        (np.zeros((2, 2, 5), np.uint8), px.InvalidArgumentError, "5 channels"),
    ],
)
def test_bad_arrays_raise_pixcodec_errors(bad, cls, text):
    with pytest.raises(cls, match=text) as e:
        px.encode(bad, "tiff")
    assert isinstance(e.value, px.Error)


def test_bad_inputs_raise_pixcodec_errors(tmp_path):
    good = px.encode(sample_array("uint8", "rgb", 32, 32), "jpeg")
    with pytest.raises(px.UnknownFormatError):
        px.decode(b"this is not an image at all")
    with pytest.raises(px.UnknownFormatError, match="empty"):
        px.decode(b"")
    with pytest.raises(px.DecodeError):
        px.decode(good[: len(good) // 3])
    png = px.encode(sample_array("uint8", "rgb", 32, 32), "png")
    with pytest.raises(px.DecodeError):
        px.decode(png[: len(png) - 20])
    (tmp_path / "x.png").write_bytes(png)
    f = open(tmp_path / "x.png", "rb")
    f.close()
    with pytest.raises(px.IoError, match="closed") as e:
        px.imread(f)
    assert isinstance(e.value, OSError)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(px.UnknownFormatError):
        px.imread(text)
    with pytest.raises(px.IoError, match="missing.png"):
        px.imread(tmp_path / "missing.png")
    with open(text, "r") as tf:
        with pytest.raises(px.InvalidArgumentError, match="text mode"):
            px.imread(tf)
    with pytest.raises(px.LimitsError):
        px.decode(png, limits={"max_width": 16})
    with pytest.raises(px.InvalidArgumentError, match="unknown key"):
        px.decode(png, limits={"max_widht": 16})


def test_failed_imwrite_leaves_no_file(tmp_path):
    labels = np.arange(12, dtype=np.uint32).reshape(3, 4) + 70000
    dest = tmp_path / "labels.png"
    with pytest.raises(px.NotExactError):
        px.imwrite(dest, labels)
    assert os.listdir(tmp_path) == []
    dest.write_bytes(b"old")
    with pytest.raises(px.NotExactError):
        px.imwrite(dest, labels)
    assert dest.read_bytes() == b"old" and os.listdir(tmp_path) == ["labels.png"]
    r = px.imwrite(tmp_path / "labels.tif", labels)
    assert r.exact and np.array_equal(px.imread(tmp_path / "labels.tif"), labels)


def test_image_info_fields():
    a = sample_array("uint16", "gray_alpha", 3, 9)
    info = px.probe(px.encode(a, "png"))
    assert info.shape == [3, 9, 2] and info.channels == 2 and info.format == "png"
    assert info.lossy_source is False and isinstance(info.metadata, dict)
    assert px.probe(px.encode(sample_array("uint8", "rgb"), "jpeg")).lossy_source is True
    assert "ImageInfo(width=9, height=3" in repr(info)
