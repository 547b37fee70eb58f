//! Decoding: `decode`, `decode_pages`, `decode_volume`, `imread`.

use pixcodec::metadata::NpyArray;
use pixcodec::{DecodeOptions, ImageMut, Registry};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::{errors::*, input::*, owned::*};

/// A value carried from one `Python::detach` block to the next on the same thread.
struct SameThread<T>(T);

// SAFETY: `Python::detach` runs its closure on the calling thread, so a `SameThread` value is
// made, kept and used on one thread only; it wraps a decoder, which holds no Python object
// (only the input bytes, pinned by the caller's `Input` for as long as it lives).
unsafe impl<T> Send for SameThread<T> {}

impl<T> SameThread<T> {
    /// The value (a method, so that closures capture the whole wrapper, not its field).
    fn get(&mut self) -> &mut T {
        &mut self.0
    }
}

/// Page `page` of `data` decoded straight into a new numpy array (numpy's allocator, which
/// advises huge pages for large arrays, and no zero-filling: the decoder writes every pixel
/// byte, as `Registry::decode_into` promises for caller memory). The header is read and the
/// pixels decoded with the GIL released; the array is allocated in between, with the GIL.
/// Until the decode has succeeded the array is not handed out.
pub(crate) fn decode_page_to_numpy<'py>(
    py: Python<'py>,
    data: &[u8],
    opts: &DecodeOptions,
    page: u32,
) -> PyResult<Bound<'py, PyAny>> {
    let mut dec = py
        .detach(|| -> pixcodec::Result<_> {
            let dec = Registry::global().decoder_on_page(data, page, opts)?;
            let info = dec.info();
            opts.limits.check_image(info.width, info.height, info.format)?;
            Ok(SameThread(dec))
        })
        .py()?;
    let info = dec.get().info();
    let (width, height, format, npy) = (info.width, info.height, info.format, info.metadata.npy);
    let stride = (width as usize)
        .checked_mul(format.bytes_per_pixel())
        .ok_or_else(|| invalid("image size overflows usize"))?;
    let shape = array_shape(width, height, format.layout, npy);
    let (arr, ptr, len) = new_array(py, &shape, format.sample)?;
    let ptr = ptr as usize; // a plain address across `detach`; the array stays alive here
    py.detach(|| -> pixcodec::Result<()> {
        let buf: &mut [u8] = if len == 0 {
            &mut []
        } else {
            // SAFETY: `ptr` is the data of the new C-contiguous array `arr`, `len` bytes long,
            // which nothing else references until this function returns it.
            unsafe { std::slice::from_raw_parts_mut(ptr as *mut u8, len) }
        };
        dec.get()
            .decode_into(ImageMut::new(buf, width, height, format, stride)?)
    })
    .py()?;
    as_array_dtype(arr, format.sample, npy)
}

/// decode(data, *, codec=None, page=0, limits=None) -> numpy.ndarray
///
/// Decodes one page (default the first) of an encoded image held in any bytes-like object
/// (bytes, bytearray, memoryview, numpy uint8 array, mmap). Returns ``(H, W)`` for gray,
/// ``(H, W, C)`` otherwise, in the file's own dtype; an ``.npy`` array keeps its channel axis
/// of length 1 (``(H, W, 1)``) and its ``bool`` dtype. The decoder writes straight into the
/// new array's memory (no copy). ``codec`` forces a codec by name; ``limits`` is a dict of
/// max_width, max_height, max_pixels, max_alloc_bytes, max_pages (or ``"unlimited"``). ``dct_method`` chooses the
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
    decode_page_to_numpy(py, input.slice(), &opts, page)
}

/// `decode(registry, bytes, opts)` with the GIL released, and the file's npy facts (channel
/// axis of 1, `bool`), which shape the arrays made of the result.
fn with_npy_facts<T: Send>(
    py: Python<'_>,
    bytes: &[u8],
    opts: &DecodeOptions,
    decode: impl FnOnce(&Registry, &[u8], &DecodeOptions) -> pixcodec::Result<T> + Send,
) -> PyResult<(T, NpyArray)> {
    py.detach(|| {
        let reg = Registry::global();
        let npy = reg.probe(bytes, opts)?.metadata.npy;
        Ok((decode(reg, bytes, opts)?, npy))
    })
    .py()
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
    let (pages, npy) = with_npy_facts(py, bytes, &opts, Registry::decode_pages)?;
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
    let (vol, npy) = with_npy_facts(py, bytes, &opts, Registry::decode_volume)?;
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
    decode_page_to_numpy(py, input.slice(), &opts, page)
}
