//! Errors: one Python exception class per `ErrorKind` (the classes live in `pixcodec/__init__.py`),
//! and the conversion of Rust errors into them.

use pixcodec::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::PyType;

pub(crate) fn class_name(kind: ErrorKind) -> &'static str {
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
pub(crate) fn py_err(e: Error) -> PyErr {
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

pub(crate) trait OrPy<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> OrPy<T> for pixcodec::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(py_err)
    }
}

pub(crate) fn invalid(msg: impl std::fmt::Display) -> PyErr {
    py_err(Error::invalid(msg))
}

/// Re-raises a Python exception from a file object or path conversion as `pixcodec.IoError`.
pub(crate) fn io_err(py: Python<'_>, what: &str, e: PyErr) -> PyErr {
    let msg = format!("{what}: {}", e.value(py));
    let new = py_err(Error::Io(std::io::Error::other(msg)));
    new.set_cause(py, Some(e));
    new
}
