"""Type stubs of pixcodec.keras."""

import os
from typing import BinaryIO, Iterator, Literal, Sequence, Union, overload

import numpy as np
import numpy.typing as npt

from . import BytesLike, DctMethod, EncodeReport, Limits, OptionValue

PathLike = Union[str, os.PathLike[str]]
ColorMode = Literal["grayscale", "rgb", "rgba"]
Scale = Union[None, Literal["minmax"], tuple[float, float]]

def load_img(
    path: PathLike | BinaryIO | BytesLike,
    color_mode: ColorMode = "rgb",
    target_size: tuple[int, int] | None = None,
    interpolation: str = "nearest",
    keep_aspect_ratio: bool = False,
    *,
    shrink_on_load: bool = False,
    shrink_min_psnr: float = 40.0,
    limits: Limits | None = None,
) -> np.ndarray: ...
def img_to_array(
    img: npt.ArrayLike,
    dtype: npt.DTypeLike | None = "float32",
    data_format: Literal["channels_last", "channels_first"] | None = "channels_last",
) -> np.ndarray: ...
def array_to_img(
    x: npt.ArrayLike,
    data_format: Literal["channels_last", "channels_first"] | None = None,
    scale: Scale = None,
    dtype: npt.DTypeLike | None = "uint8",
) -> np.ndarray: ...
def save_img(
    path: PathLike,
    x: npt.ArrayLike,
    data_format: Literal["channels_last", "channels_first"] | None = None,
    file_format: str | None = None,
    scale: Scale = None,
    dtype: npt.DTypeLike | None = "uint8",
    **options: OptionValue,
) -> EncodeReport: ...

class ImageDataset:
    """Batches of (images, labels), or images alone without labels."""

    @property
    def class_names(self) -> list[str]: ...
    @property
    def file_paths(self) -> list[str]: ...
    @property
    def labels(self) -> list[int] | None: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray] | np.ndarray]: ...

@overload
def image_dataset_from_directory(
    directory: PathLike,
    labels: Literal["inferred"] | Sequence[int] | None = "inferred",
    label_mode: Literal["int", "categorical", "binary"] | None = "int",
    class_names: Sequence[str] | None = None,
    color_mode: ColorMode = "rgb",
    batch_size: int | None = 32,
    image_size: tuple[int, int] = (256, 256),
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: Literal["training", "validation"] | None = None,
    interpolation: str = "bilinear",
    follow_links: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    data_format: Literal["channels_last"] | None = None,
    verbose: bool = True,
    *,
    shrink_on_load: bool = False,
    dtype: str = "float32",
    prefetch: int = 2,
    dct_method: DctMethod = "INTEGER_FAST",
    shrink_min_psnr: float = 40.0,
) -> ImageDataset: ...
@overload
def image_dataset_from_directory(
    directory: PathLike,
    labels: Literal["inferred"] | Sequence[int] | None = "inferred",
    label_mode: Literal["int", "categorical", "binary"] | None = "int",
    class_names: Sequence[str] | None = None,
    color_mode: ColorMode = "rgb",
    batch_size: int | None = 32,
    image_size: tuple[int, int] = (256, 256),
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    *,
    subset: Literal["both"],
    interpolation: str = "bilinear",
    follow_links: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    data_format: Literal["channels_last"] | None = None,
    verbose: bool = True,
    shrink_on_load: bool = False,
    dtype: str = "float32",
    prefetch: int = 2,
    dct_method: DctMethod = "INTEGER_FAST",
    shrink_min_psnr: float = 40.0,
) -> tuple[ImageDataset, ImageDataset]: ...
