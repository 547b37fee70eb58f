"""npy arrays keep what an image leaves out: a channel axis of length 1, a page axis of length
1 and the bool dtype go through decode and encode as numpy has them (numpy.save's bytes,
numpy.load's shape and dtype); other formats refuse bool arrays and name the facts they drop."""

import io
from pathlib import Path

import numpy as np
import pytest

import pixcodec as px

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "npy"


def saved(a):
    f = io.BytesIO()
    np.save(f, a)
    return f.getvalue()


def ramp(shape, dtype):
    a = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape) * 37 % 251
    return (a % 2 == 1) if np.dtype(dtype) == np.bool_ else a.astype(dtype)


# Arrays with one of the facts, as numpy.save writes them.
SINGLE = [((5, 6, 1), np.uint8), ((4, 7, 1), np.float32), ((4, 7), np.bool_), ((3, 5, 1), np.bool_)]
VOLUMES = [((1, 3, 6), np.uint16), ((1, 2, 5, 3), np.int8), ((2, 3, 6, 1), np.float64), ((1, 3, 5, 1), np.bool_)]


@pytest.mark.parametrize("shape,dtype", SINGLE)
def test_arrays_encode_to_numpys_bytes_and_decode_to_numpys_arrays(shape, dtype, tmp_path):
    a = ramp(shape, dtype)
    data = px.encode(a, "npy")
    assert data == saved(a)
    back = px.decode(data)
    assert back.shape == a.shape and back.dtype == a.dtype and np.array_equal(back, a)
    info = px.probe(data)
    assert tuple(info.shape) == a.shape and info.dtype == a.dtype.name
    out = bytearray()
    assert px.encode_into(a, "npy", out).metadata_dropped == []
    assert bytes(out) == data
    px.imwrite(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", a)
    assert (tmp_path / "a.npy").read_bytes() == (tmp_path / "b.npy").read_bytes()
    assert np.array_equal(px.imread(tmp_path / "b.npy"), np.load(tmp_path / "b.npy"))


@pytest.mark.parametrize("shape,dtype", VOLUMES)
def test_volumes_encode_to_numpys_bytes_and_decode_to_numpys_arrays(shape, dtype):
    a = ramp(shape, dtype)
    data = px.encode_pages(a, "npy")
    assert data == saved(a)
    vol = px.decode_volume(data)
    assert vol.shape == a.shape and vol.dtype == a.dtype and np.array_equal(vol, a)
    pages = px.decode_pages(data)
    assert len(pages) == a.shape[0] and all(np.array_equal(p, a[i]) for i, p in enumerate(pages))


def test_numpy_written_fixtures_decode_as_numpy_loads_them():
    for name in ["u1_hwc1", "bool_hw", "bool_hwc1", "i2_nhwc1", "f4_1hw", "u2_1hwc3", "bool_1hwc1"]:
        path = DATA / f"{name}.npy"
        a = np.load(path)
        data = path.read_bytes()
        got = px.decode_volume(data) if a.ndim == 4 or a.shape[0] == 1 else px.decode(data)
        assert got.shape == a.shape and got.dtype == a.dtype and np.array_equal(got, a), name
        again = px.encode_pages(got, "npy") if got.ndim == 4 or name == "f4_1hw" else px.encode(got, "npy")
        assert again == data, name


def test_probe_names_the_facts_and_they_travel_as_metadata():
    data = (DATA / "bool_1hwc1.npy").read_bytes()
    info = px.probe(data)
    assert info.metadata == {"npy_channel_axis": True, "npy_page_axis": True, "npy_bool": True}
    assert (tuple(info.shape), info.dtype) == ((3, 5, 1), "bool")
    # The facts given as metadata= shape a plain uint8 (H, W) image as the bool array it was.
    u8 = px.decode_volume(data).astype(np.uint8)[0, :, :, 0]
    assert px.encode(u8, "npy", metadata=info.metadata) == data
    # Other formats store images: each fact is named as dropped, the pixels are kept.
    png, report = px.encode_report(u8, "png", metadata=info.metadata)
    assert report.metadata_dropped == [
        "npy channel axis: png stores images, not arrays: the shape reads back as (H, W), not (H, W, 1)",
        "npy page axis: png stores images, not arrays: the shape reads back as (H, W[, C]), not (1, H, W[, C])",
        "npy bool dtype: png has no bool samples: the 0/1 values are written as U8",
    ]
    assert np.array_equal(px.decode(png), u8)
    with pytest.raises(px.NotExactError, match="npy bool dtype"):
        px.encode(u8, "png", metadata=info.metadata, metadata_policy="strict")


def test_bool_arrays_are_for_npy_and_bool_metadata_needs_0_and_1():
    mask = ramp((4, 5), np.bool_)
    for fmt in ["png", "tiff", ".jpg"]:
        with pytest.raises(px.UnsupportedError, match="bool"):
            px.encode(mask, fmt)
    with pytest.raises(px.UnsupportedError, match="bool"):
        px.encode(mask, "npy", codec="tiff")
    # An (H, W, 1) uint8 array is an image to other formats: nothing to report.
    g = ramp((4, 5, 1), np.uint8)
    _, report = px.encode_report(g, "png")
    assert report.metadata_dropped == []
    bad = np.array([[0, 1, 3]], np.uint8)
    with pytest.raises(px.NotExactError, match="sample 3 at x=2, y=0 of page 0 is neither 0 nor 1"):
        px.encode(bad, "npy", metadata={"npy_bool": True})
    # A bool array writes numpy's bool whatever its metadata says.
    assert px.encode(mask, "npy", metadata={"npy_channel_axis": True}) == saved(mask[:, :, None])
