//! The one boundary every exported function runs inside: panics are caught, NULL
//! arguments become [`pxc_status::NullArgument`], Rust errors become their status, and the
//! message of the most recent failure is kept per thread.

use std::cell::RefCell;
use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use pixcodec::{Error, ErrorKind};

use crate::args::{text_out, Overflow};

/// The result of every fallible call. The values are part of the ABI and never change:
/// new statuses are only ever appended.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum pxc_status {
    /// Success.
    Ok = 0,
    /// A pointer argument that must not be NULL was NULL (the message names it).
    NullArgument = 1,
    /// An argument is invalid: bad enum value, stride, option name or value, non-UTF-8 text.
    InvalidArgument = 2,
    /// No registered codec recognises the data, name, extension or MIME type.
    UnknownFormat = 3,
    /// The data is valid but uses a feature the codec does not implement.
    Unsupported = 4,
    /// The operation would change pixel values (lossy codec with require_exact, narrowing).
    NotExact = 5,
    /// The input is corrupt, truncated or malformed.
    Decode = 6,
    /// The encoder failed.
    Encode = 7,
    /// A configured limit (dimensions, pixels, bytes, pages) would be exceeded.
    Limits = 8,
    /// An operating-system or callback I/O error.
    Io = 9,
    /// A caller buffer is too small; the needed size is reported through an out-parameter.
    BufferTooSmall = 10,
    /// A panic (a bug in pixcodec or in a Rust codec) was caught; the process can go on.
    Panic = 11,
}

impl pxc_status {
    /// Every status, in value order.
    pub const ALL: [pxc_status; 12] = [
        pxc_status::Ok,
        pxc_status::NullArgument,
        pxc_status::InvalidArgument,
        pxc_status::UnknownFormat,
        pxc_status::Unsupported,
        pxc_status::NotExact,
        pxc_status::Decode,
        pxc_status::Encode,
        pxc_status::Limits,
        pxc_status::Io,
        pxc_status::BufferTooSmall,
        pxc_status::Panic,
    ];

    /// The status with this numeric value, if any.
    pub fn from_raw(v: i64) -> Option<pxc_status> {
        Self::ALL.into_iter().find(|s| *s as i64 == v)
    }

    /// A static, NUL-terminated description.
    pub fn describe(self) -> &'static CStr {
        match self {
            pxc_status::Ok => c"ok",
            pxc_status::NullArgument => c"a required pointer argument was NULL",
            pxc_status::InvalidArgument => c"invalid argument",
            pxc_status::UnknownFormat => c"unknown format",
            pxc_status::Unsupported => c"unsupported feature",
            pxc_status::NotExact => c"the result would not be exact",
            pxc_status::Decode => c"decode error (corrupt or truncated input)",
            pxc_status::Encode => c"encode error",
            pxc_status::Limits => c"limits exceeded",
            pxc_status::Io => c"I/O error",
            pxc_status::BufferTooSmall => c"buffer too small",
            pxc_status::Panic => c"internal panic (caught)",
        }
    }
}

/// The status of a pixcodec error kind.
pub fn status_of(kind: ErrorKind) -> pxc_status {
    match kind {
        ErrorKind::UnknownFormat => pxc_status::UnknownFormat,
        ErrorKind::Unsupported => pxc_status::Unsupported,
        ErrorKind::NotExact => pxc_status::NotExact,
        ErrorKind::Decode => pxc_status::Decode,
        ErrorKind::Encode => pxc_status::Encode,
        ErrorKind::Limits => pxc_status::Limits,
        ErrorKind::Io => pxc_status::Io,
        ErrorKind::InvalidArgument => pxc_status::InvalidArgument,
        ErrorKind::BufferTooSmall => pxc_status::BufferTooSmall,
    }
}

/// A failed call: the status to return and the message to keep as last error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Status returned to C.
    pub status: pxc_status,
    /// Detail stored as the thread's last error.
    pub message: String,
}

impl Failure {
    /// A failure with a status and message.
    pub fn new(status: pxc_status, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
        }
    }
    /// A NULL pointer argument named `arg`.
    pub fn null(arg: &str) -> Self {
        Failure::new(pxc_status::NullArgument, format!("argument '{arg}' must not be NULL"))
    }
    /// An invalid argument.
    pub fn invalid(message: impl Into<String>) -> Self {
        Failure::new(pxc_status::InvalidArgument, message)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        // Advice names the C functions and setters, not the Rust ones.
        Failure::new(status_of(e.kind()), e.message_for(pixcodec::convert::Surface::C))
    }
}

/// Result type of exported bodies.
pub type FfiResult<T> = Result<T, Failure>;

thread_local! {
    static LAST_ERROR: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Stores `message` as this thread's last error (interior NULs become `?`).
pub fn set_last_error(message: &str) {
    let bytes: Vec<u8> = message.bytes().map(|b| if b == 0 { b'?' } else { b }).collect();
    LAST_ERROR.with(|l| *l.borrow_mut() = bytes);
}

/// This thread's last error message.
pub fn last_error() -> String {
    LAST_ERROR.with(|l| String::from_utf8_lossy(&l.borrow()).into_owned())
}

/// Copies the last error into `buf` (NUL-terminated, truncated to fit) and returns the
/// size needed for the whole message including its NUL. `buf` NULL with `cap` > 0 is
/// `PXC_STATUS_NULL_ARGUMENT`.
///
/// # Safety
/// `buf` must be valid for `cap` bytes (it may be NULL when `cap` is 0).
pub unsafe fn copy_last_error(buf: *mut c_char, cap: usize) -> FfiResult<usize> {
    LAST_ERROR.with(|l| {
        // SAFETY: per the caller's contract.
        unsafe { text_out(&l.borrow(), buf, cap, Overflow::Truncate, "the message") }
    })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    }
}

/// Runs `f`, catching panics; a failure or panic stores the message and yields
/// `on_error(status)`.
pub fn run<T>(on_error: impl FnOnce(pxc_status) -> T, f: impl FnOnce() -> FfiResult<T>) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(fail)) => {
            set_last_error(&fail.message);
            on_error(fail.status)
        }
        Err(payload) => {
            set_last_error(&format!(
                "panic caught at the C boundary: {}",
                panic_message(payload.as_ref())
            ));
            on_error(pxc_status::Panic)
        }
    }
}

/// Something that can be NULL: raw pointers and optional function pointers.
pub trait Nullable {
    /// True when NULL.
    fn is_null_arg(&self) -> bool;
}
impl<T: ?Sized> Nullable for *const T {
    fn is_null_arg(&self) -> bool {
        self.is_null()
    }
}
impl<T: ?Sized> Nullable for *mut T {
    fn is_null_arg(&self) -> bool {
        self.is_null()
    }
}
impl<T> Nullable for Option<T> {
    fn is_null_arg(&self) -> bool {
        self.is_none()
    }
}

/// The boundary macro wrapped around every exported body.
///
/// * `ffi!(nonnull(a, b) { body })`: `body` yields `FfiResult<()>`; the call returns a
///   `pxc_status`.
/// * `ffi!(or FALLBACK; nonnull(a) { body })`: `body` yields `FfiResult<T>`; on failure
///   the call returns `FALLBACK` (e.g. NULL or 0) and sets the last error.
///
/// Arguments listed in `nonnull(...)` are checked first, in order; the first NULL one
/// fails with `PXC_STATUS_NULL_ARGUMENT` naming it. Arguments not listed may be NULL.
macro_rules! ffi {
    (nonnull($($p:ident),* $(,)?) $body:block) => {
        $crate::boundary::run(
            |status| status,
            || -> $crate::boundary::FfiResult<$crate::boundary::pxc_status> {
                $(
                    if $crate::boundary::Nullable::is_null_arg(&$p) {
                        return Err($crate::boundary::Failure::null(stringify!($p)));
                    }
                )*
                let r: $crate::boundary::FfiResult<()> = (|| $body)();
                r.map(|()| $crate::boundary::pxc_status::Ok)
            },
        )
    };
    (or $fallback:expr; nonnull($($p:ident),* $(,)?) $body:block) => {
        $crate::boundary::run(
            |_| $fallback,
            || {
                $(
                    if $crate::boundary::Nullable::is_null_arg(&$p) {
                        return Err($crate::boundary::Failure::null(stringify!($p)));
                    }
                )*
                (|| $body)()
            },
        )
    };
}
pub(crate) use ffi;
