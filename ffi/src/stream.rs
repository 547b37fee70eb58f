//! Read, seek and write callbacks with a `void *user_data`, and their Rust adapters.

use std::ffi::{c_int, c_void};
use std::io::{self, Read, Seek, SeekFrom, Write};

/// Reads up to `cap` bytes into `buf` and stores the count in `*out_read` (0 at the end of
/// the stream). Returns 0 on success, any other value on failure.
#[allow(non_camel_case_types)]
pub type pxc_read_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, buf: *mut u8, cap: usize, out_read: *mut usize) -> c_int>;

/// Moves to `offset` relative to `whence` (a `pxc_seek_whence` value) and stores the new
/// absolute position in `*out_position`. Returns 0 on success, any other value on failure.
#[allow(non_camel_case_types)]
pub type pxc_seek_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, offset: i64, whence: u32, out_position: *mut u64) -> c_int>;

/// Consumes all `len` bytes of `data`. Returns 0 on success, any other value on failure
/// (the encode then fails with `PXC_STATUS_IO`).
#[allow(non_camel_case_types)]
pub type pxc_write_fn = Option<unsafe extern "C" fn(user_data: *mut c_void, data: *const u8, len: usize) -> c_int>;

/// A C read (+ optional seek) callback pair as a Rust reader.
pub struct CReader {
    /// Read callback (non-NULL).
    pub read: unsafe extern "C" fn(*mut c_void, *mut u8, usize, *mut usize) -> c_int,
    /// Seek callback, if any.
    pub seek: pxc_seek_fn,
    /// Caller context.
    pub user_data: *mut c_void,
}

impl Read for CReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0usize;
        // SAFETY: buf is valid for buf.len() bytes; the callback contract is the caller's.
        let rc = unsafe { (self.read)(self.user_data, buf.as_mut_ptr(), buf.len(), &mut n) };
        if rc != 0 {
            return Err(io::Error::other(format!("read callback failed with {rc}")));
        }
        if n > buf.len() {
            return Err(io::Error::other(format!(
                "read callback reported {n} bytes read into a buffer of {}",
                buf.len()
            )));
        }
        Ok(n)
    }
}

impl Seek for CReader {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let Some(seek) = self.seek else {
            return Err(io::Error::new(io::ErrorKind::Unsupported, "no seek callback was given"));
        };
        let (off, whence) = match pos {
            SeekFrom::Start(o) => (
                i64::try_from(o).map_err(|_| io::Error::other("seek offset too large"))?,
                0,
            ),
            SeekFrom::Current(o) => (o, 1),
            SeekFrom::End(o) => (o, 2),
        };
        let mut at = 0u64;
        // SAFETY: the callback contract is the caller's.
        let rc = unsafe { seek(self.user_data, off, whence, &mut at) };
        if rc != 0 {
            return Err(io::Error::other(format!("seek callback failed with {rc}")));
        }
        Ok(at)
    }
}

/// A C write callback as a Rust writer.
pub struct CWriter {
    /// Write callback (non-NULL).
    pub write: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> c_int,
    /// Caller context.
    pub user_data: *mut c_void,
}

impl Write for CWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: buf is valid for buf.len() bytes; the callback contract is the caller's.
        let rc = unsafe { (self.write)(self.user_data, buf.as_ptr(), buf.len()) };
        if rc != 0 {
            return Err(io::Error::other(format!("write callback failed with {rc}")));
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
