"""Keras-style image helpers over ``pixcodec.ml`` (no TensorFlow needed).

Every function named after a Keras one gives Keras' result with Keras' arguments, with two
deliberate differences where Keras silently changes data:

- :func:`load_img` returns a numpy array in the file's own dtype (Keras returns a PIL image,
  which makes 16-bit RGB 8-bit); :func:`img_to_array` turns it into ``float32`` as Keras does.
- :func:`array_to_img` and :func:`save_img` never rescale unless asked: ``scale=None`` casts
  exactly and raises :class:`pixcodec.NotExactError` naming the first value that does not fit;
  ``scale="minmax"`` is Keras' ``scale=True``; ``scale=(lo, hi)`` maps a fixed range.

``shrink_on_load=True`` (off by default, for Keras parity) lets JPEG decoding shrink by
1/2, 1/4 or 1/8 in the DCT domain before resizing: much faster for large photos, but the
pixels differ from a full decode + resize. It takes the largest reduction whose result stayed
within ``shrink_min_psnr`` dB (default 40) of the full path in pixcodec's measurements for the
chosen filter: Pillow's antialiased filters (bilinear, bicubic, lanczos) shrink at 40 dB;
``nearest`` and the datasets' bilinear without antialias measured 22.8-33.1 dB and shrink only
with a lower ``shrink_min_psnr`` (e.g. 20).

JPEG inverse DCT: :func:`load_img` decodes as Pillow (libjpeg's accurate IDCT), as Keras'
``load_img`` does; :func:`image_dataset_from_directory` decodes as TensorFlow's
``decode_jpeg`` (its fast IDCT by default, ``dct_method="INTEGER_ACCURATE"`` to change it).
"""

from __future__ import annotations

import os

import numpy as np

from . import _pixcodec, imwrite

__all__ = ["array_to_img", "image_dataset_from_directory", "img_to_array", "load_img", "save_img"]

_COLOR_MODES = {"grayscale": "gray", "rgb": "rgb", "rgba": "rgba"}


def _color_mode(color_mode):
    try:
        return _COLOR_MODES[color_mode]
    except (KeyError, TypeError):
        from . import InvalidArgumentError

        raise InvalidArgumentError(
            f'color_mode must be "grayscale", "rgb" or "rgba"; got {color_mode!r}'
        ) from None


def load_img(
    path,
    color_mode="rgb",
    target_size=None,
    interpolation="nearest",
    keep_aspect_ratio=False,
    *,
    shrink_on_load=False,
    shrink_min_psnr=_pixcodec.DEFAULT_SHRINK_MIN_PSNR,
    limits=None,
):
    """Keras' ``load_img``: reads an image file (path, ``os.PathLike``, bytes-like object or
    binary file object), converts it to ``color_mode`` (``"grayscale"``, ``"rgb"``, ``"rgba"``,
    as Pillow's ``convert``) and, with ``target_size=(height, width)``, resizes it with
    ``interpolation`` (``nearest`` (default), ``bilinear``, ``bicubic``, ``lanczos``, ``box``,
    ``hamming``; Pillow's filters) after a centre crop when ``keep_aspect_ratio``.

    Returns an ``ndarray`` ``(H, W, C)`` (``(H, W)`` for grayscale, as ``numpy.asarray`` of a
    Pillow ``L`` image) in the file's dtype: 16-bit files stay ``uint16``.
    """
    if hasattr(path, "read") and not isinstance(path, (bytes, bytearray, memoryview)):
        path = path.read()
    if target_size is not None:
        target_size = (int(target_size[0]), int(target_size[1]))
    interpolation = {"lanczos": "lanczos3"}.get(interpolation, interpolation)
    return _pixcodec._load_img(
        path,
        _color_mode(color_mode),
        target_size,
        interpolation,
        bool(keep_aspect_ratio),
        bool(shrink_on_load),
        float(shrink_min_psnr),
        limits,
    )


def img_to_array(img, dtype="float32", data_format="channels_last"):
    """Keras' ``img_to_array``: an ``(H, W, C)`` array (``(C, H, W)`` with
    ``data_format="channels_first"``) of ``dtype`` (default ``"float32"``); a 2-D image gets a
    channel axis. The cast is exact: a value the dtype cannot hold (``uint32`` above 2**24 in
    ``float32``) raises :class:`pixcodec.NotExactError` naming it. Keras' positional order
    ``img_to_array(img, "channels_first")`` is understood too.
    """
    if isinstance(dtype, str) and dtype in ("channels_last", "channels_first"):
        dtype, data_format = (None if data_format in ("channels_last", "channels_first") else data_format), dtype
    dtype = "float32" if dtype is None else dtype
    data_format = "channels_last" if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        from . import InvalidArgumentError

        raise InvalidArgumentError(f"unknown data_format {data_format!r} (channels_last, channels_first)")
    x = np.asarray(img)
    if x.ndim not in (2, 3):
        from . import InvalidArgumentError

        raise InvalidArgumentError(f"an image array has shape (H, W) or (H, W, C); got {x.shape}")
    if x.dtype != np.dtype(dtype):
        x = _pixcodec._convert(x, dtype)
    else:
        x = np.array(x)
    if x.ndim == 2:
        x = x[:, :, None]
    if data_format == "channels_first":
        x = np.ascontiguousarray(np.moveaxis(x, -1, 0))
    return x


def _scale_args(scale):
    if scale is None:
        return None, 0.0, 1.0
    if isinstance(scale, str):
        if scale != "minmax":
            from . import InvalidArgumentError

            raise InvalidArgumentError(f'scale must be None, "minmax" or a (lo, hi) pair; got {scale!r}')
        return "minmax", 0.0, 1.0
    if scale is True:
        from . import InvalidArgumentError

        raise InvalidArgumentError(
            'scale=True is Keras\' min-max rescaling: ask for it by name, scale="minmax" '
            "(scale=None, the default, keeps values exactly)"
        )
    try:
        lo, hi = scale
    except (TypeError, ValueError):
        from . import InvalidArgumentError

        raise InvalidArgumentError(f'scale must be None, "minmax" or a (lo, hi) pair; got {scale!r}') from None
    return "range", float(lo), float(hi)


def array_to_img(x, data_format=None, scale=None, dtype="uint8"):
    """Keras' ``array_to_img`` made exact: an ``(H, W, C)`` (or ``channels_first``) array
    becomes an image array of ``dtype`` (default ``uint8``, what Keras' PIL image holds;
    ``None`` keeps the array's dtype). ``scale=None`` (default) casts exactly and raises
    :class:`pixcodec.NotExactError` naming the first value that does not fit;
    ``scale="minmax"`` maps min..max onto the dtype's range (Keras' ``scale=True``);
    ``scale=(lo, hi)`` maps that range, failing on values outside it. Returns ``(H, W)`` for
    one channel, ``(H, W, C)`` otherwise.
    """
    x = np.asarray(x)
    data_format = "channels_last" if data_format is None else data_format
    if x.ndim == 3 and data_format == "channels_first":
        x = np.moveaxis(x, 0, -1)
    if x.ndim == 3 and x.shape[-1] == 1:
        x = x[:, :, 0]
    kind, lo, hi = _scale_args(scale)
    target = x.dtype if dtype is None else np.dtype(dtype)
    if kind is None and x.dtype == target:
        return np.array(x)
    return _pixcodec._convert(x, target.name if isinstance(target, np.dtype) else target, kind, lo, hi)


def save_img(path, x, data_format=None, file_format=None, scale=None, dtype="uint8", **options):
    """Keras' ``save_img`` made exact: :func:`array_to_img` (same ``scale`` and ``dtype``
    rules) then an atomic :func:`pixcodec.imwrite` in ``file_format`` (default: from the
    extension). ``options`` are the codec's options (``quality=95`` for JPEG, ...). Returns
    the :class:`pixcodec.EncodeReport` (a JPEG is reported lossy).
    """
    img = array_to_img(x, data_format=data_format, scale=scale, dtype=dtype)
    return imwrite(os.fspath(path), img, format=file_format, **options)


def image_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    color_mode="rgb",
    batch_size=32,
    image_size=(256, 256),
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    interpolation="bilinear",
    follow_links=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    data_format=None,
    verbose=True,
    *,
    shrink_on_load=False,
    dtype="float32",
    prefetch=2,
    dct_method="INTEGER_FAST",
    shrink_min_psnr=_pixcodec.DEFAULT_SHRINK_MIN_PSNR,
):
    """Keras' ``image_dataset_from_directory`` with its parameters and defaults, backed by the
    Rust ``ml::Dataset``: the same file order, shuffle (NumPy's ``RandomState(seed)``), split,
    class names and labels; images resized as ``tf.image.resize`` (no antialias).

    Returns an iterable of ``(images, labels)`` numpy batches, images ``float32`` ``(N, H, W, C)``
    holding 0..255, labels ``int32`` ``(N,)`` (``"int"``), ``float32`` ``(N, K)``
    (``"categorical"``) or ``(N, 1)`` (``"binary"``); images only when ``label_mode`` or
    ``labels`` is ``None``. It has ``class_names``, ``file_paths`` and ``len()``; batches are
    decoded on all cores, ``prefetch`` batches ahead, with the GIL released. With
    ``subset="both"`` a ``(training, validation)`` pair is returned. ``batch_size=None``
    yields single images. ``dtype="uint8"`` keeps the files' own samples instead of float32.
    ``data_format="channels_first"`` is not supported (Keras' default is channels_last).
    ``dct_method`` is the inverse DCT of JPEG files, as ``tf.io.decode_jpeg``'s: Keras decodes
    with TensorFlow's default, ``"INTEGER_FAST"``, so that is the default here too (Keras'
    pixels); ``"INTEGER_ACCURATE"`` decodes as :func:`load_img` and Pillow do.
    ``shrink_on_load=True`` lets JPEG decoding shrink within ``shrink_min_psnr`` dB (default
    40) of the full path; the datasets' bilinear without antialias measured 22.8-33.1 dB, so it
    shrinks only with a lower tolerance (e.g. ``shrink_min_psnr=20``), and its pixels are then
    not Keras'.
    """
    if data_format not in (None, "channels_last"):
        from . import UnsupportedError

        raise UnsupportedError("data_format='channels_first' is not supported; transpose the batches")
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple)):
        from . import InvalidArgumentError

        raise InvalidArgumentError(
            f'labels must be "inferred", None, or a list/tuple of integers; got {labels!r}'
        )
    if labels is None:
        label_mode = None
    if isinstance(labels, (list, tuple)):
        labels = [int(v) for v in labels]
    interpolation = {"lanczos": "lanczos3"}.get(interpolation, interpolation)
    return _pixcodec._dataset(
        os.fspath(directory),
        labels,
        label_mode,
        list(class_names) if class_names is not None else None,
        _color_mode(color_mode),
        None if batch_size is None else int(batch_size),
        (int(image_size[0]), int(image_size[1])),
        bool(shuffle),
        None if seed is None else int(seed),
        None if validation_split is None else float(validation_split),
        subset,
        interpolation,
        bool(follow_links),
        bool(crop_to_aspect_ratio),
        bool(pad_to_aspect_ratio),
        bool(verbose),
        bool(shrink_on_load),
        dtype,
        int(prefetch),
        str(dct_method),
        float(shrink_min_psnr),
    )
