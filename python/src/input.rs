//! Input: bytes-like objects (buffer protocol), paths and binary files, read with the GIL released.

use pixcodec::{DecodeOptions, Error, Limits};
use pyo3::buffer::PyUntypedBuffer;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

use crate::errors::*;

/// A contiguous byte view of any buffer-protocol object (bytes, bytearray, memoryview,
/// numpy uint8 array, mmap), kept alive (and the exporter's memory pinned) while it lives.
pub(crate) struct InBytes {
    buf: PyUntypedBuffer,
}

impl InBytes {
    pub(crate) fn get(obj: &Bound<'_, PyAny>) -> PyResult<InBytes> {
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

    pub(crate) fn slice(&self) -> &[u8] {
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
pub(crate) fn as_path(obj: &Bound<'_, PyAny>) -> PyResult<Option<PathBuf>> {
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
pub(crate) fn decode_options(
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
pub(crate) fn limits_arg(obj: &Bound<'_, PyAny>) -> PyResult<Limits> {
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
pub(crate) enum Input {
    Owned(Vec<u8>),
    Borrowed(InBytes),
}

impl Input {
    pub(crate) fn get(obj: &Bound<'_, PyAny>, limits: &Limits) -> PyResult<Input> {
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
    pub(crate) fn bytes(obj: &Bound<'_, PyAny>) -> PyResult<Input> {
        Ok(Input::Borrowed(InBytes::get(obj)?))
    }

    pub(crate) fn slice(&self) -> &[u8] {
        match self {
            Input::Owned(v) => v,
            Input::Borrowed(b) => b.slice(),
        }
    }
}
