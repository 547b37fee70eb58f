//! # pixcodec C ABI
//!
//! `libpixcodec.so` / `libpixcodec.a` with the generated header `include/pixcodec.h`.
//!
//! Conventions (they hold for every function):
//! - Names: `pxc_<object>_<verb>`, opaque handles `pxc_<object>`, constants
//!   `PXC_<ENUM>_<VARIANT>`.
//! - Every fallible call returns a `pxc_status`; out-parameters are written only on
//!   success (the documented exceptions: `pxc_decode_into`, `pxc_load_into`,
//!   `pxc_dataset_fill_batch` and the text and byte copies `pxc_dataset_class_name`,
//!   `pxc_metadata_icc_profile` & co. report the needed sizes on
//!   `PXC_STATUS_BUFFER_TOO_SMALL`). `pxc_last_error_message` gives the detail of the most
//!   recent failure on the calling thread.
//! - Every exported body runs inside one boundary ([`boundary::run`] via the `ffi!` macro):
//!   panics are caught (`PXC_STATUS_PANIC`), NULL pointers are reported
//!   (`PXC_STATUS_NULL_ARGUMENT`, naming the argument). Pointers documented as "may be
//!   NULL" are optional; every `reg` argument may be NULL (default registry), every
//!   `limits` and `opts` argument may be NULL (defaults), every `out_report`/`out_info` of
//!   an encode or `pxc_decode_into` may be NULL.
//! - Enum values from C (`layout`, `sample`, `fidelity`, `color_mode`, `interpolation`,
//!   `fit`, `label_mode`, `subset`, metadata `item`, `policy`, resolution `unit`) are
//!   `uint32_t` and checked.
//! - Ownership: what `pxc_x_new` (or a decode/encode out-parameter) gives, `pxc_x_free`
//!   frees; every free function accepts NULL. Input buffers are borrowed for the call only.
//! - Pointers passed in must be valid for what the documentation says (readable for `len`
//!   bytes, NUL-terminated strings, live handles); that is the one safety contract of the
//!   whole API, so the per-function `# Safety` sections are omitted.
#![deny(missing_docs)]
#![allow(clippy::missing_safety_doc)]
// The boundary macro runs each body in an immediately called closure so that `?` and
// `return` inside a body stay within the boundary.
#![allow(clippy::redundant_closure_call)]

pub mod args;
pub mod boundary;
pub mod ccodec;
pub mod convert;
pub mod decode;
pub mod encode;
pub mod metadata;
pub mod ml;
pub mod registry;
pub mod stream;
pub mod testing;
pub mod types;
pub mod version;

use std::ffi::c_char;

use boundary::{ffi, pxc_status};

/// Major version; matches `Cargo.toml` (checked at compile time and by tests).
pub const PXC_VERSION_MAJOR: u32 = 0;
/// Minor version; matches `Cargo.toml`.
pub const PXC_VERSION_MINOR: u32 = 1;
/// Patch version; matches `Cargo.toml`.
pub const PXC_VERSION_PATCH: u32 = 0;

const fn parse_u32(s: &str) -> u32 {
    let b = s.as_bytes();
    let mut i = 0;
    let mut v = 0u32;
    while i < b.len() {
        assert!(b[i].is_ascii_digit(), "version component is not a number");
        v = v * 10 + (b[i] - b'0') as u32;
        i += 1;
    }
    v
}

// The header's version macros come from the constants above; the build fails when they
// drift from Cargo.toml.
const _: () = assert!(PXC_VERSION_MAJOR == parse_u32(env!("CARGO_PKG_VERSION_MAJOR")));
const _: () = assert!(PXC_VERSION_MINOR == parse_u32(env!("CARGO_PKG_VERSION_MINOR")));
const _: () = assert!(PXC_VERSION_PATCH == parse_u32(env!("CARGO_PKG_VERSION_PATCH")));

/// The library version as `"MAJOR.MINOR.PATCH"` (static, never freed).
#[no_mangle]
pub extern "C" fn pxc_version_string() -> *const c_char {
    ffi!(or std::ptr::null(); nonnull() {
        Ok(concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr() as *const c_char)
    })
}

/// A static description of a status (never NULL; unknown values give
/// `"unknown status"`). Takes an `int` so any value from C is safe to pass.
#[no_mangle]
pub extern "C" fn pxc_status_str(status: i32) -> *const c_char {
    ffi!(or c"unknown status".as_ptr(); nonnull() {
        Ok(pxc_status::from_raw(status as i64)
            .map(|s| s.describe().as_ptr())
            .unwrap_or(c"unknown status".as_ptr()))
    })
}

/// Copies the message of the most recent failure on this thread into `buf` (`cap` bytes),
/// NUL-terminated and truncated to fit, and stores the size of the whole message
/// including its NUL in `*out_needed` (may be NULL). `buf` may be NULL when `cap` is 0
/// (size query). Returns OK even when truncated (compare `*out_needed` with `cap`). The
/// message is empty when nothing has failed yet on this thread.
#[no_mangle]
pub unsafe extern "C" fn pxc_last_error_message(buf: *mut c_char, cap: usize, out_needed: *mut usize) -> pxc_status {
    // Not routed through `ffi!` on failure paths that would overwrite the message being read.
    boundary::run(
        |s| s,
        || {
            // SAFETY: buf holds cap bytes (or is NULL with cap 0).
            let needed = unsafe { boundary::copy_last_error(buf, cap) }?;
            // SAFETY: NULL or writable.
            unsafe { args::put(out_needed, needed) };
            Ok(pxc_status::Ok)
        },
    )
}

#[cfg(test)]
mod alloc_tests;
#[cfg(test)]
mod tests;
