//! Arguments that point into the caller's memory, read and written the same way by every
//! function: C strings and paths in, byte buffers in, values through out-pointers, caller
//! buffers that must be large enough (`PXC_STATUS_BUFFER_TOO_SMALL`) and text copied out.

use std::ffi::{c_char, c_void, CStr, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::boundary::{pxc_status, Failure, FfiResult};

/// A borrowed C string as UTF-8 text; `what` names the argument in errors.
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string valid for `'a`.
pub unsafe fn cstr<'a>(p: *const c_char, what: &str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| Failure::invalid(format!("argument '{what}' is not valid UTF-8")))
}

/// `count` UTF-8 C strings from an array of pointers (the array may be NULL when `count` is
/// 0); `what` names the argument, `what[i]` an element, in errors.
///
/// # Safety
/// `p` must be NULL or hold `count` pointers, each NULL or a NUL-terminated string.
pub unsafe fn cstr_array(p: *const *const c_char, count: usize, what: &str) -> FfiResult<Vec<String>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() {
        return Err(Failure::null(what));
    }
    (0..count)
        .map(|i| {
            // SAFETY: `p` holds `count` pointers per the caller's contract.
            let s = unsafe { *p.add(i) };
            unsafe { cstr(s, &format!("{what}[{i}]")) }.map(str::to_string)
        })
        .collect()
}

/// A file path from C: its bytes as they are (paths need not be UTF-8).
///
/// # Safety
/// `p` must be non-NULL (callers list it in `ffi!`'s `nonnull`) and NUL-terminated, valid
/// for `'a`.
pub unsafe fn c_path<'a>(p: *const c_char) -> &'a Path {
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    Path::new(OsStr::from_bytes(unsafe { CStr::from_ptr(p) }.to_bytes()))
}

/// A borrowed byte buffer; `len` 0 gives an empty slice.
///
/// # Safety
/// `p` must be non-NULL and valid for `len` bytes for `'a`.
pub unsafe fn bytes<'a>(p: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: per the caller's contract.
        unsafe { std::slice::from_raw_parts(p, len) }
    }
}

/// Writes `v` through an out-pointer when it is not NULL.
///
/// # Safety
/// `p` must be NULL or valid for a write of `T`.
pub unsafe fn put<T>(p: *mut T, v: T) {
    if !p.is_null() {
        // SAFETY: per the caller's contract.
        unsafe { p.write(v) }
    }
}

/// The caller's buffer `buf` of `len` bytes, which must hold `need` bytes. Too small:
/// `PXC_STATUS_BUFFER_TOO_SMALL` with "{what} needs {need} bytes, the buffer has {len}" (then
/// `buf` may be NULL: the size query of a two-phase call); large enough but NULL:
/// `PXC_STATUS_NULL_ARGUMENT` naming `name`. Nothing is needed (`need` 0): an empty slice,
/// whatever `buf` is.
///
/// # Safety
/// `buf` must be NULL or valid for writes of `len` bytes for `'a`.
pub unsafe fn caller_buffer<'a>(
    buf: *mut c_void,
    len: usize,
    need: usize,
    name: &str,
    what: impl FnOnce() -> String,
) -> FfiResult<&'a mut [u8]> {
    if len < need {
        return Err(Failure::new(
            pxc_status::BufferTooSmall,
            format!("{} needs {need} bytes, the buffer has {len}", what()),
        ));
    }
    if need == 0 {
        return Ok(&mut []);
    }
    if buf.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: non-NULL and valid for `len` bytes per the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(buf as *mut u8, len) })
}

/// What [`text_out`] does with text longer than the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// Write the longest prefix that ends on a UTF-8 character boundary (the last error
    /// message, fixed-size name fields).
    Truncate,
    /// Write nothing and fail with `PXC_STATUS_BUFFER_TOO_SMALL` (names and paths that are
    /// useless when cut).
    Refuse,
}

/// Copies `text` and a NUL into the caller's `buf` of `cap` bytes and returns the size the
/// whole text needs, NUL included. `cap` 0 writes nothing (`buf` may be NULL: a size query);
/// longer text is truncated or refused as `overflow` says (`what` names the text in the
/// error). Bytes after the NUL are left as they are.
///
/// # Safety
/// `buf` must be NULL or valid for writes of `cap` bytes.
pub unsafe fn text_out(text: &[u8], buf: *mut c_char, cap: usize, overflow: Overflow, what: &str) -> FfiResult<usize> {
    let need = text.len() + 1;
    let n = match overflow {
        Overflow::Refuse => text.len(),
        Overflow::Truncate if cap == 0 => return Ok(need),
        Overflow::Truncate => {
            let mut n = text.len().min(cap - 1);
            // Back off over UTF-8 continuation bytes so a character is never cut in two.
            while n < text.len() && n > 0 && text[n] & 0xC0 == 0x80 {
                n -= 1;
            }
            n
        }
    };
    // SAFETY: per the caller's contract.
    let dst = unsafe {
        caller_buffer(buf as *mut c_void, cap, n + 1, "buf", || {
            format!("{what} (with its NUL)")
        })
    }?;
    dst[..n].copy_from_slice(&text[..n]);
    dst[n] = 0;
    Ok(need)
}

/// Copies text out as the getters of lists document (`pxc_dataset_class_name`,
/// `pxc_metadata_text_value`, …): the size needed (NUL included) goes to `*needed` (may be
/// NULL) in every case, the text only when it fits whole (`what` names it in the error).
///
/// # Safety
/// `needed` must be NULL or writable; `buf` NULL or valid for writes of `cap` bytes.
pub unsafe fn copy_text(text: &[u8], what: &str, buf: *mut c_char, cap: usize, needed: *mut usize) -> FfiResult<()> {
    // SAFETY: per the caller's contract.
    unsafe {
        put(needed, text.len() + 1);
        text_out(text, buf, cap, Overflow::Refuse, what).map(|_| ())
    }
}

/// Copies bytes out the same way: their count goes to `*out_len` (may be NULL) in every
/// case, the bytes into `buf` (`cap` bytes) only when they fit (else
/// `PXC_STATUS_BUFFER_TOO_SMALL` naming `what`; `buf` may be NULL with `cap` 0 for the size).
///
/// # Safety
/// `out_len` must be NULL or writable; `buf` NULL or valid for writes of `cap` bytes.
pub unsafe fn copy_bytes(data: &[u8], what: &str, buf: *mut u8, cap: usize, out_len: *mut usize) -> FfiResult<()> {
    // SAFETY: per the caller's contract.
    unsafe {
        put(out_len, data.len());
        let dst = caller_buffer(buf as *mut c_void, cap, data.len(), "buf", || what.to_string())?;
        dst[..data.len()].copy_from_slice(data);
    }
    Ok(())
}

/// [`text_out`] into a fixed-size field of a C struct, truncating, the rest zeroed.
pub fn copy_str(dst: &mut [c_char], s: &str) {
    dst.fill(0);
    // SAFETY: `dst` is valid for `dst.len()` bytes; truncation cannot fail.
    let _ = unsafe {
        text_out(
            s.as_bytes(),
            dst.as_mut_ptr(),
            dst.len(),
            Overflow::Truncate,
            "the text",
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(text: &str, cap: usize, overflow: Overflow) -> (FfiResult<usize>, Vec<u8>) {
        let mut buf = vec![0x7fu8; cap];
        let r = unsafe {
            text_out(
                text.as_bytes(),
                buf.as_mut_ptr() as *mut c_char,
                cap,
                overflow,
                "the name",
            )
        };
        (r, buf)
    }

    #[test]
    fn text_out_truncates_on_character_boundaries_or_refuses() {
        assert_eq!(out("abc", 4, Overflow::Refuse), (Ok(4), b"abc\0".to_vec()));
        assert_eq!(out("abc", 6, Overflow::Truncate), (Ok(4), b"abc\0\x7f\x7f".to_vec()));
        assert_eq!(out("abcdef", 4, Overflow::Truncate), (Ok(7), b"abc\0".to_vec()));
        // "é" is two bytes: a 3-byte buffer holds "a" and the NUL, never half of it.
        assert_eq!(out("aé", 3, Overflow::Truncate), (Ok(4), b"a\0\x7f".to_vec()));
        assert_eq!(out("abc", 0, Overflow::Truncate), (Ok(4), vec![]));
        let (r, buf) = out("abc", 3, Overflow::Refuse);
        let f = r.unwrap_err();
        assert_eq!(f.status, pxc_status::BufferTooSmall);
        assert_eq!(f.message, "the name (with its NUL) needs 4 bytes, the buffer has 3");
        assert_eq!(buf, b"\x7f\x7f\x7f");
        // A size query: no buffer, the size still reported by the error path.
        let r = unsafe { text_out(b"abc", std::ptr::null_mut(), 0, Overflow::Refuse, "x") };
        assert_eq!(r.unwrap_err().status, pxc_status::BufferTooSmall);
        let r = unsafe { text_out(b"abc", std::ptr::null_mut(), 8, Overflow::Truncate, "x") };
        assert_eq!(r.unwrap_err().status, pxc_status::NullArgument);
    }

    #[test]
    fn caller_buffer_checks_size_then_pointer() {
        let mut mem = [0u8; 8];
        let p = mem.as_mut_ptr() as *mut c_void;
        assert_eq!(unsafe { caller_buffer(p, 8, 8, "buf", String::new) }.unwrap().len(), 8);
        let f = unsafe { caller_buffer(p, 7, 8, "buf", || "the image".into()) }.unwrap_err();
        assert_eq!(
            (f.status, f.message.as_str()),
            (pxc_status::BufferTooSmall, "the image needs 8 bytes, the buffer has 7")
        );
        let f = unsafe { caller_buffer(std::ptr::null_mut(), 8, 8, "images_buf", String::new) }.unwrap_err();
        assert_eq!(
            (f.status, f.message.as_str()),
            (pxc_status::NullArgument, "argument 'images_buf' must not be NULL")
        );
        assert!(
            unsafe { caller_buffer(std::ptr::null_mut(), 0, 0, "labels_buf", String::new) }
                .unwrap()
                .is_empty()
        );
    }
}
