"""Writes the photometric fixtures of tests/photometric.rs, cli/tests/photometric.rs and
python/tests/test_photometric.py, once (the files are committed; rerunning gives the same
TIFF bytes, the JPEG bytes depend on Pillow's libjpeg).

    python -m venv /tmp/v && /tmp/v/bin/pip install tifffile pillow numpy
    /tmp/v/bin/python tests/data/photometric/make_fixtures.py

- wiz_u8.tif: 16x8 WhiteIsZero (PhotometricInterpretation 0) gray U8, tifffile
  (photometric='miniswhite'); stored samples (x * 16 + y) % 256, 0 meaning white.
- wiz_u16.tif: 12x5 WhiteIsZero gray U16, stored samples x * 5000 + y * 7.
- wiz_1bit.tif: 16x4 WhiteIsZero 1-bit (bilevel, as fax pages are), stored bits (x + y) % 3 == 0.
- adobe_cmyk.jpg: 16x8 CMYK JPEG written by Pillow (quality 95), which stores CMYK inverted
  with an Adobe APP14 marker, as Photoshop does. Its ink values are written in
  adobe_cmyk_ink.npy (what Pillow was given).
"""

import pathlib

import numpy as np
import tifffile
from PIL import Image

HERE = pathlib.Path(__file__).resolve().parent


def main():
    y, x = np.mgrid[0:8, 0:16]
    tifffile.imwrite(HERE / "wiz_u8.tif", ((x * 16 + y) % 256).astype(np.uint8), photometric="miniswhite")
    y, x = np.mgrid[0:5, 0:12]
    tifffile.imwrite(HERE / "wiz_u16.tif", (x * 5000 + y * 7).astype(np.uint16), photometric="miniswhite")
    y, x = np.mgrid[0:4, 0:16]
    bits = ((x + y) % 3 == 0).astype(np.uint8)
    tifffile.imwrite(HERE / "wiz_1bit.tif", bits, photometric="miniswhite", bitspersample=1)
    y, x = np.mgrid[0:8, 0:16]
    ink = np.stack([x * 16, y * 32, (x + y) * 8, np.full_like(x, 40)], axis=-1).clip(0, 255).astype(np.uint8)
    np.save(HERE / "adobe_cmyk_ink.npy", ink)
    Image.fromarray(ink, mode="CMYK").save(HERE / "adobe_cmyk.jpg", quality=95)


if __name__ == "__main__":
    main()
