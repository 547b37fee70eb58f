"""Significant bits in PNG (issue 16): pixcodec's sub-byte and sBIT PNGs as Pillow reads them,
and Pillow's sub-byte PNGs as pixcodec and pixcodec.keras read them."""

import io

import numpy as np
import pytest

import pixcodec as px
from pixcodec import keras as pk

PIL = pytest.importorskip("PIL.Image")


def twelve_bit(shape, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4096, size=shape, dtype=np.uint16)
    a.flat[0], a.flat[1] = 0, 4095
    return a


def test_pillow_reads_a_12_bit_png_at_full_brightness():
    a = twelve_bit((21, 17), 12)
    data = px.encode(a, "png", significant_bits=12)
    im = PIL.open(io.BytesIO(data))
    assert im.mode == "I;16"
    got = np.asarray(im).astype(np.uint16)
    np.testing.assert_array_equal(got, (a << 4) | (a >> 8))
    # pixcodec itself reads the 12-bit values back.
    np.testing.assert_array_equal(px.decode(data), a)
    assert px.probe(data).significant_bits == 12


def test_12_bit_rgb_png_has_replicated_samples():
    a = twelve_bit((9, 11, 3), 3)
    data = px.encode(a, "png", significant_bits=12)
    np.testing.assert_array_equal(px.decode(data), a)
    assert px.probe(data).significant_bits == 12


@pytest.mark.parametrize("bits", [1, 2, 4])
def test_pillow_reads_sub_byte_pngs_scaled(bits):
    rng = np.random.default_rng(bits)
    a = rng.integers(0, 1 << bits, size=(13, 19), dtype=np.uint8)
    a[0, 0], a[0, 1] = 0, (1 << bits) - 1
    data = px.encode(a, "png", significant_bits=bits)
    im = PIL.open(io.BytesIO(data))
    assert im.mode == ("1" if bits == 1 else "L")
    got = np.asarray(im.convert("L"))
    np.testing.assert_array_equal(got, a.astype(np.uint16) * (255 // ((1 << bits) - 1)))
    # pixcodec: the stored values; pixcodec.keras: Pillow's view, as Keras' load_img.
    np.testing.assert_array_equal(px.decode(data), a)
    assert px.probe(data).significant_bits == bits
    np.testing.assert_array_equal(pk.load_img(data, color_mode="grayscale"), got)


def test_pillow_one_bit_png_reads_as_stored_values():
    a = (np.indices((10, 14)).sum(axis=0) % 3 == 0).astype(np.uint8) * 255
    buf = io.BytesIO()
    PIL.fromarray(a).convert("1").save(buf, format="PNG")
    data = buf.getvalue()
    assert px.probe(data).significant_bits == 1
    np.testing.assert_array_equal(px.decode(data), a // 255)
    np.testing.assert_array_equal(pk.load_img(data, color_mode="grayscale"), a)
    ref = np.asarray(PIL.open(io.BytesIO(data)).convert("RGB"))
    np.testing.assert_array_equal(pk.load_img(data), ref)


def test_values_that_do_not_fit_are_refused():
    a = np.array([[0, 1], [2, 1]], dtype=np.uint8)
    with pytest.raises(px.InvalidArgumentError, match=r"sample 2 at pixel \(0, 1\) channel 0"):
        px.encode(a, "png", significant_bits=1)
