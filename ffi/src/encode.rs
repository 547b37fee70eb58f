//! Encoding: `pxc_encode_options`, `pxc_bytes`, the reusable `pxc_buffer`, the encode
//! report, and encode to memory, buffers, files and write callbacks.

use std::borrow::Cow;
use std::ffi::{c_char, c_int, c_void};

use pixcodec::{EncodeOptions, EncodeReport, ImageRef, OptionValue, Registry};

use crate::args::{c_path, copy_str, cstr, put};
use crate::boundary::{ffi, pxc_status, Failure, FfiResult};
use crate::metadata::{clear_dropped, record_dropped};
use crate::registry::{pxc_registry, registry};
use crate::stream::{pxc_write_fn, CWriter};
use crate::types::{pxc_image_view, PXC_NAME_MAX, PXC_TEXT_MAX};

/// Encode options: codec choice, exactness demands and codec options by name. Unknown
/// or out-of-range options are reported by the encode call that uses them, as
/// `PXC_STATUS_INVALID_ARGUMENT` naming the option and what the codec accepts.
#[allow(non_camel_case_types)]
pub struct pxc_encode_options {
    inner: EncodeOptions,
}

impl pxc_encode_options {
    /// The options, to change in place.
    pub(crate) fn inner_mut(&mut self) -> &mut EncodeOptions {
        &mut self.inner
    }
}

/// New default options: automatic codec, lossy only when a lossy format was chosen.
/// Free with `pxc_encode_options_free`.
#[no_mangle]
pub extern "C" fn pxc_encode_options_new() -> *mut pxc_encode_options {
    ffi!(or std::ptr::null_mut(); nonnull() {
        Ok(Box::into_raw(Box::new(pxc_encode_options { inner: EncodeOptions::new() })))
    })
}

/// Frees options (NULL is ignored).
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_free(opts: *mut pxc_encode_options) {
    ffi!(or (); nonnull() {
        if !opts.is_null() {
            drop(unsafe { Box::from_raw(opts) });
        }
        Ok(())
    })
}

fn set_param(opts: &mut pxc_encode_options, name: &str, value: OptionValue) {
    let o = std::mem::take(&mut opts.inner);
    opts.inner = o.set(name, value);
}

/// Uses the codec named `codec` (e.g. `"png"`); NULL returns to automatic choice.
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set_codec(
    opts: *mut pxc_encode_options,
    codec: *const c_char,
) -> pxc_status {
    ffi!(nonnull(opts) {
        let o = unsafe { &mut *opts };
        o.inner.codec = if codec.is_null() {
            None
        } else {
            Some(unsafe { cstr(codec, "codec") }?.to_string())
        };
        Ok(())
    })
}

/// Fails the encode, before writing anything, when the chosen codec would be lossy.
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set_require_exact(opts: *mut pxc_encode_options, yes: bool) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.require_exact = yes;
        Ok(())
    })
}

/// Decodes the output again and compares it with the input (see `pxc_encode_report`).
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set_verify(opts: *mut pxc_encode_options, yes: bool) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.verify = yes;
        Ok(())
    })
}

/// File writes (`pxc_encode_to_file`, `pxc_encode_pages_to_file`): replaces an existing file
/// even when the caller may not write it. By default such a file is refused with
/// `PXC_STATUS_IO` and left untouched, as `cp` does.
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set_overwrite_readonly(
    opts: *mut pxc_encode_options,
    yes: bool,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.overwrite_readonly = yes;
        Ok(())
    })
}

/// File writes: replaces a symlink at the destination by a regular file. By default the
/// data goes to the link's target and the link stays (a dangling link is refused).
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set_replace_symlink(
    opts: *mut pxc_encode_options,
    yes: bool,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.replace_symlink = yes;
        Ok(())
    })
}

/// Option `quality` (JPEG: 1..=100).
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set_quality(opts: *mut pxc_encode_options, value: c_int) -> pxc_status {
    ffi!(nonnull(opts) {
        set_param(unsafe { &mut *opts }, "quality", OptionValue::Int(value as i64));
        Ok(())
    })
}

/// Option `level` (deflate level for PNG and TIFF; zstd level 1..=22 for TIFF).
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set_level(opts: *mut pxc_encode_options, value: c_int) -> pxc_status {
    ffi!(nonnull(opts) {
        set_param(unsafe { &mut *opts }, "level", OptionValue::Int(value as i64));
        Ok(())
    })
}

/// Option `subsampling` (JPEG: `444`, `422`, `420`, `gray`).
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set_subsampling(
    opts: *mut pxc_encode_options,
    value: *const c_char,
) -> pxc_status {
    ffi!(nonnull(opts, value) {
        let v = unsafe { cstr(value, "value") }?.to_string();
        set_param(unsafe { &mut *opts }, "subsampling", OptionValue::Str(v));
        Ok(())
    })
}

/// Option `compression` (TIFF: `none`, `lzw`, `deflate`, `packbits`, `zstd`; PNG: `fast`,
/// `default`, `best`).
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set_compression(
    opts: *mut pxc_encode_options,
    value: *const c_char,
) -> pxc_status {
    ffi!(nonnull(opts, value) {
        let v = unsafe { cstr(value, "value") }?.to_string();
        set_param(unsafe { &mut *opts }, "compression", OptionValue::Str(v));
        Ok(())
    })
}

/// Option `predictor` (TIFF horizontal differencing).
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set_predictor(opts: *mut pxc_encode_options, value: bool) -> pxc_status {
    ffi!(nonnull(opts) {
        set_param(unsafe { &mut *opts }, "predictor", OptionValue::Bool(value));
        Ok(())
    })
}

/// Option `progressive` (JPEG).
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set_progressive(opts: *mut pxc_encode_options, value: bool) -> pxc_status {
    ffi!(nonnull(opts) {
        set_param(unsafe { &mut *opts }, "progressive", OptionValue::Bool(value));
        Ok(())
    })
}

/// Sets any codec option by name from text (`"quality"`, `"90"`), through the same
/// validated key/value path as the typed setters and the command-line tool: the value is
/// parsed and range-checked against the chosen codec's declared options at encode time.
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set(
    opts: *mut pxc_encode_options,
    key: *const c_char,
    value: *const c_char,
) -> pxc_status {
    ffi!(nonnull(opts, key, value) {
        let k = unsafe { cstr(key, "key") }?;
        if k.trim().is_empty() {
            return Err(Failure::invalid("option name must not be empty"));
        }
        let v = unsafe { cstr(value, "value") }?.to_string();
        set_param(unsafe { &mut *opts }, k, OptionValue::Str(v));
        Ok(())
    })
}

/// What an encode did. Filled only on success.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct pxc_encode_report {
    /// Codec that wrote the data (NUL-terminated).
    pub codec: [c_char; PXC_NAME_MAX],
    /// Format written (NUL-terminated).
    pub format: [c_char; PXC_NAME_MAX],
    /// Bytes written.
    pub bytes_written: u64,
    /// Pages written.
    pub pages: u32,
    /// True when decoding the output gives back the input bit for bit.
    pub exact: bool,
    /// Why the result is lossy (empty when exact; truncated to fit).
    pub lossy_reason: [c_char; PXC_TEXT_MAX],
    /// True when `verify` was requested and done.
    pub verified: bool,
    /// With `verified`: every sample matched bit for bit.
    pub verify_identical: bool,
    /// With `verified`: largest absolute difference of any sample.
    pub verify_max_abs_diff: f64,
    /// With `verified`: peak signal-to-noise ratio in dB (infinite when identical).
    pub verify_psnr_db: f64,
}

impl pxc_encode_report {
    fn from_report(r: &EncodeReport) -> Self {
        let mut out = pxc_encode_report {
            codec: [0; PXC_NAME_MAX],
            format: [0; PXC_NAME_MAX],
            bytes_written: r.bytes_written,
            pages: r.pages,
            exact: r.exact,
            lossy_reason: [0; PXC_TEXT_MAX],
            verified: r.verification.is_some(),
            verify_identical: r.verification.map(|v| v.identical).unwrap_or(false),
            verify_max_abs_diff: r.verification.map(|v| v.max_abs_diff).unwrap_or(0.0),
            verify_psnr_db: r.verification.map(|v| v.psnr_db).unwrap_or(0.0),
        };
        copy_str(&mut out.codec, &r.codec);
        copy_str(&mut out.format, &r.format);
        copy_str(&mut out.lossy_reason, r.lossy_reason.as_deref().unwrap_or(""));
        out
    }
}

/// Fills `*out_report` (may be NULL) and keeps the report's dropped metadata items for
/// `pxc_last_encode_dropped_*`.
unsafe fn finish(report: EncodeReport, out_report: *mut pxc_encode_report) {
    // SAFETY: NULL or writable per the caller's contract.
    unsafe { put(out_report, pxc_encode_report::from_report(&report)) };
    record_dropped(report.metadata_dropped);
}

/// Encoded bytes owned by pixcodec. Free with `pxc_bytes_free`; do not change the fields.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct pxc_bytes {
    /// The encoded data.
    pub data: *mut u8,
    /// Bytes of data.
    pub len: usize,
    /// Allocation size (needed to free; do not change).
    pub capacity: usize,
}

/// Frees the data of `bytes` and zeroes the struct. NULL, and a struct already freed or
/// zero-initialised, are accepted.
#[no_mangle]
pub unsafe extern "C" fn pxc_bytes_free(bytes: *mut pxc_bytes) {
    ffi!(or (); nonnull() {
        if bytes.is_null() {
            return Ok(());
        }
        let b = unsafe { &mut *bytes };
        if !b.data.is_null() {
            // SAFETY: data/len/capacity came from a Vec<u8> given out by pxc_encode*.
            drop(unsafe { Vec::from_raw_parts(b.data, b.len, b.capacity) });
        }
        b.data = std::ptr::null_mut();
        b.len = 0;
        b.capacity = 0;
        Ok(())
    })
}

/// A growable output buffer reused across encodes: once it is large enough, encoding into
/// it allocates nothing. Free with `pxc_buffer_free`.
#[allow(non_camel_case_types)]
pub struct pxc_buffer {
    inner: Vec<u8>,
}

/// A new empty buffer with room for `capacity` bytes.
#[no_mangle]
pub extern "C" fn pxc_buffer_new(capacity: usize) -> *mut pxc_buffer {
    ffi!(or std::ptr::null_mut(); nonnull() {
        let mut v = Vec::new();
        v.try_reserve_exact(capacity)
            .map_err(|_| Failure::new(pxc_status::Limits, format!("cannot allocate {capacity} bytes")))?;
        Ok(Box::into_raw(Box::new(pxc_buffer { inner: v })))
    })
}

/// Frees a buffer (NULL is ignored).
#[no_mangle]
pub unsafe extern "C" fn pxc_buffer_free(buf: *mut pxc_buffer) {
    ffi!(or (); nonnull() {
        if !buf.is_null() {
            drop(unsafe { Box::from_raw(buf) });
        }
        Ok(())
    })
}

/// The bytes of the last encode into the buffer, valid until the next encode into it or
/// its free (NULL when `buf` is NULL).
#[no_mangle]
pub unsafe extern "C" fn pxc_buffer_data(buf: *const pxc_buffer) -> *const u8 {
    ffi!(or std::ptr::null(); nonnull(buf) { Ok(unsafe { &*buf }.inner.as_ptr()) })
}

/// Bytes held (0 when `buf` is NULL).
#[no_mangle]
pub unsafe extern "C" fn pxc_buffer_len(buf: *const pxc_buffer) -> usize {
    ffi!(or 0; nonnull(buf) { Ok(unsafe { &*buf }.inner.len()) })
}

/// Bytes the buffer can hold without growing (0 when `buf` is NULL).
#[no_mangle]
pub unsafe extern "C" fn pxc_buffer_capacity(buf: *const pxc_buffer) -> usize {
    ffi!(or 0; nonnull(buf) { Ok(unsafe { &*buf }.inner.capacity()) })
}

/// The options behind a nullable handle, borrowed (no copy per encode: the encode path
/// allocates nothing once warm, see `pxc_encode_to_buffer`).
pub(crate) fn options<'a>(opts: *const pxc_encode_options) -> Cow<'a, EncodeOptions> {
    if opts.is_null() {
        Cow::Owned(EncodeOptions::new())
    } else {
        // SAFETY: a live handle per the caller's contract.
        Cow::Borrowed(&unsafe { &*opts }.inner)
    }
}

/// The target string: NULL is allowed when the options name a codec.
unsafe fn target<'a>(t: *const c_char, opts: &EncodeOptions) -> FfiResult<&'a str> {
    if t.is_null() {
        if opts.codec.is_some() {
            return Ok("");
        }
        return Err(Failure::null("target"));
    }
    // SAFETY: per the caller's contract.
    unsafe { cstr(t, "target") }
}

unsafe fn view<'a>(image: *const pxc_image_view) -> FfiResult<ImageRef<'a>> {
    // SAFETY: non-NULL (checked by the boundary) and valid per the caller's contract.
    unsafe { (*image).as_image_ref("image") }
}

unsafe fn views<'a>(pages: *const pxc_image_view, count: usize) -> FfiResult<Vec<ImageRef<'a>>> {
    if count == 0 {
        return Err(Failure::invalid("nothing to encode: page_count is 0"));
    }
    // SAFETY: `pages` holds `count` views per the caller's contract.
    let slice = unsafe { std::slice::from_raw_parts(pages, count) };
    slice
        .iter()
        .enumerate()
        .map(|(i, v)| unsafe { v.as_image_ref(&format!("pages[{i}]")) })
        .collect()
}

fn into_bytes(v: Vec<u8>) -> pxc_bytes {
    let mut v = std::mem::ManuallyDrop::new(v);
    pxc_bytes {
        data: v.as_mut_ptr(),
        len: v.len(),
        capacity: v.capacity(),
    }
}

fn encode_pages_mem(
    reg: &Registry,
    pages: &[ImageRef<'_>],
    target: &str,
    opts: &EncodeOptions,
) -> FfiResult<(Vec<u8>, EncodeReport)> {
    let mut data = Vec::new();
    let report = reg.encode_pages_to(pages, target, opts, &mut data)?;
    Ok((data, report))
}

/// Encodes one image to new memory. `target` is a codec name, format, extension or MIME
/// type (`"png"`, `"tiff"`, `".jpg"`, `"image/png"`); it may be NULL when `opts` names a
/// codec. `reg`, `opts` and `out_report` may be NULL. `*out_bytes` is set only on success
/// and must be freed with `pxc_bytes_free`.
#[no_mangle]
pub unsafe extern "C" fn pxc_encode(
    reg: *const pxc_registry,
    image: *const pxc_image_view,
    target: *const c_char,
    opts: *const pxc_encode_options,
    out_bytes: *mut pxc_bytes,
    out_report: *mut pxc_encode_report,
) -> pxc_status {
    clear_dropped();
    ffi!(nonnull(image, out_bytes) {
        let o = options(opts);
        let t = unsafe { self::target(target, &o) }?;
        let img = unsafe { view(image) }?;
        let (data, report) = encode_pages_mem(unsafe { registry(reg) }, &[img], t, &o)?;
        unsafe { out_bytes.write(into_bytes(data)) };
        unsafe { finish(report, out_report) };
        Ok(())
    })
}

/// Encodes several pages into one file in memory (multi-page codecs such as TIFF).
/// `pages` points to `page_count` views. Otherwise as `pxc_encode`.
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_pages(
    reg: *const pxc_registry,
    pages: *const pxc_image_view,
    page_count: usize,
    target: *const c_char,
    opts: *const pxc_encode_options,
    out_bytes: *mut pxc_bytes,
    out_report: *mut pxc_encode_report,
) -> pxc_status {
    clear_dropped();
    ffi!(nonnull(pages, out_bytes) {
        let o = options(opts);
        let t = unsafe { self::target(target, &o) }?;
        let imgs = unsafe { views(pages, page_count) }?;
        let (data, report) = encode_pages_mem(unsafe { registry(reg) }, &imgs, t, &o)?;
        unsafe { out_bytes.write(into_bytes(data)) };
        unsafe { finish(report, out_report) };
        Ok(())
    })
}

/// Encodes one image into a reusable buffer, replacing its contents. Once the buffer is
/// large enough this allocates nothing. On failure the buffer's contents are unspecified
/// (its allocation is kept). Otherwise as `pxc_encode`.
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_to_buffer(
    reg: *const pxc_registry,
    image: *const pxc_image_view,
    target: *const c_char,
    opts: *const pxc_encode_options,
    buf: *mut pxc_buffer,
    out_report: *mut pxc_encode_report,
) -> pxc_status {
    clear_dropped();
    ffi!(nonnull(image, buf) {
        let o = options(opts);
        let t = unsafe { self::target(target, &o) }?;
        let img = unsafe { view(image) }?;
        let b = &mut unsafe { &mut *buf }.inner;
        let report = unsafe { registry(reg) }.encode_into(img, t, &o, b)?;
        unsafe { finish(report, out_report) };
        Ok(())
    })
}

/// Writes one image to `path` atomically (a temporary file in the same folder renamed over
/// `path`; on failure `path` is untouched). `target` may be NULL: the format then comes
/// from the file extension (or from the codec named in `opts`). An existing file the caller
/// may not write is refused (`PXC_STATUS_IO`; see
/// `pxc_encode_options_set_overwrite_readonly`); a symlink is written through to its target,
/// the link kept (see `pxc_encode_options_set_replace_symlink`); a replaced file keeps its
/// permission bits. Error messages name `path`, never the temporary file.
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_to_file(
    reg: *const pxc_registry,
    image: *const pxc_image_view,
    path: *const c_char,
    target: *const c_char,
    opts: *const pxc_encode_options,
    out_report: *mut pxc_encode_report,
) -> pxc_status {
    clear_dropped();
    ffi!(nonnull(image, path) {
        let img = unsafe { view(image) }?;
        unsafe { write_file(reg, &[img], path, target, opts, out_report) }
    })
}

/// Writes several pages to one file atomically (see `pxc_encode_to_file`).
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_pages_to_file(
    reg: *const pxc_registry,
    pages: *const pxc_image_view,
    page_count: usize,
    path: *const c_char,
    target: *const c_char,
    opts: *const pxc_encode_options,
    out_report: *mut pxc_encode_report,
) -> pxc_status {
    clear_dropped();
    ffi!(nonnull(pages, path) {
        let imgs = unsafe { views(pages, page_count) }?;
        unsafe { write_file(reg, &imgs, path, target, opts, out_report) }
    })
}

unsafe fn write_file(
    reg: *const pxc_registry,
    pages: &[ImageRef<'_>],
    path: *const c_char,
    target: *const c_char,
    opts: *const pxc_encode_options,
    out_report: *mut pxc_encode_report,
) -> FfiResult<()> {
    let o = options(opts);
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let p = unsafe { c_path(path) };
    let reg = unsafe { registry(reg) };
    let written = if target.is_null() {
        if o.codec.is_some() && p.extension().is_none() {
            reg.write_pages_as(pages, p, "", &o)
        } else {
            reg.write_pages(pages, p, &o)
        }
    } else {
        reg.write_pages_as(pages, p, unsafe { cstr(target, "target") }?, &o)
    };
    let report = written?;
    unsafe { finish(report, out_report) };
    Ok(())
}

/// Encodes one image to a write callback, called with `user_data` as often as needed.
/// A non-zero return from `write` fails the encode with `PXC_STATUS_IO`. Otherwise as
/// `pxc_encode`.
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_to_callback(
    reg: *const pxc_registry,
    image: *const pxc_image_view,
    target: *const c_char,
    opts: *const pxc_encode_options,
    write: pxc_write_fn,
    user_data: *mut c_void,
    out_report: *mut pxc_encode_report,
) -> pxc_status {
    clear_dropped();
    ffi!(nonnull(image, write) {
        let o = options(opts);
        let t = unsafe { self::target(target, &o) }?;
        let img = unsafe { view(image) }?;
        let mut w = CWriter { write: write.ok_or_else(|| Failure::null("write"))?, user_data };
        let report = unsafe { registry(reg) }.encode_to(img, t, &o, &mut w)?;
        unsafe { finish(report, out_report) };
        Ok(())
    })
}
