"""Generates the .npy fixtures decoded by tests/npy.rs, with NumPy itself.

Each case writes NAME.npy (as NumPy saves it) and NAME.bin: the same values as raw
little-endian bytes in C order, which the test compares with the decoded pixels.
Run from this folder: python3 make_npy.py
"""
import numpy as np
from numpy.lib import format as npf


def values(shape, dtype):
    n = int(np.prod(shape))
    base = np.arange(n, dtype=np.int64) * 7919 - 3000
    dt = np.dtype(dtype)
    if dt.kind == "f" and dt.itemsize == 2:
        # Halves: the scaled ramp (overflowing to inf past 65504), then the special values
        # +0, -0, smallest/largest subnormal, largest finite, -inf and a NaN with a payload.
        arr = (base.astype(np.float64) * 0.037).astype(dt)
        specials = np.array([0x0000, 0x8000, 0x0001, 0x03FF, 0x7BFF, 0xFC00, 0x7E5A], dtype="<u2")
        arr[: len(specials)] = specials.view("<f2").astype(dt)
    elif dt.kind == "f":
        arr = (base.astype(np.float64) * 0.37).astype(dt)
    elif dt.kind == "b":
        arr = (base % 3 == 0)
    else:
        arr = base.astype(dt)  # wraps like a C cast
    return arr.reshape(shape)


CASES = [
    ("u1_hw", (5, 7), "<u1", "C", (1, 0)),
    ("u2be_hwc3", (4, 6, 3), ">u2", "C", (1, 0)),
    ("u4_labels_nhw", (3, 5, 9), "<u4", "C", (1, 0)),
    ("u8_hw", (3, 4), "<u8", "C", (1, 0)),
    ("i1_hwc2", (3, 5, 2), "|i1", "C", (1, 0)),
    ("i2_fortran_hw", (6, 5), "<i2", "F", (1, 0)),
    ("i4be_hw", (4, 4), ">i4", "C", (1, 0)),
    ("i8_nhwc1", (2, 3, 3, 1), "<i8", "C", (1, 0)),
    ("f4_hwc4", (3, 5, 4), "<f4", "C", (1, 0)),
    ("f8be_fortran_hwc3", (4, 3, 3), ">f8", "F", (1, 0)),
    ("f4_nhwc3_fortran", (2, 3, 5, 3), "<f4", "F", (1, 0)),
    ("bool_hw", (4, 7), "|b1", "C", (1, 0)),
    ("u2_v2", (3, 8), "<u2", "C", (2, 0)),
    ("u1_v3", (2, 9), "<u1", "C", (3, 0)),
    ("f2_hwc3", (4, 5, 3), "<f2", "C", (1, 0)),
    ("f2be_hw", (3, 6), ">f2", "C", (1, 0)),
    # Axes of length 1 and bool, which the image model leaves out (carried as Metadata::npy).
    ("u1_hwc1", (5, 6, 1), "|u1", "C", (1, 0)),
    ("bool_hwc1", (4, 6, 1), "|b1", "C", (1, 0)),
    ("f4_1hw", (1, 3, 6), "<f4", "C", (1, 0)),
    ("u2_1hwc3", (1, 2, 5, 3), "<u2", "C", (1, 0)),
    ("i2_nhwc1", (2, 3, 6, 1), "<i2", "C", (1, 0)),
    ("bool_1hwc1", (1, 3, 5, 1), "|b1", "C", (1, 0)),
]

for name, shape, dtype, order, version in CASES:
    arr = values(shape, dtype)
    arr = np.asfortranarray(arr) if order == "F" else np.ascontiguousarray(arr)
    with open(name + ".npy", "wb") as f:
        npf.write_array(f, arr, version=version)
    le = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"))
    if arr.dtype.kind == "b":
        le = le.astype(np.uint8)
    with open(name + ".bin", "wb") as f:
        f.write(le.tobytes(order="C"))
print("wrote", len(CASES), "cases")
