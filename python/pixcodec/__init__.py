"""pixcodec: exact image codecs for numpy.

Decoding returns the samples the file holds, in the file's own dtype (a 16-bit PNG stays
``uint16``, a float TIFF stays ``float32``, signed stays signed). Encoding never narrows,
clips, rescales or drops channels behind your back: a codec that cannot hold the array
exactly refuses with :class:`NotExactError`, naming what it can hold, and every encode can
report whether the result is bit-exact. Lossy codecs (JPEG) are used only when you name
them, and the report says so.

The package is a thin layer over the Rust crate ``pixcodec`` (PyO3 + rust-numpy): every
decode, encode, resize, inversion and file read runs with the GIL released, and decoded pixels are
handed to numpy without a copy.

Functions: :func:`decode`, :func:`decode_pages`, :func:`decode_volume`, :func:`imread`,
:func:`encode`, :func:`encode_into`, :func:`encode_pages`, :func:`imwrite`, :func:`probe`,
:func:`codecs`, :func:`invert` (``max - v``, and the photometric convention flipped with
``metadata=``). Keras-style helpers live in :mod:`pixcodec.keras`.
"""

from __future__ import annotations


class Error(Exception):
    """Base class of every pixcodec error; the message is the Rust library's message."""


class UnknownFormatError(Error):
    """No registered codec recognises the data, name, extension or MIME type."""


class UnsupportedError(Error, ValueError):
    """Valid input that uses something pixcodec does not handle (a dtype, a codec feature)."""


class NotExactError(Error, ValueError):
    """The operation would change pixel values (lossy codec with ``require_exact``, narrowing,
    a value that does not fit); the message says what the codec can hold and what to use."""


class DecodeError(Error):
    """The input could not be decoded (corrupt, truncated, malformed)."""


class EncodeError(Error):
    """The encoder failed."""


class LimitsError(Error):
    """A decoding limit (dimensions, pixels, bytes, pages) would be exceeded."""


class IoError(Error, OSError):
    """An operating-system I/O error (missing file, closed file object, ...)."""


class InvalidArgumentError(Error, ValueError):
    """An argument is invalid (array shape, unknown option, out-of-range value, ...)."""


class BufferTooSmallError(Error):
    """A caller buffer is too small."""


from ._pixcodec import (  # noqa: E402  (the native module looks the classes above up)
    EncodeReport,
    ImageInfo,
    __version__,
    codecs,
    decode,
    decode_pages,
    decode_volume,
    imread,
    imwrite,
    invert,
    probe,
)
from ._pixcodec import encode as _encode  # noqa: E402
from ._pixcodec import encode_into as _encode_into  # noqa: E402
from ._pixcodec import encode_pages as _encode_pages  # noqa: E402
from ._pixcodec import encode_report as _encode_report  # noqa: E402


def encode(array, format, *, layout=None, codec=None, require_exact=False, verify=False, **options):
    """Encodes ``array`` and returns the file as ``bytes`` (``cv2.imencode`` / ``BytesIO``).

    ``array`` is ``(H, W)`` or ``(H, W, C)`` (C = 1..4; ``layout="cmyk"`` for 4-channel CMYK),
    of dtype ``uint8..uint64``, ``int8..int64``, ``float16``, ``float32`` or ``float64``, with any strides;
    for ``npy`` also ``bool``, and an ``(H, W, 1)`` or ``bool`` array is written as ``numpy.save``
    writes it.
    ``format`` is a codec name (``"png"``, ``"jpeg-turbo"``), a format (``"tiff"``), an
    extension (``".jpg"``) or a MIME type. ``options`` are the codec's options (see
    :func:`codecs`): ``quality=90``, ``compression="lzw"``, ``predictor=True``, ...; unknown keys
    are errors. A codec that cannot hold the array exactly raises :class:`NotExactError`;
    ``require_exact=True`` also refuses lossy codecs. Use :func:`encode_report` to get the
    :class:`EncodeReport` as well.
    """
    return _encode(array, format, layout=layout, codec=codec, require_exact=require_exact, verify=verify, **options)


def encode_report(array, format, *, layout=None, codec=None, require_exact=False, verify=False, **options):
    """:func:`encode`, returning ``(bytes, EncodeReport)``."""
    return _encode_report(
        array, format, layout=layout, codec=codec, require_exact=require_exact, verify=verify, **options
    )


def encode_into(array, format, out, *, layout=None, codec=None, require_exact=False, verify=False, **options):
    """:func:`encode` into ``out`` (a ``bytearray``), which is resized to the file's length
    and reuses its memory; returns the :class:`EncodeReport`."""
    return _encode_into(
        array, format, out, layout=layout, codec=codec, require_exact=require_exact, verify=verify, **options
    )


def encode_pages(arrays_or_volume, format, *, layout=None, codec=None, require_exact=False, verify=False, **options):
    """Encodes several pages (a list of ``(H, W[, C])`` arrays, or one ``(N, H, W[, C])``
    volume) into one multi-page file (TIFF, npy) and returns its ``bytes``; npy writes a
    volume as ``numpy.save`` does, ``(1, H, W)`` included."""
    data, _ = _encode_pages(
        arrays_or_volume, format, layout=layout, codec=codec, require_exact=require_exact, verify=verify, **options
    )
    return data


__all__ = [
    "BufferTooSmallError",
    "DecodeError",
    "EncodeError",
    "EncodeReport",
    "Error",
    "ImageInfo",
    "InvalidArgumentError",
    "IoError",
    "LimitsError",
    "NotExactError",
    "UnknownFormatError",
    "UnsupportedError",
    "__version__",
    "codecs",
    "decode",
    "decode_pages",
    "decode_volume",
    "encode",
    "encode_into",
    "encode_pages",
    "encode_report",
    "imread",
    "imwrite",
    "invert",
    "probe",
]
