"""Generates the demo's sample files (run from this folder: python3 make_samples.py).

photo.png   192x128 RGB 8-bit synthetic scene (gradients, discs, stripes), written with zlib
gray16.png  96x64 16-bit gray ramp (values above 255: an 8-bit writer would change them)
labels.npy  5 x 64 x 64 uint32 label volume, labels 0..70000 (needs NumPy)
"""
import math
import struct
import zlib


def png(path, width, height, color_type, bit_depth, rows):
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def photo():
    w, h = 192, 128
    rows = []
    for y in range(h):
        row = bytearray()
        for x in range(w):
            r = int(255 * x / (w - 1))
            g = int(255 * y / (h - 1))
            b = int(128 + 127 * math.sin(x / 9.0) * math.cos(y / 7.0))
            for cx, cy, rad, col in ((60, 60, 30, (250, 220, 40)), (140, 80, 22, (30, 60, 200))):
                if (x - cx) ** 2 + (y - cy) ** 2 < rad * rad:
                    r, g, b = col
            if (x + y) // 6 % 7 == 0 and y > 100:
                r, g, b = 255, 255, 255
            row += bytes((r, g, b))
        rows.append(bytes(row))
    png("photo.png", w, h, 2, 8, rows)


def gray16():
    w, h = 96, 64
    rows = [b"".join(struct.pack(">H", (x * 683 + y * 17) % 65536) for x in range(w)) for y in range(h)]
    png("gray16.png", w, h, 0, 16, rows)


def labels():
    import numpy as np

    vol = ((np.arange(5 * 64 * 64, dtype=np.uint64) * 2713) % 70001).astype(np.uint32).reshape(5, 64, 64)
    vol[1, 3, 7] = 70000
    np.save("labels.npy", vol)


photo()
gray16()
labels()
print("wrote photo.png gray16.png labels.npy")
