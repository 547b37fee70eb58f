//! `pixcodec._pixcodec`: the native half of the `pixcodec` Python package.
//!
//! A thin layer over the public Rust API of the `pixcodec` crate: it turns Python buffers
//! and numpy arrays into [`ImageRef`]s, calls the registry or the `ml` module with the GIL
//! released, and hands the decoded [`Image`] / [`Volume`] / [`Batch`] memory to numpy without
//! copying (the array's base object owns the Rust buffer). No codec logic lives here; the
//! Python side (`pixcodec/__init__.py`, `pixcodec/keras.py`) defines the exception classes
//! and the documented signatures.

mod metadata;

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Mutex;

use numpy::ndarray::{ArrayView, IxDyn, ShapeBuilder};
use numpy::{PyArray, PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::buffer::PyUntypedBuffer;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyTuple, PyType};

use pixcodec::convert::{self, Scale};
use pixcodec::metadata::NpyArray;
use pixcodec::ml::{self, Batch, Dataset, DatasetOptions, LabelMode, Labels, LoadOptions, Recycler, Subset};
use pixcodec::{
    DecodeOptions, EncodeOptions, EncodeReport as RsReport, Error, ErrorKind, Fidelity, Image, ImageInfo as RsInfo,
    ImageRef, Layout, Limits, OptionKind, OptionValue, PixelFormat, Registry, SampleType, Volume,
};

// ---------------------------------------------------------------------------------------
// Errors: one Python class per ErrorKind, defined in pixcodec/__init__.py.

fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::UnknownFormat => "UnknownFormatError",
        ErrorKind::Unsupported => "UnsupportedError",
        ErrorKind::NotExact => "NotExactError",
        ErrorKind::Decode => "DecodeError",
        ErrorKind::Encode => "EncodeError",
        ErrorKind::Limits => "LimitsError",
        ErrorKind::Io => "IoError",
        ErrorKind::InvalidArgument => "InvalidArgumentError",
        ErrorKind::BufferTooSmall => "BufferTooSmallError",
    }
}

/// Converts a Rust error into the matching `pixcodec.<Kind>Error`, carrying its message.
fn py_err(e: Error) -> PyErr {
    Python::attach(|py| {
        let msg = e.to_string();
        match py.import("pixcodec").and_then(|m| m.getattr(class_name(e.kind()))) {
            Ok(cls) => match cls.cast_into::<PyType>() {
                Ok(t) => PyErr::from_type(t, msg),
                Err(_) => pyo3::exceptions::PyRuntimeError::new_err(msg),
            },
            Err(_) => pyo3::exceptions::PyRuntimeError::new_err(msg),
        }
    })
}

trait OrPy<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> OrPy<T> for pixcodec::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(py_err)
    }
}

fn invalid(msg: impl std::fmt::Display) -> PyErr {
    py_err(Error::invalid(msg))
}

/// Re-raises a Python exception from a file object or path conversion as `pixcodec.IoError`.
fn io_err(py: Python<'_>, what: &str, e: PyErr) -> PyErr {
    let msg = format!("{what}: {}", e.value(py));
    let new = py_err(Error::Io(std::io::Error::other(msg)));
    new.set_cause(py, Some(e));
    new
}

// ---------------------------------------------------------------------------------------
// Sample types.

fn dtype_name(t: SampleType) -> &'static str {
    match t {
        SampleType::U8 => "uint8",
        SampleType::U16 => "uint16",
        SampleType::U32 => "uint32",
        SampleType::U64 => "uint64",
        SampleType::I8 => "int8",
        SampleType::I16 => "int16",
        SampleType::I32 => "int32",
        SampleType::I64 => "int64",
        SampleType::F32 => "float32",
        SampleType::F64 => "float64",
        SampleType::F16 => "float16",
    }
}

/// The sample type of a dtype given as a string, a numpy dtype or a numpy scalar type,
/// resolved by `numpy.dtype` itself, so typecodes mean what they mean in numpy (`"u8"` is
/// `uint64`, `"f4"` is `float32`).
fn dtype_arg(obj: &Bound<'_, PyAny>) -> PyResult<SampleType> {
    let np = obj.py().import("numpy")?;
    let dt = np
        .getattr("dtype")?
        .call1((obj,))
        .map_err(|e| invalid(format!("not a numpy dtype: {e}")))?;
    let name = dt.getattr("name")?.extract::<String>()?;
    SampleType::ALL
        .into_iter()
        .find(|&t| dtype_name(t) == name)
        .ok_or_else(|| {
            py_err(Error::Unsupported(format!(
                "dtype {name} has no pixcodec sample type; use uint8..uint64, int8..int64, float16, float32 or float64"
            )))
        })
}

fn layout_name(l: Layout) -> &'static str {
    match l {
        Layout::Gray => "gray",
        Layout::GrayAlpha => "gray_alpha",
        Layout::Rgb => "rgb",
        Layout::Rgba => "rgba",
        Layout::Cmyk => "cmyk",
    }
}

// ---------------------------------------------------------------------------------------
// Rust memory handed to numpy without a copy.

/// Owns decoded pixels while numpy arrays view them (it is their `base`). A dataset batch
/// goes back to its iterator for reuse when the last array viewing it is freed.
#[pyclass(frozen, module = "pixcodec._pixcodec")]
struct Buffer {
    data: Owned,
}

enum Owned {
    Image(Image),
    Volume(Volume),
    Array(ml::Array),
    Batch(Option<Box<Batch>>, Option<Recycler>),
}

impl Drop for Buffer {
    fn drop(&mut self) {
        if let Owned::Batch(b, Some(r)) = &mut self.data {
            if let Some(batch) = b.take() {
                r.recycle(*batch);
            }
        }
    }
}

impl Buffer {
    fn bytes(&self) -> &[u8] {
        match &self.data {
            Owned::Image(i) => i.as_bytes(),
            Owned::Volume(v) => v.as_bytes(),
            Owned::Array(a) => a.as_bytes(),
            Owned::Batch(b, _) => b.as_ref().map_or(&[], |b| b.images.as_bytes()),
        }
    }
}

/// A numpy array of `shape` (row stride `row_stride` bytes for the first axis when given,
/// otherwise C-contiguous) viewing the memory of `owner`.
fn view<'py>(
    py: Python<'py>,
    data: Owned,
    shape: &[usize],
    sample: SampleType,
    row_stride: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let owner = Bound::new(py, Buffer { data })?;
    let bytes = owner.get().bytes();
    pixcodec::with_sample_type!(sample, T => {
        let size = std::mem::size_of::<T>();
        let n: usize = shape.iter().product();
        // Element strides: C order, except for a padded first axis.
        let mut strides = vec![1usize; shape.len()];
        for i in (0..shape.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1] * shape[i + 1];
        }
        if let (Some(rs), true) = (row_stride, shape.len() > 1) {
            strides[0] = rs / size;
        }
        let need = if n == 0 {
            0
        } else {
            shape.iter().zip(&strides).map(|(d, s)| (d - 1) * s).sum::<usize>() + 1
        };
        let typed: &[T] = bytemuck_slice::<T>(&bytes[..need * size])?;
        let v = ArrayView::from_shape(IxDyn(shape).strides(IxDyn(&strides)), typed)
            .map_err(|e| invalid(format!("array view: {e}")))?;
        // SAFETY: `owner` becomes the array's base object and owns the memory, which is never
        // reallocated or mutated from Rust while it lives.
        let arr = unsafe { PyArray::<T, _>::borrow_from_array(&v, owner.clone().into_any()) };
        Ok(arr.into_any())
    })
}

fn bytemuck_slice<T: pixcodec::Sample>(b: &[u8]) -> PyResult<&[T]> {
    // Image, Volume and Array storage is 8-byte aligned, so this cast cannot fail on them.
    pixcodec_cast(b).ok_or_else(|| invalid("internal: decoded buffer is not aligned for its sample type"))
}

fn pixcodec_cast<T: pixcodec::Sample>(b: &[u8]) -> Option<&[T]> {
    let size = std::mem::size_of::<T>();
    if b.len() % size != 0 || (b.as_ptr() as usize) % std::mem::align_of::<T>() != 0 {
        return None;
    }
    // SAFETY: alignment and length checked above; every bit pattern is a valid sample (Pod).
    Some(unsafe { std::slice::from_raw_parts(b.as_ptr().cast::<T>(), b.len() / size) })
}

fn image_shape(width: u32, height: u32, layout: Layout) -> Vec<usize> {
    let c = layout.channels();
    if c == 1 {
        vec![height as usize, width as usize]
    } else {
        vec![height as usize, width as usize, c]
    }
}

/// [`image_shape`] with the channel axis of length 1 of an `.npy` array that had one.
fn array_shape(width: u32, height: u32, layout: Layout, npy: NpyArray) -> Vec<usize> {
    let mut shape = image_shape(width, height, layout);
    if npy.channel_axis && layout.channels() == 1 {
        shape.push(1);
    }
    shape
}

/// The numpy dtype name of decoded samples: `bool` for an `.npy` bool array (U8 0/1).
fn array_dtype(sample: SampleType, npy: NpyArray) -> &'static str {
    if npy.bool_dtype && sample == SampleType::U8 {
        "bool"
    } else {
        dtype_name(sample)
    }
}

/// `arr` viewed as numpy `bool` (no copy) when `npy` says the array was one.
fn as_array_dtype<'py>(arr: Bound<'py, PyAny>, sample: SampleType, npy: NpyArray) -> PyResult<Bound<'py, PyAny>> {
    if array_dtype(sample, npy) == "bool" {
        arr.call_method1("view", ("bool",))
    } else {
        Ok(arr)
    }
}

/// A decoded image as numpy, shaped and typed as the `.npy` array it came from (`npy`).
fn image_to_numpy(py: Python<'_>, img: Image, npy: NpyArray) -> PyResult<Bound<'_, PyAny>> {
    let f = img.format();
    let shape = array_shape(img.width(), img.height(), f.layout, npy);
    let stride = img.stride();
    as_array_dtype(
        view(py, Owned::Image(img), &shape, f.sample, Some(stride))?,
        f.sample,
        npy,
    )
}

// ---------------------------------------------------------------------------------------
// Input: bytes-like objects, paths and files.

/// A contiguous byte view of any buffer-protocol object (bytes, bytearray, memoryview,
/// numpy uint8 array, mmap), kept alive (and the exporter's memory pinned) while it lives.
struct InBytes {
    buf: PyUntypedBuffer,
}

impl InBytes {
    fn get(obj: &Bound<'_, PyAny>) -> PyResult<InBytes> {
        if obj.is_instance_of::<pyo3::types::PyString>() {
            return Err(invalid(
                "expected encoded bytes (bytes, bytearray, memoryview, numpy uint8 array, mmap), got str; \
                 use pixcodec.imread for a path",
            ));
        }
        let buf = PyUntypedBuffer::get(obj).map_err(|e| {
            invalid(format!(
                "expected a bytes-like object (bytes, bytearray, memoryview, numpy uint8 array, mmap), got {}: {}",
                obj.get_type().name().map(|n| n.to_string()).unwrap_or_default(),
                e.value(obj.py())
            ))
        })?;
        if buf.item_size() != 1 {
            return Err(invalid(format!(
                "expected encoded bytes, got a buffer of {}-byte items (format {:?}); an image array goes to \
                 pixcodec.encode, not decode",
                buf.item_size(),
                buf.format()
            )));
        }
        if !buf.is_c_contiguous() {
            return Err(invalid(
                "the buffer is not contiguous; pass bytes(buffer) or a contiguous copy",
            ));
        }
        Ok(InBytes { buf })
    }

    fn slice(&self) -> &[u8] {
        let len = self.buf.len_bytes();
        if len == 0 {
            return &[];
        }
        // SAFETY: the buffer is C-contiguous, `len` bytes long, and stays exported (its memory
        // pinned) for as long as `self` lives.
        unsafe { std::slice::from_raw_parts(self.buf.buf_ptr() as *const u8, len) }
    }
}

/// `str` or `os.PathLike` → path; anything else → None.
fn as_path(obj: &Bound<'_, PyAny>) -> PyResult<Option<PathBuf>> {
    let py = obj.py();
    if obj.is_instance_of::<pyo3::types::PyString>() || obj.hasattr("__fspath__")? {
        let os = py.import("os")?;
        let p = os.getattr("fspath")?.call1((obj,))?;
        let p: PathBuf = p
            .extract()
            .map_err(|e: PyErr| invalid(format!("path: {}", e.value(py))))?;
        return Ok(Some(p));
    }
    Ok(None)
}

/// The decode options of the Python functions: a forced codec, limits, and the JPEG inverse
/// DCT (``dct_method``: ``"accurate"``, ``"fast"``, or TensorFlow's ``INTEGER_*`` names).
fn decode_options(
    codec: Option<String>,
    limits: Option<&Bound<'_, PyAny>>,
    dct_method: Option<&str>,
) -> PyResult<DecodeOptions> {
    let mut o = DecodeOptions::new();
    if let Some(m) = dct_method {
        o = o.dct_method(m.parse().py()?);
    }
    if let Some(c) = codec {
        o = o.codec(&c);
    }
    if let Some(l) = limits {
        o = o.limits(limits_arg(l)?);
    }
    Ok(o)
}

/// `limits`: a dict with any of max_width, max_height, max_pixels, max_alloc_bytes,
/// max_pages, or the string "unlimited".
fn limits_arg(obj: &Bound<'_, PyAny>) -> PyResult<Limits> {
    if let Ok(s) = obj.extract::<String>() {
        if s == "unlimited" {
            return Ok(Limits::unlimited());
        }
        return Err(invalid(format!("limits: expected a dict or \"unlimited\", got {s:?}")));
    }
    let d = obj
        .cast::<PyDict>()
        .map_err(|_| invalid("limits: expected a dict such as {\"max_pixels\": 10**8}"))?;
    let mut l = Limits::default();
    for (k, v) in d.iter() {
        let key: String = k.extract()?;
        let val: u64 = v
            .extract()
            .map_err(|_| invalid(format!("limits: {key} must be a non-negative integer")))?;
        let to32 = |v: u64| u32::try_from(v).map_err(|_| invalid(format!("limits: {key} = {v} is above 2**32-1")));
        match key.as_str() {
            "max_width" => l.max_width = to32(val)?,
            "max_height" => l.max_height = to32(val)?,
            "max_pixels" => l.max_pixels = val,
            "max_alloc_bytes" => l.max_alloc_bytes = val,
            "max_pages" => l.max_pages = to32(val)?,
            other => {
                return Err(invalid(format!(
                    "limits: unknown key '{other}' (max_width, max_height, max_pixels, max_alloc_bytes, max_pages)"
                )))
            }
        }
    }
    Ok(l)
}

/// Reads the whole input: a path (file read with the GIL released, size checked against
/// the limits first), a binary file object (`.read()`), or a buffer (borrowed, no copy).
enum Input {
    Owned(Vec<u8>),
    Borrowed(InBytes),
}

impl Input {
    fn get(obj: &Bound<'_, PyAny>, limits: &Limits) -> PyResult<Input> {
        let py = obj.py();
        if let Some(path) = as_path(obj)? {
            let max = limits.max_alloc_bytes;
            let data = py
                .detach(|| -> pixcodec::Result<Vec<u8>> {
                    let with = |e: std::io::Error| {
                        Error::Io(std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))
                    };
                    let len = std::fs::metadata(&path).map_err(with)?.len();
                    if len > max {
                        return Err(Error::Limits(format!(
                            "{}: file of {len} bytes is above max_alloc_bytes = {max}",
                            path.display()
                        )));
                    }
                    std::fs::read(&path).map_err(with)
                })
                .py()?;
            return Ok(Input::Owned(data));
        }
        if obj.hasattr("read")? && PyUntypedBuffer::get(obj).is_err() {
            let data = obj
                .call_method0("read")
                .map_err(|e| io_err(py, "reading the file object", e))?;
            if data.is_instance_of::<pyo3::types::PyString>() {
                return Err(invalid("the file object is open in text mode; open it with 'rb'"));
            }
            return Ok(Input::Borrowed(InBytes::get(&data)?));
        }
        Ok(Input::Borrowed(InBytes::get(obj)?))
    }

    /// A bytes-like object only (decode takes data; imread takes paths and files).
    fn bytes(obj: &Bound<'_, PyAny>) -> PyResult<Input> {
        Ok(Input::Borrowed(InBytes::get(obj)?))
    }

    fn slice(&self) -> &[u8] {
        match self {
            Input::Owned(v) => v,
            Input::Borrowed(b) => b.slice(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Decoding.

/// Decodes page `page`, with the `.npy` array facts of the file (shape and dtype of the array).
fn decode_page(data: &[u8], opts: &DecodeOptions, page: u32) -> pixcodec::Result<(Image, NpyArray)> {
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
fn decode<'py>(
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
fn decode_pages<'py>(
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
fn decode_volume<'py>(
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
fn imread<'py>(
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

// ---------------------------------------------------------------------------------------
// ImageInfo and probe.

/// Header facts of an encoded image (``pixcodec.probe``).
#[pyclass(frozen, get_all, module = "pixcodec")]
struct ImageInfo {
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

fn info_to_py(py: Python<'_>, i: RsInfo) -> PyResult<ImageInfo> {
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
fn probe(
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

// ---------------------------------------------------------------------------------------
// Arrays in: numpy → ImageRef, through the array's strides when the layout allows.

/// A numpy array pinned for the duration of a call, with the geometry of the image it holds.
struct InArray<'py> {
    arr: Bound<'py, PyUntypedArray>,
    width: u32,
    height: u32,
    format: PixelFormat,
    stride: usize,
    len: usize,
    /// The array's dtype is `bool` (held as U8 0/1; only npy stores it, see [`npy_facts`]).
    boolean: bool,
    /// The array is `(H, W, 1)`.
    channel_axis: bool,
}

/// The sample type of an array's dtype; `bool` is U8 (its bytes are 0 and 1).
fn sample_of(arr: &Bound<'_, PyUntypedArray>) -> PyResult<SampleType> {
    let dt = arr.dtype();
    let kind = dt.kind();
    let size = dt.itemsize();
    let name: String = dt.getattr("name")?.extract()?;
    Ok(match (kind, size) {
        (b'u', 1) => SampleType::U8,
        (b'u', 2) => SampleType::U16,
        (b'u', 4) => SampleType::U32,
        (b'u', 8) => SampleType::U64,
        (b'i', 1) => SampleType::I8,
        (b'i', 2) => SampleType::I16,
        (b'i', 4) => SampleType::I32,
        (b'i', 8) => SampleType::I64,
        (b'f', 4) => SampleType::F32,
        (b'f', 8) => SampleType::F64,
        (b'f', 2) => SampleType::F16,
        (b'b', 1) => SampleType::U8,
        _ => {
            return Err(py_err(Error::Unsupported(format!(
                "dtype {name} has no pixcodec sample type; images hold uint8..uint64, int8..int64, float16, float32 or float64"
            ))))
        }
    })
}

fn layout_for(channels: usize, layout: Option<&str>, shape: &[usize]) -> PyResult<Layout> {
    if let Some(name) = layout {
        let l: Layout = name.parse().py()?;
        if l.channels() != channels {
            return Err(invalid(format!(
                "layout {} has {} channel(s) but the array of shape {shape:?} has {channels}",
                layout_name(l),
                l.channels()
            )));
        }
        return Ok(l);
    }
    Ok(match channels {
        1 => Layout::Gray,
        2 => Layout::GrayAlpha,
        3 => Layout::Rgb,
        4 => Layout::Rgba,
        c => {
            return Err(invalid(format!(
                "an image array has shape (H, W) or (H, W, C) with C in 1..4; got {c} channels in shape {shape:?}"
            )))
        }
    })
}

impl<'py> InArray<'py> {
    /// `obj` as an image: (H, W) or (H, W, C). Arrays whose pixels and channels are packed
    /// within each row are used in place with their row stride; others (channel- or
    /// column-strided, negative strides, unaligned, byte-swapped) are copied to C order first.
    fn get(obj: &Bound<'py, PyAny>, layout: Option<&str>) -> PyResult<InArray<'py>> {
        let py = obj.py();
        let np = py.import("numpy")?;
        let arr = match obj.cast::<PyUntypedArray>() {
            Ok(a) => a.clone(),
            Err(_) => np
                .getattr("asarray")?
                .call1((obj,))
                .map_err(|e| invalid(format!("expected a numpy array: {}", e.value(py))))?
                .cast_into::<PyUntypedArray>()
                .map_err(|_| invalid("expected a numpy array"))?,
        };
        let sample = sample_of(&arr)?;
        let shape = arr.shape().to_vec();
        if shape.len() != 2 && shape.len() != 3 {
            return Err(invalid(format!(
                "an image array has shape (H, W) or (H, W, C); got {}-D shape {shape:?}",
                shape.len()
            )));
        }
        if shape.contains(&0) {
            return Err(invalid(format!(
                "zero-size array of shape {shape:?}: an image has at least 1x1 pixels"
            )));
        }
        let channels = if shape.len() == 3 { shape[2] } else { 1 };
        let layout = layout_for(channels, layout, &shape)?;
        let (h, w) = (shape[0], shape[1]);
        let width = u32::try_from(w).map_err(|_| invalid(format!("array width {w} is above 2**32-1")))?;
        let height = u32::try_from(h).map_err(|_| invalid(format!("array height {h} is above 2**32-1")))?;
        let size = sample.size();
        let native = arr.dtype().is_native_byteorder().unwrap_or(true);
        let strides = arr.strides().to_vec();
        let packed_pixels = if shape.len() == 3 {
            (channels == 1 || strides[2] == size as isize) && (w == 1 || strides[1] == (channels * size) as isize)
        } else {
            w == 1 || strides[1] == size as isize
        };
        let row = w * channels * size;
        let row_ok = h == 1 || (strides[0] > 0 && strides[0] as usize >= row && strides[0] as usize % size == 0);
        let arr = if native && packed_pixels && row_ok && arr.is_aligned() {
            arr
        } else {
            // numpy.array(..., dtype=native, order="C") is a value-preserving copy.
            let dt = arr.dtype().getattr("newbyteorder")?.call1(("=",))?;
            let kw = PyDict::new(py);
            kw.set_item("dtype", dt)?;
            kw.set_item("order", "C")?;
            kw.set_item("copy", true)?;
            np.getattr("array")?
                .call((&arr,), Some(&kw))?
                .cast_into::<PyUntypedArray>()
                .map_err(|_| invalid("expected a numpy array"))?
        };
        let stride = if h == 1 { row } else { arr.strides()[0] as usize };
        let len = stride * (h - 1) + row;
        let boolean = arr.dtype().kind() == b'b';
        Ok(InArray {
            arr,
            width,
            height,
            format: PixelFormat::new(layout, sample),
            stride,
            len,
            boolean,
            channel_axis: shape.len() == 3 && channels == 1,
        })
    }

    fn image(&self) -> PyResult<ImageRef<'_>> {
        // SAFETY: the array is alive (and its memory with it) for as long as `self` lives;
        // `len` = stride * (h - 1) + row bytes lies within its data (checked strides above).
        let data = unsafe { std::slice::from_raw_parts((*self.arr.as_array_ptr()).fields.data as *const u8, self.len) };
        ImageRef::new(data, self.width, self.height, self.format, self.stride).py()
    }
}

/// The error for a `bool` array given to a codec other than npy.
fn bool_refused() -> PyErr {
    py_err(Error::Unsupported(
        "dtype bool has no pixcodec sample type outside npy (which writes it as numpy's bool); use array.astype(numpy.uint8) (0/1) or * 255 on purpose"
            .into(),
    ))
}

/// `opts` with the facts of the arrays that an image leaves out (`Metadata::npy`: a channel
/// axis of length 1, a page axis of length 1 when `page_axis`, the bool dtype) added to its
/// metadata when the codec chosen for `target` writes npy, so that npy writes what
/// `numpy.save` writes; other codecs store images, and refuse bool arrays.
fn npy_facts(pages: &[InArray<'_>], target: &str, opts: EncodeOptions, page_axis: bool) -> PyResult<EncodeOptions> {
    let boolean = pages.iter().any(|p| p.boolean);
    let channel_axis = pages.first().is_some_and(|p| p.channel_axis);
    if !(boolean || channel_axis || page_axis) {
        return Ok(opts);
    }
    let format = pages.first().map(|p| p.format);
    let npy = format.is_some_and(|f| {
        Registry::global()
            .choose_encoder(target, opts.codec.as_deref(), f)
            .is_ok_and(|c| c.descriptor().format == "npy")
    });
    if !npy {
        return if boolean { Err(bool_refused()) } else { Ok(opts) };
    }
    let mut m = opts.metadata.as_deref().cloned().unwrap_or_default();
    m.npy.channel_axis |= channel_axis;
    m.npy.page_axis |= page_axis;
    m.npy.bool_dtype |= boolean;
    Ok(opts.metadata(m))
}

/// The format `imwrite` writes: `format`, or the extension of `path`.
fn target_of(path: &std::path::Path, format: &Option<String>) -> String {
    format.clone().unwrap_or_else(|| {
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default()
    })
}

/// Pages to encode: a list/tuple of (H, W[, C]) arrays, or one array (N, H, W) / (N, H, W, C).
fn pages_arg<'py>(obj: &Bound<'py, PyAny>, layout: Option<&str>) -> PyResult<Vec<InArray<'py>>> {
    Ok(pages_and_axis(obj, layout)?.0)
}

/// [`pages_arg`], and whether the pages came as one array with a page axis of length 1.
fn pages_and_axis<'py>(obj: &Bound<'py, PyAny>, layout: Option<&str>) -> PyResult<(Vec<InArray<'py>>, bool)> {
    let py = obj.py();
    let mut page_axis = false;
    let items: Vec<Bound<'py, PyAny>> = if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        obj.try_iter()?.collect::<PyResult<_>>()?
    } else {
        let arr = py.import("numpy")?.getattr("asarray")?.call1((obj,))?;
        let nd: usize = arr.getattr("ndim")?.extract()?;
        if nd != 3 && nd != 4 {
            return Err(invalid(format!(
                "encode_pages takes a list of (H, W[, C]) arrays or one (N, H, W[, C]) volume; got a {nd}-D array"
            )));
        }
        let items: Vec<_> = arr.try_iter()?.collect::<PyResult<_>>()?;
        page_axis = items.len() == 1;
        items
    };
    if items.is_empty() {
        return Err(py_err(Error::invalid("nothing to encode: no pages given")));
    }
    let pages = items.iter().map(|a| InArray::get(a, layout)).collect::<PyResult<_>>()?;
    Ok((pages, page_axis))
}

// ---------------------------------------------------------------------------------------
// Encoding.

/// What an encode did (``pixcodec.encode_into``, ``imwrite``, ``keras.save_img``).
#[pyclass(frozen, get_all, module = "pixcodec")]
struct EncodeReport {
    /// True when decoding the result gives back exactly the input samples.
    exact: bool,
    /// Why the result is not exact (``None`` when exact).
    lossy_reason: Option<String>,
    /// Codec used (``"png"``, ``"jpeg-turbo"``, ``"tiff"``, ...).
    codec: String,
    /// Format written (``"png"``, ``"jpeg"``, ``"tiff"``, ...).
    format: String,
    /// Bytes written.
    bytes: u64,
    /// Pages written.
    pages: u32,
    /// With ``verify=True``: ``{"identical": bool, "max_abs_diff": float, "psnr_db": float}``.
    verification: Option<Py<PyDict>>,
    /// Metadata items given with ``metadata=`` that the output does not hold, each as
    /// ``"item: reason"``.
    metadata_dropped: Vec<String>,
}

#[pymethods]
impl EncodeReport {
    fn __repr__(&self) -> String {
        format!(
            "EncodeReport(codec='{}', format='{}', bytes={}, pages={}, exact={}, lossy_reason={})",
            self.codec,
            self.format,
            self.bytes,
            self.pages,
            if self.exact { "True" } else { "False" },
            match &self.lossy_reason {
                Some(r) => format!("{r:?}"),
                None => "None".into(),
            }
        )
    }
}

fn report_to_py(py: Python<'_>, r: RsReport) -> PyResult<EncodeReport> {
    let verification = match r.verification {
        Some(v) => {
            let d = PyDict::new(py);
            d.set_item("identical", v.identical)?;
            d.set_item("max_abs_diff", v.max_abs_diff)?;
            d.set_item("psnr_db", v.psnr_db)?;
            Some(d.unbind())
        }
        None => None,
    };
    Ok(EncodeReport {
        exact: r.exact,
        lossy_reason: r.lossy_reason.map(|s| s.to_string()),
        codec: r.codec.to_string(),
        format: r.format.to_string(),
        bytes: r.bytes_written,
        pages: r.pages,
        verification,
        metadata_dropped: r.metadata_dropped.iter().map(|n| n.to_string()).collect(),
    })
}

fn encode_options(
    codec: Option<String>,
    require_exact: bool,
    verify: bool,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<EncodeOptions> {
    let mut o = EncodeOptions::new().require_exact(require_exact).verify(verify);
    if let Some(c) = codec {
        o = o.codec(&c);
    }
    if let Some(d) = options {
        for (k, v) in d.iter() {
            let key: String = k.extract()?;
            // Not codec options: the metadata to write and what to do with it.
            if key == "metadata" {
                let md = v.cast::<PyDict>().map_err(|_| invalid("metadata= expects a dict"))?;
                o = o
                    .metadata(metadata::from_py(md)?)
                    .frame_timings(metadata::frame_timings(md)?);
                continue;
            }
            if key == "metadata_policy" {
                o = o.metadata_policy(metadata::policy(&v.extract::<String>()?)?);
                continue;
            }
            let value = if v.is_instance_of::<pyo3::types::PyBool>() {
                OptionValue::Bool(v.extract()?)
            } else if v.is_instance_of::<pyo3::types::PyInt>() {
                OptionValue::Int(
                    v.extract()
                        .map_err(|_| invalid(format!("option {key}: {v} does not fit in 64 bits")))?,
                )
            } else if v.is_instance_of::<pyo3::types::PyFloat>() {
                OptionValue::Float(v.extract()?)
            } else if let Ok(s) = v.extract::<String>() {
                OptionValue::Str(s)
            } else {
                return Err(invalid(format!(
                    "option {key}: expected bool, int, float or str, got {}",
                    v.get_type().name()?
                )));
            };
            o = o.set(&key, value);
        }
    }
    Ok(o)
}

thread_local! {
    /// Encode output, reused by the next encode on this thread.
    static OUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Encodes into this thread's reusable buffer (GIL released), then hands the bytes to `f`.
fn encode_with<R>(
    py: Python<'_>,
    pages: &[InArray<'_>],
    target: &str,
    opts: &EncodeOptions,
    f: impl FnOnce(&[u8]) -> PyResult<R>,
) -> PyResult<(R, RsReport)> {
    let refs = pages.iter().map(|p| p.image()).collect::<PyResult<Vec<_>>>()?;
    let report = py
        .detach(|| OUT.with(|b| Registry::global().encode_pages_into(&refs, target, opts, &mut b.borrow_mut())))
        .py()?;
    OUT.with(|b| {
        let mut b = b.borrow_mut();
        let r = f(&b);
        if b.capacity() > 64 << 20 {
            *b = Vec::new();
        }
        r.map(|r| (r, report))
    })
}

/// encode(array, format, *, layout=None, codec=None, require_exact=False, verify=False, **options) -> bytes
#[pyfunction]
#[pyo3(signature = (array, format, *, layout=None, codec=None, require_exact=false, verify=false, **options))]
#[allow(clippy::too_many_arguments)]
fn encode<'py>(
    py: Python<'py>,
    array: &Bound<'py, PyAny>,
    format: &str,
    layout: Option<&str>,
    codec: Option<String>,
    require_exact: bool,
    verify: bool,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let opts = encode_options(codec, require_exact, verify, options)?;
    let img = InArray::get(array, layout)?;
    let opts = npy_facts(std::slice::from_ref(&img), format, opts, false)?;
    let (bytes, _) = encode_with(py, std::slice::from_ref(&img), format, &opts, |b| {
        Ok(PyBytes::new(py, b))
    })?;
    Ok(bytes)
}

/// encode_report(array, format, ...) -> (bytes, EncodeReport)
#[pyfunction]
#[pyo3(signature = (array, format, *, layout=None, codec=None, require_exact=false, verify=false, **options))]
#[allow(clippy::too_many_arguments)]
fn encode_report<'py>(
    py: Python<'py>,
    array: &Bound<'py, PyAny>,
    format: &str,
    layout: Option<&str>,
    codec: Option<String>,
    require_exact: bool,
    verify: bool,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<(Bound<'py, PyBytes>, EncodeReport)> {
    let opts = encode_options(codec, require_exact, verify, options)?;
    let img = InArray::get(array, layout)?;
    let opts = npy_facts(std::slice::from_ref(&img), format, opts, false)?;
    let (bytes, r) = encode_with(py, std::slice::from_ref(&img), format, &opts, |b| {
        Ok(PyBytes::new(py, b))
    })?;
    Ok((bytes, report_to_py(py, r)?))
}

/// encode_into(array, format, out, ...) -> EncodeReport; `out` (a bytearray) is resized to
/// the encoded length and overwritten.
#[pyfunction]
#[pyo3(signature = (array, format, out, *, layout=None, codec=None, require_exact=false, verify=false, **options))]
#[allow(clippy::too_many_arguments)]
fn encode_into<'py>(
    py: Python<'py>,
    array: &Bound<'py, PyAny>,
    format: &str,
    out: &Bound<'py, PyAny>,
    layout: Option<&str>,
    codec: Option<String>,
    require_exact: bool,
    verify: bool,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<EncodeReport> {
    let out = out.cast::<PyByteArray>().map_err(|_| {
        invalid(format!(
            "encode_into: out must be a bytearray, got {}",
            out.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })?;
    let opts = encode_options(codec, require_exact, verify, options)?;
    let img = InArray::get(array, layout)?;
    let opts = npy_facts(std::slice::from_ref(&img), format, opts, false)?;
    let ((), r) = encode_with(py, std::slice::from_ref(&img), format, &opts, |b| {
        out.resize(b.len())?;
        // SAFETY: no other reference to the bytearray's memory exists while the GIL is held
        // and no Python code runs between resize and copy.
        unsafe { out.as_bytes_mut() }.copy_from_slice(b);
        Ok(())
    })?;
    report_to_py(py, r)
}

/// encode_pages(arrays_or_volume, format, ...) -> (bytes, EncodeReport)
#[pyfunction]
#[pyo3(signature = (pages, format, *, layout=None, codec=None, require_exact=false, verify=false, **options))]
#[allow(clippy::too_many_arguments)]
fn encode_pages<'py>(
    py: Python<'py>,
    pages: &Bound<'py, PyAny>,
    format: &str,
    layout: Option<&str>,
    codec: Option<String>,
    require_exact: bool,
    verify: bool,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<(Bound<'py, PyBytes>, EncodeReport)> {
    let opts = encode_options(codec, require_exact, verify, options)?;
    let (pages, page_axis) = pages_and_axis(pages, layout)?;
    let opts = npy_facts(&pages, format, opts, page_axis)?;
    let (bytes, r) = encode_with(py, &pages, format, &opts, |b| Ok(PyBytes::new(py, b)))?;
    Ok((bytes, report_to_py(py, r)?))
}

/// imwrite(path, array, *, format=None, layout=None, codec=None, require_exact=False, verify=False, **options) -> EncodeReport
///
/// Writes ``array`` (or a list of pages) to ``path`` atomically: a temporary file in the same
/// folder renamed over ``path`` only on success, so a refused or failed write leaves no file and
/// keeps an existing one. The format comes from the extension unless ``format`` is given.
#[pyfunction]
#[pyo3(signature = (path, array, *, format=None, layout=None, codec=None, require_exact=false, verify=false, **options))]
#[allow(clippy::too_many_arguments)]
fn imwrite(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    array: &Bound<'_, PyAny>,
    format: Option<String>,
    layout: Option<&str>,
    codec: Option<String>,
    require_exact: bool,
    verify: bool,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<EncodeReport> {
    let path = as_path(path)?.ok_or_else(|| invalid("imwrite: path must be a str or os.PathLike"))?;
    let opts = encode_options(codec, require_exact, verify, options)?;
    let pages = if array.is_instance_of::<PyList>() || array.is_instance_of::<PyTuple>() {
        pages_arg(array, layout)?
    } else {
        vec![InArray::get(array, layout)?]
    };
    let opts = npy_facts(&pages, &target_of(&path, &format), opts, false)?;
    let refs = pages.iter().map(|p| p.image()).collect::<PyResult<Vec<_>>>()?;
    let r = py
        .detach(|| {
            let reg = Registry::global();
            match &format {
                Some(f) => reg.write_pages_as(&refs, &path, f, &opts),
                None => reg.write_pages(&refs, &path, &opts),
            }
        })
        .py()?;
    report_to_py(py, r)
}

// ---------------------------------------------------------------------------------------
// The registry.

fn fidelity_name(f: Fidelity) -> &'static str {
    match f {
        Fidelity::Exact => "exact",
        Fidelity::Lossy => "lossy",
    }
}

fn option_value(py: Python<'_>, v: &OptionValue) -> PyResult<Py<PyAny>> {
    Ok(match v {
        OptionValue::Bool(b) => b.into_pyobject(py)?.to_owned().into_any().unbind(),
        OptionValue::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        OptionValue::Float(x) => x.into_pyobject(py)?.into_any().unbind(),
        OptionValue::Str(s) => s.into_pyobject(py)?.into_any().unbind(),
    })
}

/// codecs() -> list[dict]
///
/// Every registered codec: name, format, extensions, MIME types, priority, its capability
/// table (``decode`` / ``encode`` rows ``(layout, dtype, "exact" | "lossy")``), the lossy
/// encode rows that options make exact (``exact_with`` rows ``(layout, dtype, "lossless=true")``
/// for JPEG), multi-page support and encode options (name, kind, choices or range, default, doc).
#[pyfunction]
fn codecs(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let out = PyList::empty(py);
    for c in Registry::global().codecs() {
        let d = c.descriptor();
        let caps = c.capabilities();
        let item = PyDict::new(py);
        item.set_item("name", &d.name)?;
        item.set_item("format", &d.format)?;
        item.set_item("description", &d.description)?;
        item.set_item("extensions", &d.extensions)?;
        item.set_item("mime_types", &d.mime_types)?;
        item.set_item("priority", d.priority)?;
        for (key, list) in [("decode", &caps.decode), ("encode", &caps.encode)] {
            let rows = PyList::empty(py);
            for cap in list {
                rows.append((
                    layout_name(cap.format.layout),
                    dtype_name(cap.format.sample),
                    fidelity_name(cap.fidelity),
                ))?;
            }
            item.set_item(key, rows)?;
        }
        // Encode rows that are exact only with options: (layout, dtype, "KEY=VALUE,...").
        let exact_with = PyList::empty(py);
        for cap in caps.encode.iter().filter(|c| c.fidelity == Fidelity::Lossy) {
            if let Some(with) = cap.exact_with {
                exact_with.append((layout_name(cap.format.layout), dtype_name(cap.format.sample), with))?;
            }
        }
        item.set_item("exact_with", exact_with)?;
        item.set_item("multi_page_decode", caps.multi_page_decode)?;
        item.set_item("multi_page_encode", caps.multi_page_encode)?;
        let opts = PyList::empty(py);
        for s in c.encode_options() {
            let o = PyDict::new(py);
            o.set_item("name", &s.name)?;
            let (kind, choices, range) = match &s.kind {
                OptionKind::Bool => ("bool", None, None),
                OptionKind::Int { min, max } => ("int", None, Some((*min as f64, *max as f64))),
                OptionKind::Float { min, max } => ("float", None, Some((*min, *max))),
                OptionKind::Choice(c) => ("choice", Some(c.clone()), None),
            };
            o.set_item("kind", kind)?;
            o.set_item("choices", choices)?;
            o.set_item("range", range)?;
            o.set_item("default", option_value(py, &s.default)?)?;
            o.set_item("doc", &s.doc)?;
            opts.append(o)?;
        }
        item.set_item("options", opts)?;
        out.append(item)?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Keras-style helpers (pixcodec.keras wraps these).

/// _load_img(path_or_data, color_mode, target_size, interpolation, keep_aspect_ratio, shrink_on_load)
#[pyfunction]
#[pyo3(signature = (path, color_mode, target_size, interpolation, keep_aspect_ratio, shrink_on_load, limits=None))]
#[allow(clippy::too_many_arguments)]
fn _load_img<'py>(
    py: Python<'py>,
    path: &Bound<'py, PyAny>,
    color_mode: &str,
    target_size: Option<(u32, u32)>,
    interpolation: &str,
    keep_aspect_ratio: bool,
    shrink_on_load: bool,
    limits: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let dopts = decode_options(None, limits, None)?;
    let mut opts = LoadOptions::new()
        .color_mode(color_mode.parse().py()?)
        .interpolation(interpolation.parse().py()?)
        .shrink_on_load(shrink_on_load)
        .decode(dopts.clone());
    if let Some((h, w)) = target_size {
        opts = opts.target_size(h, w);
    }
    if keep_aspect_ratio {
        opts = opts.fit(ml::Fit::KeepAspectRatio);
    }
    let img = if let Some(p) = as_path(path)? {
        py.detach(|| ml::load(&p, &opts)).py()?
    } else {
        let input = Input::get(path, &dopts.limits)?;
        let bytes = input.slice();
        py.detach(|| ml::load_bytes(bytes, &opts)).py()?
    };
    image_to_numpy(py, img, NpyArray::default())
}

/// _convert(array, dtype, scale, lo, hi, layout) -> numpy array: exact cast (scale None),
/// min-max ("minmax") or fixed range ("range", lo, hi) into `dtype`.
#[pyfunction]
#[pyo3(signature = (array, dtype, scale=None, lo=0.0, hi=1.0))]
fn _convert<'py>(
    py: Python<'py>,
    array: &Bound<'py, PyAny>,
    dtype: &Bound<'py, PyAny>,
    scale: Option<&str>,
    lo: f64,
    hi: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let to = dtype_arg(dtype)?;
    let a = InArray::get(array, None)?;
    if a.boolean {
        return Err(bool_refused());
    }
    let img = a.image()?;
    let out = py
        .detach(|| match scale {
            None => convert::cast(&img, to),
            Some("minmax") => convert::scale(&img, to, Scale::MinMax),
            Some("range") => convert::scale(&img, to, Scale::range(lo, hi)),
            Some(other) => Err(Error::invalid(format!("unknown scale '{other}'"))),
        })
        .py()?;
    image_to_numpy(py, out, NpyArray::default())
}

/// invert(array, *, layout=None, significant_bits=None, metadata=None) -> numpy.ndarray or
/// (numpy.ndarray, dict)
///
/// A new array of the same dtype and shape whose colour samples are ``max - v`` (``max`` the
/// dtype's maximum, or ``2**significant_bits - 1``); alpha (the last channel of gray_alpha and
/// rgba) is copied. The channels mean what they mean to ``encode``: ``(H, W)`` and
/// ``(H, W, 1)`` gray, 2 gray_alpha, 3 rgb, 4 rgba unless ``layout="cmyk"``. Unsigned integer
/// dtypes only: float and signed arrays raise ``UnsupportedError``; a sample above
/// ``2**significant_bits - 1`` raises ``NotExactError`` naming it. With ``metadata`` (the dict
/// of ``ImageInfo.metadata``) it is ``convert::apply_invert``: the same picture stored in the
/// other photometric convention, returned as ``(array, metadata)`` where the new dict is a copy
/// whose ``photometric`` is flipped (absent <-> ``"white-is-zero"`` for gray,
/// ``"adobe-inverted-cmyk"`` for cmyk); rgb/rgba, or a convention that does not describe the
/// layout, raise ``InvalidArgumentError``. The GIL is released while inverting.
#[pyfunction]
#[pyo3(signature = (array, *, layout=None, significant_bits=None, metadata=None))]
fn invert<'py>(
    py: Python<'py>,
    array: &Bound<'py, PyAny>,
    layout: Option<&str>,
    significant_bits: Option<i64>,
    metadata: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let a = InArray::get(array, layout)?;
    if a.boolean {
        return Err(bool_refused());
    }
    let bits = match significant_bits {
        None => None,
        Some(b) => Some(u8::try_from(b).map_err(|_| {
            let t = a.format.sample;
            invalid(format!(
                "invert: significant_bits = {b} for {t} samples (expected 1..={})",
                t.bits()
            ))
        })?),
    };
    let img = a.image()?;
    let mut npy = NpyArray::default();
    npy.channel_axis = a.channel_axis;
    let Some(md) = metadata else {
        let out = py
            .detach(|| match bits {
                Some(b) => convert::invert_bits(&img, u32::from(b)),
                None => convert::invert(&img),
            })
            .py()?;
        return image_to_numpy(py, out, npy);
    };
    let mut m = metadata::from_py(md)?;
    let out = py.detach(|| convert::apply_invert(&img, &mut m, bits)).py()?;
    let arr = image_to_numpy(py, out, npy)?;
    // A copy of the caller's dict (other items as given) with the convention flipped.
    let new = md.copy()?;
    match m.photometric {
        Some(p) => new.set_item("photometric", p.to_string())?,
        None if new.contains("photometric")? => new.del_item("photometric")?,
        None => {}
    }
    Ok(PyTuple::new(py, [arr, new.into_any()])?.into_any())
}

/// Batches of a dataset: `(images, labels)` numpy pairs, decoded ahead on all cores.
#[pyclass(module = "pixcodec.keras")]
struct BatchIter {
    batches: Mutex<Option<ml::Batches>>,
    recycler: Recycler,
    unbatched: bool,
    pending: Vec<Py<PyAny>>,
}

#[pymethods]
impl BatchIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        if self.unbatched {
            if let Some(x) = self.pending.pop() {
                return Ok(Some(x));
            }
        }
        let next = {
            let mut guard = self.batches.lock().map_err(|_| invalid("dataset iterator poisoned"))?;
            let Some(b) = guard.as_mut() else { return Ok(None) };
            py.detach(|| b.next())
        };
        let batch = match next {
            None => {
                *self.batches.lock().map_err(|_| invalid("dataset iterator poisoned"))? = None;
                return Ok(None);
            }
            Some(r) => r.py()?,
        };
        let shape = batch.images.shape().to_vec();
        let dtype = batch.images.dtype();
        let labels = match &batch.labels {
            Some(l) => Some(view(py, Owned::Array(l.clone()), l.shape(), l.dtype(), None)?),
            None => None,
        };
        let images = view(
            py,
            Owned::Batch(Some(Box::new(batch)), Some(self.recycler.clone())),
            &shape,
            dtype,
            None,
        )?;
        if self.unbatched {
            let n = shape[0];
            for i in (0..n).rev() {
                let x = images.get_item(i)?;
                let item = match &labels {
                    Some(l) => PyTuple::new(py, [x, l.get_item(i)?])?.into_any(),
                    _ => x,
                };
                self.pending.push(item.unbind());
            }
            return Ok(self.pending.pop());
        }
        Ok(Some(match labels {
            Some(l) => PyTuple::new(py, [images, l])?.into_any().unbind(),
            _ => images.unbind(),
        }))
    }
}

/// A directory of images indexed as Keras' `image_dataset_from_directory` does.
#[pyclass(frozen, module = "pixcodec.keras")]
struct ImageDataset {
    ds: Dataset,
    unbatched: bool,
}

#[pymethods]
impl ImageDataset {
    /// Class names, in label order.
    #[getter]
    fn class_names(&self) -> Vec<String> {
        self.ds.class_names().to_vec()
    }
    /// File paths, in dataset order.
    #[getter]
    fn file_paths(&self) -> Vec<String> {
        self.ds.paths().iter().map(|p| p.display().to_string()).collect()
    }
    /// Integer labels per file, in dataset order (None without labels).
    #[getter]
    fn labels(&self) -> Option<Vec<i32>> {
        self.ds.labels().map(|l| l.to_vec())
    }
    /// Number of batches (number of images when batch_size is None).
    fn __len__(&self) -> usize {
        if self.unbatched {
            self.ds.len()
        } else {
            self.ds.num_batches()
        }
    }
    fn __iter__(&self) -> BatchIter {
        let batches = self.ds.batches();
        let recycler = batches.recycler();
        BatchIter {
            batches: Mutex::new(Some(batches)),
            recycler,
            unbatched: self.unbatched,
            pending: Vec::new(),
        }
    }
    fn __repr__(&self) -> String {
        format!(
            "ImageDataset(files={}, classes={:?}, batches={})",
            self.ds.len(),
            self.ds.class_names(),
            self.ds.num_batches()
        )
    }
}

/// _dataset(directory, options dict) -> ImageDataset or (training, validation)
#[pyfunction]
#[pyo3(signature = (directory, labels, label_mode, class_names, color_mode, batch_size, image_size, shuffle, seed,
                    validation_split, subset, interpolation, follow_links, crop_to_aspect_ratio,
                    pad_to_aspect_ratio, verbose, shrink_on_load, dtype, prefetch, dct_method))]
#[allow(clippy::too_many_arguments)]
fn _dataset<'py>(
    py: Python<'py>,
    directory: &Bound<'py, PyAny>,
    labels: &Bound<'py, PyAny>,
    label_mode: Option<&str>,
    class_names: Option<Vec<String>>,
    color_mode: &str,
    batch_size: Option<usize>,
    image_size: (u32, u32),
    shuffle: bool,
    seed: Option<u64>,
    validation_split: Option<f64>,
    subset: Option<&str>,
    interpolation: &str,
    follow_links: bool,
    crop_to_aspect_ratio: bool,
    pad_to_aspect_ratio: bool,
    verbose: bool,
    shrink_on_load: bool,
    dtype: &Bound<'py, PyAny>,
    prefetch: usize,
    dct_method: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let dir = as_path(directory)?.ok_or_else(|| invalid("directory must be a str or os.PathLike"))?;
    let labels = if labels.is_none() {
        Labels::None
    } else if let Ok(s) = labels.extract::<String>() {
        if s != "inferred" {
            return Err(invalid(format!(
                "labels must be \"inferred\", None, or a list of integers; got {s:?}"
            )));
        }
        Labels::Inferred
    } else {
        Labels::Explicit(
            labels
                .extract::<Vec<i32>>()
                .map_err(|_| invalid("labels must be \"inferred\", None, or a list of integers"))?,
        )
    };
    let label_mode = match label_mode {
        None => LabelMode::None,
        Some("int") => LabelMode::Int,
        Some("categorical") => LabelMode::Categorical,
        Some("binary") => LabelMode::Binary,
        Some(other) => {
            return Err(invalid(format!(
                "label_mode must be \"int\", \"categorical\", \"binary\" or None; got {other:?}"
            )))
        }
    };
    if crop_to_aspect_ratio && pad_to_aspect_ratio {
        return Err(invalid(
            "crop_to_aspect_ratio and pad_to_aspect_ratio cannot both be True",
        ));
    }
    let mut o = DatasetOptions::new()
        .labels(labels)
        .label_mode(label_mode)
        .color_mode(color_mode.parse().py()?)
        .batch_size(batch_size.unwrap_or(1).max(1))
        .shuffle(shuffle)
        .interpolation(interpolation.parse().py()?)
        .follow_links(follow_links)
        .shrink_on_load(shrink_on_load)
        .dct_method(dct_method.parse().py()?)
        .dtype(dtype_arg(dtype)?)
        .prefetch(prefetch.max(1))
        .image_size(image_size.0, image_size.1);
    if let Some(c) = class_names {
        o = o.class_names(c);
    }
    if let Some(s) = seed {
        let s = u32::try_from(s).map_err(|_| invalid(format!("seed {s} must be in 0..2**32-1 (as numpy)")))?;
        o = o.seed(s);
    } else if shuffle {
        // Keras draws a random seed when none is given.
        let s = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| (d.as_nanos() % (1u128 << 32)) as u32)
            .unwrap_or(1337);
        o = o.seed(s);
    }
    if let Some(v) = validation_split {
        o = o.validation_split(v);
    }
    if let Some(s) = subset {
        o = o.subset(match s {
            "training" => Subset::Training,
            "validation" => Subset::Validation,
            "both" => Subset::Both,
            other => {
                return Err(invalid(format!(
                    "subset must be \"training\", \"validation\" or \"both\"; got {other:?}"
                )))
            }
        });
    }
    if crop_to_aspect_ratio {
        o = o.fit(ml::Fit::CropToAspectRatio);
    } else if pad_to_aspect_ratio {
        o = o.fit(ml::Fit::PadToAspectRatio);
    }
    let unbatched = batch_size.is_none();
    let wrap = |ds: Dataset| -> PyResult<Bound<'py, PyAny>> {
        if verbose {
            py.import("builtins")?.getattr("print")?.call1((ds.summary(),))?;
        }
        Ok(Bound::new(py, ImageDataset { ds, unbatched })?.into_any())
    };
    if subset == Some("both") {
        let (t, v) = py.detach(|| Dataset::from_directory_both(&dir, &o)).py()?;
        let t = wrap(t)?;
        let v = wrap(v)?;
        Ok(PyTuple::new(py, [t, v])?.into_any())
    } else {
        let ds = py.detach(|| Dataset::from_directory(&dir, &o)).py()?;
        wrap(ds)
    }
}

/// The native module; `pixcodec/__init__.py` re-exports it.
#[pymodule]
fn _pixcodec(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(decode, m)?)?;
    m.add_function(wrap_pyfunction!(decode_pages, m)?)?;
    m.add_function(wrap_pyfunction!(decode_volume, m)?)?;
    m.add_function(wrap_pyfunction!(imread, m)?)?;
    m.add_function(wrap_pyfunction!(probe, m)?)?;
    m.add_function(wrap_pyfunction!(encode, m)?)?;
    m.add_function(wrap_pyfunction!(encode_report, m)?)?;
    m.add_function(wrap_pyfunction!(encode_into, m)?)?;
    m.add_function(wrap_pyfunction!(encode_pages, m)?)?;
    m.add_function(wrap_pyfunction!(imwrite, m)?)?;
    m.add_function(wrap_pyfunction!(codecs, m)?)?;
    m.add_function(wrap_pyfunction!(_load_img, m)?)?;
    m.add_function(wrap_pyfunction!(_convert, m)?)?;
    m.add_function(wrap_pyfunction!(invert, m)?)?;
    m.add_function(wrap_pyfunction!(_dataset, m)?)?;
    m.add_class::<ImageInfo>()?;
    m.add_class::<EncodeReport>()?;
    m.add_class::<ImageDataset>()?;
    m.add_class::<BatchIter>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
