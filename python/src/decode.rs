//! Decoding: `decode`, `decode_pages`, `decode_volume`, `imread`.

use pixcodec::metadata::NpyArray;
use pixcodec::{DecodeOptions, Image, Registry};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::{errors::*, input::*, owned::*};

/// Decodes page `page`, with the `.npy` array facts of the file (shape and dtype of the array).
pub(crate) fn decode_page(data: &[u8], opts: &DecodeOptions, page: u32) -> pixcodec::Result<(Image, NpyArray)> {
    let mut dec = Registry::global().decoder_on_page(data, page, opts)?;
    let info = dec.info();
    let (width, height, format, npy) = (info.width, info.height, info.format, info.metadata.npy);
    opts.limits.check_image(width, height, format)?;
    let mut img = Image::new(width, height, format)?;
    dec.decode_into(img.as_mut())?;
    Ok((img, npy))
}

/// decode(data, *, codec=None, page=0, limits=None) -> numpy.ndarray
///
/// Decodes one page (default the first) of an encoded image held in any bytes-like object
/// (bytes, bytearray, memoryview, numpy uint8 array, mmap). Returns ``(H, W)`` for gray,
/// ``(H, W, C)`` otherwise, in the file's own dtype; an ``.npy`` array keeps its channel axis
/// of length 1 (``(H, W, 1)``) and its ``bool`` dtype. The array owns the decoded buffer (no
/// copy). ``codec`` forces a codec by name; ``limits`` is a dict of max_width, max_height,
/// max_pixels, max_alloc_bytes, max_pages (or ``"unlimited"``). ``dct_method`` chooses the
/// inverse DCT of a lossy JPEG: ``"accurate"`` (default, as Pillow) or ``"fast"``
/// (TensorFlow's ``decode_jpeg`` default; ``"INTEGER_ACCURATE"`` / ``"INTEGER_FAST"`` also
/// accepted). The GIL is released while decoding. Errors are ``pixcodec.Error`` subclasses.
#[pyfunction]
#[pyo3(signature = (data, *, codec=None, page=0, limits=None, dct_method=None))]
pub(crate) fn decode<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    codec: Option<String>,
    page: u32,
    limits: Option<&Bound<'py, PyAny>>,
    dct_method: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let opts = decode_options(codec, limits, dct_method)?;
    let input = Input::bytes(data)?;
    let bytes = input.slice();
    let (img, npy) = py.detach(|| decode_page(bytes, &opts, page)).py()?;
    drop(input);
    image_to_numpy(py, img, npy)
}

/// decode_pages(data, *, codec=None, limits=None, dct_method=None) -> list[numpy.ndarray]
///
/// Decodes every page (pages may differ in size and dtype).
#[pyfunction]
#[pyo3(signature = (data, *, codec=None, limits=None, dct_method=None))]
pub(crate) fn decode_pages<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    codec: Option<String>,
    limits: Option<&Bound<'py, PyAny>>,
    dct_method: Option<&str>,
) -> PyResult<Bound<'py, PyList>> {
    let opts = decode_options(codec, limits, dct_method)?;
    let input = Input::bytes(data)?;
    let bytes = input.slice();
    let (pages, npy) = py
        .detach(|| {
            let reg = Registry::global();
            let npy = reg.probe(bytes, &opts)?.metadata.npy;
            Ok((reg.decode_pages(bytes, &opts)?, npy))
        })
        .py()?;
    let out = PyList::empty(py);
    for p in pages {
        out.append(image_to_numpy(py, p, npy)?)?;
    }
    Ok(out)
}

/// decode_volume(data, *, codec=None, limits=None, dct_method=None) -> numpy.ndarray
///
/// Decodes every page into one ``(N, H, W[, C])`` array; the pages must share size and dtype.
/// An ``.npy`` array keeps its channel axis of length 1 and its ``bool`` dtype.
#[pyfunction]
#[pyo3(signature = (data, *, codec=None, limits=None, dct_method=None))]
pub(crate) fn decode_volume<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    codec: Option<String>,
    limits: Option<&Bound<'py, PyAny>>,
    dct_method: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let opts = decode_options(codec, limits, dct_method)?;
    let input = Input::bytes(data)?;
    let bytes = input.slice();
    let (vol, npy) = py
        .detach(|| {
            let reg = Registry::global();
            let npy = reg.probe(bytes, &opts)?.metadata.npy;
            Ok((reg.decode_volume(bytes, &opts)?, npy))
        })
        .py()?;
    let f = vol.format();
    let mut shape = vec![vol.depth() as usize];
    shape.extend(array_shape(vol.width(), vol.height(), f.layout, npy));
    as_array_dtype(view(py, Owned::Volume(vol), &shape, f.sample, None)?, f.sample, npy)
}

/// imread(path_or_file, *, codec=None, page=0, limits=None, dct_method=None) -> numpy.ndarray
///
/// ``decode`` of a file: a ``str`` or ``os.PathLike`` (read with the GIL released, its size
/// checked against the limits first), a binary file object (``.read()``), or a bytes-like object.
#[pyfunction]
#[pyo3(signature = (path_or_file, *, codec=None, page=0, limits=None, dct_method=None))]
pub(crate) fn imread<'py>(
    py: Python<'py>,
    path_or_file: &Bound<'py, PyAny>,
    codec: Option<String>,
    page: u32,
    limits: Option<&Bound<'py, PyAny>>,
    dct_method: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let opts = decode_options(codec, limits, dct_method)?;
    let input = Input::get(path_or_file, &opts.limits)?;
    let bytes = input.slice();
    let (img, npy) = py.detach(|| decode_page(bytes, &opts, page)).py()?;
    drop(input);
    image_to_numpy(py, img, npy)
}
