//! `ImageInfo` and `probe`.

use pixcodec::{ImageInfo as RsInfo, Registry};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::{dtype::*, errors::*, input::*, metadata, owned::*};

/// Header facts of an encoded image (``pixcodec.probe``).
#[pyclass(frozen, get_all, module = "pixcodec")]
pub(crate) struct ImageInfo {
    /// Width in pixels.
    width: u32,
    /// Height in pixels.
    height: u32,
    /// numpy dtype name of the samples (``"uint8"``, ``"float32"``, ..., ``"bool"`` for an
    /// ``.npy`` bool array).
    dtype: &'static str,
    /// Channel meaning: ``"gray"``, ``"gray_alpha"``, ``"rgb"``, ``"rgba"`` or ``"cmyk"``.
    layout: &'static str,
    /// Number of channels.
    channels: usize,
    /// Shape of the array ``decode`` returns.
    shape: Vec<usize>,
    /// Number of pages (1 for single-image formats).
    pages: u32,
    /// Codec that reads the data (``"png"``, ``"jpeg-turbo"``, ...).
    codec: String,
    /// Format name (``"png"``, ``"jpeg"``, ``"tiff"``, ...).
    format: String,
    /// True when the file format is lossy (the samples are already an approximation).
    lossy_source: bool,
    /// Metadata found: ``icc_profile``, ``exif``, ``xmp`` (bytes), ``orientation`` (int),
    /// ``dpi`` ((x, y)), ``resolution`` ((x, y, unit)), ``text`` (list of (keyword, value,
    /// language)), ``unreadable`` (list of str), and for ``.npy`` arrays ``npy_channel_axis``,
    /// ``npy_page_axis``, ``npy_bool`` (True: an axis of length 1 or the bool dtype, which
    /// only npy writes back), ``photometric`` (``"white-is-zero"`` for a TIFF WhiteIsZero gray
    /// page, ``"adobe-inverted-cmyk"`` for a CMYK JPEG with an Adobe marker: the samples are
    /// as stored, inverted), the page's animation timing ``frame_delay_ms`` (int) and
    /// ``frame_disposal`` (``"keep"``, ``"background"``, ``"previous"``) and, on the first
    /// page, ``loop_count`` (total plays, 0 forever; absent for a GIF without a NETSCAPE2.0
    /// extension, played once), ``tiff_tags`` (the TIFF tags kept as stored: GeoTIFF, GDAL,
    /// private tags; a list of dicts ``{"tag": int, "type": int, "count": int, "value":
    /// bytes}``, the values in the machine's byte order; TIFF writes them back, other formats
    /// list each as ``tiff tag N`` dropped); absent items are missing from the dict. The
    /// encode functions take the same dict as ``metadata=``, with ``frame_delay_ms`` and
    /// ``frame_disposal`` also as lists, one entry per page of ``encode_pages``, and
    /// ``tiff_tags`` entries without ``count`` (the number of values in ``value``).
    metadata: Py<PyDict>,
    /// Set when a file's extension disagrees with its content.
    content_note: Option<String>,
    /// Stored bits per sample when narrower than the dtype (e.g. 12 for a 12-bit TIFF read as
    /// uint16), else None; pass it as ``significant_bits=`` to write the file back at its depth.
    significant_bits: Option<u8>,
}

#[pymethods]
impl ImageInfo {
    fn __repr__(&self) -> String {
        format!(
            "ImageInfo(width={}, height={}, dtype='{}', layout='{}', pages={}, codec='{}', lossy_source={})",
            self.width,
            self.height,
            self.dtype,
            self.layout,
            self.pages,
            self.codec,
            if self.lossy_source { "True" } else { "False" }
        )
    }
}

pub(crate) fn info_to_py(py: Python<'_>, i: RsInfo) -> PyResult<ImageInfo> {
    let md = metadata::to_py(py, &i.metadata)?;
    Ok(ImageInfo {
        width: i.width,
        height: i.height,
        dtype: array_dtype(i.format.sample, i.metadata.npy),
        layout: layout_name(i.format.layout),
        channels: i.format.layout.channels(),
        shape: array_shape(i.width, i.height, i.format.layout, i.metadata.npy),
        pages: i.pages,
        codec: i.codec,
        format: i.format_name,
        lossy_source: i.lossy_source,
        metadata: md.unbind(),
        content_note: i.content_note,
        significant_bits: i.significant_bits,
    })
}

/// probe(data_or_path, *, codec=None, page=0, limits=None) -> ImageInfo
///
/// Header facts (size, dtype, layout, pages, codec, lossy source, metadata) without decoding
/// pixels; takes a path or a bytes-like object. ``page`` picks a later page's facts (its
/// size, format and metadata, such as an animation frame's timing).
#[pyfunction]
#[pyo3(signature = (data_or_path, *, codec=None, page=0, limits=None))]
pub(crate) fn probe(
    py: Python<'_>,
    data_or_path: &Bound<'_, PyAny>,
    codec: Option<String>,
    page: u32,
    limits: Option<&Bound<'_, PyAny>>,
) -> PyResult<ImageInfo> {
    let opts = decode_options(codec, limits, None)?;
    let info = if let Some(path) = as_path(data_or_path)? {
        py.detach(|| Registry::global().probe_path_page(&path, page, &opts))
            .py()?
    } else {
        let input = Input::get(data_or_path, &opts.limits)?;
        let bytes = input.slice();
        py.detach(|| Registry::global().probe_page(bytes, page, &opts)).py()?
    };
    info_to_py(py, info)
}
