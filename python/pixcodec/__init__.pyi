"""Type stubs of the pixcodec package (the functions are implemented in Rust)."""

import mmap
import os
from typing import Any, BinaryIO, Literal, Sequence, TypedDict, Union, overload

import numpy as np
import numpy.typing as npt

__version__: str

BytesLike = Union[bytes, bytearray, memoryview, mmap.mmap, npt.NDArray[np.uint8]]
PathLike = Union[str, os.PathLike[str]]
Limits = Union[dict[str, int], Literal["unlimited"]]
# Codec options; also `metadata=` (a dict with the keys of ImageInfo.metadata) and
# `metadata_policy="keep"|"strict"|"strip"`.
OptionValue = Union[bool, int, float, str, dict[str, Any]]
LayoutName = Literal["gray", "gray_alpha", "rgb", "rgba", "cmyk"]

class Error(Exception): ...
class UnknownFormatError(Error): ...
class UnsupportedError(Error, ValueError): ...
class NotExactError(Error, ValueError): ...
class DecodeError(Error): ...
class EncodeError(Error): ...
class LimitsError(Error): ...
class IoError(Error, OSError): ...
class InvalidArgumentError(Error, ValueError): ...
class BufferTooSmallError(Error): ...

class Verification(TypedDict):
    identical: bool
    max_abs_diff: float
    psnr_db: float

class EncodeReport:
    """What an encode did."""

    @property
    def exact(self) -> bool: ...
    @property
    def lossy_reason(self) -> str | None: ...
    @property
    def codec(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def bytes(self) -> int: ...
    @property
    def pages(self) -> int: ...
    @property
    def verification(self) -> Verification | None: ...
    @property
    def metadata_dropped(self) -> list[str]: ...

class ImageInfo:
    """Header facts of an encoded image."""

    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def dtype(self) -> str: ...
    @property
    def layout(self) -> LayoutName: ...
    @property
    def channels(self) -> int: ...
    @property
    def shape(self) -> list[int]: ...
    @property
    def pages(self) -> int: ...
    @property
    def codec(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def lossy_source(self) -> bool: ...
    # Keys as documented on ImageInfo.metadata; "tiff_tags" is a list[TiffTag].
    @property
    def metadata(self) -> dict[str, Any]: ...
    @property
    def content_note(self) -> str | None: ...
    @property
    def significant_bits(self) -> int | None: ...

class TiffTag(TypedDict):
    """One entry of ``metadata["tiff_tags"]``: a TIFF tag kept as stored (GeoTIFF, GDAL,
    private tags). ``value`` holds ``count`` values of TIFF field type ``type`` (1 BYTE,
    2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, 6 SBYTE, 7 UNDEFINED, 8 SSHORT, 9 SLONG,
    10 SRATIONAL, 11 FLOAT, 12 DOUBLE, 16 LONG8, 17 SLONG8) in the machine's byte order; on
    encode ``count`` may be left out (the number of values in ``value``)."""

    tag: int
    type: int
    count: int
    value: bytes

class CodecOption(TypedDict):
    name: str
    kind: Literal["bool", "int", "float", "choice"]
    choices: list[str] | None
    range: tuple[float, float] | None
    default: OptionValue
    doc: str

class CodecEntry(TypedDict):
    name: str
    format: str
    description: str
    extensions: list[str]
    mime_types: list[str]
    priority: int
    decode: list[tuple[LayoutName, str, Literal["exact", "lossy"]]]
    encode: list[tuple[LayoutName, str, Literal["exact", "lossy"]]]
    exact_with: list[tuple[LayoutName, str, str]]
    multi_page_decode: bool
    multi_page_encode: bool
    options: list[CodecOption]

# The inverse DCT of lossy JPEG decodes (TensorFlow's names also accepted, any case).
DctMethod = Literal["accurate", "fast", "INTEGER_ACCURATE", "INTEGER_FAST"]

def decode(
    data: BytesLike,
    *,
    codec: str | None = None,
    page: int = 0,
    limits: Limits | None = None,
    dct_method: DctMethod | None = None,
) -> np.ndarray: ...
def decode_pages(
    data: BytesLike, *, codec: str | None = None, limits: Limits | None = None, dct_method: DctMethod | None = None
) -> list[np.ndarray]: ...
def decode_volume(
    data: BytesLike, *, codec: str | None = None, limits: Limits | None = None, dct_method: DctMethod | None = None
) -> np.ndarray: ...
def imread(
    path_or_file: PathLike | BinaryIO | BytesLike,
    *,
    codec: str | None = None,
    page: int = 0,
    limits: Limits | None = None,
    dct_method: DctMethod | None = None,
) -> np.ndarray: ...
def probe(
    data_or_path: PathLike | BytesLike, *, codec: str | None = None, page: int = 0, limits: Limits | None = None
) -> ImageInfo: ...
def encode(
    array: npt.ArrayLike,
    format: str,
    *,
    layout: LayoutName | None = None,
    codec: str | None = None,
    require_exact: bool = False,
    verify: bool = False,
    **options: OptionValue,
) -> bytes: ...
def encode_report(
    array: npt.ArrayLike,
    format: str,
    *,
    layout: LayoutName | None = None,
    codec: str | None = None,
    require_exact: bool = False,
    verify: bool = False,
    **options: OptionValue,
) -> tuple[bytes, EncodeReport]: ...
def encode_into(
    array: npt.ArrayLike,
    format: str,
    out: bytearray,
    *,
    layout: LayoutName | None = None,
    codec: str | None = None,
    require_exact: bool = False,
    verify: bool = False,
    **options: OptionValue,
) -> EncodeReport: ...
def encode_pages(
    arrays_or_volume: Sequence[npt.ArrayLike] | npt.ArrayLike,
    format: str,
    *,
    layout: LayoutName | None = None,
    codec: str | None = None,
    require_exact: bool = False,
    verify: bool = False,
    **options: OptionValue,
) -> bytes: ...
def imwrite(
    path: PathLike,
    array: npt.ArrayLike | Sequence[npt.ArrayLike],
    *,
    format: str | None = None,
    layout: LayoutName | None = None,
    codec: str | None = None,
    require_exact: bool = False,
    verify: bool = False,
    **options: OptionValue,
) -> EncodeReport: ...
def codecs() -> list[CodecEntry]: ...
@overload
def invert(
    array: npt.ArrayLike,
    *,
    layout: LayoutName | None = None,
    significant_bits: int | None = None,
    metadata: None = None,
) -> np.ndarray:
    """Colour samples ``max - v`` (alpha kept), same dtype and shape; unsigned integer dtypes only."""

@overload
def invert(
    array: npt.ArrayLike,
    *,
    layout: LayoutName | None = None,
    significant_bits: int | None = None,
    metadata: dict[str, Any],
) -> tuple[np.ndarray, dict[str, Any]]:
    """The same picture in the other photometric convention: the inverted array and a copy of
    ``metadata`` with ``photometric`` flipped."""
