//! Decoding: `pxc_limits`, `pxc_image`, `pxc_image_list`, probe and decode from memory,
//! files and read/seek callbacks, and the two-phase decode into caller memory.

use std::ffi::{c_char, c_void};

use pixcodec::registry::BufferSize;
use pixcodec::{DecodeOptions, Image, Limits, Registry};

use crate::args::{bytes, c_path, caller_buffer, put};
use crate::boundary::{ffi, pxc_status, Failure, FfiResult};
use crate::registry::{pxc_registry, registry};
use crate::stream::{pxc_read_fn, pxc_seek_fn, CReader};
use crate::types::{layout_to, pxc_image_view, pxc_info, sample_to};

/// Decoding limits, checked before any large allocation. Starts at pixcodec's defaults
/// (1 Mi pixels per side, 256 Mi pixels per page, 2 GiB, 10 000 pages).
#[allow(non_camel_case_types)]
pub struct pxc_limits {
    inner: Limits,
}

/// New limits with the default values. Free with `pxc_limits_free`.
#[no_mangle]
pub extern "C" fn pxc_limits_new() -> *mut pxc_limits {
    ffi!(or std::ptr::null_mut(); nonnull() {
        Ok(Box::into_raw(Box::new(pxc_limits { inner: Limits::default() })))
    })
}

/// Frees limits (NULL is ignored).
#[no_mangle]
pub unsafe extern "C" fn pxc_limits_free(limits: *mut pxc_limits) {
    ffi!(or (); nonnull() {
        if !limits.is_null() {
            drop(unsafe { Box::from_raw(limits) });
        }
        Ok(())
    })
}

/// Largest accepted width in pixels.
#[no_mangle]
pub unsafe extern "C" fn pxc_limits_set_max_width(limits: *mut pxc_limits, value: u32) -> pxc_status {
    ffi!(nonnull(limits) {
        unsafe { &mut *limits }.inner.max_width = value;
        Ok(())
    })
}

/// Largest accepted height in pixels.
#[no_mangle]
pub unsafe extern "C" fn pxc_limits_set_max_height(limits: *mut pxc_limits, value: u32) -> pxc_status {
    ffi!(nonnull(limits) {
        unsafe { &mut *limits }.inner.max_height = value;
        Ok(())
    })
}

/// Largest accepted width x height of one page.
#[no_mangle]
pub unsafe extern "C" fn pxc_limits_set_max_pixels(limits: *mut pxc_limits, value: u64) -> pxc_status {
    ffi!(nonnull(limits) {
        unsafe { &mut *limits }.inner.max_pixels = value;
        Ok(())
    })
}

/// Largest total number of bytes one decode may allocate (all pages together).
#[no_mangle]
pub unsafe extern "C" fn pxc_limits_set_max_alloc_bytes(limits: *mut pxc_limits, value: u64) -> pxc_status {
    ffi!(nonnull(limits) {
        unsafe { &mut *limits }.inner.max_alloc_bytes = value;
        Ok(())
    })
}

/// Largest number of pages decoded from one file.
#[no_mangle]
pub unsafe extern "C" fn pxc_limits_set_max_pages(limits: *mut pxc_limits, value: u32) -> pxc_status {
    ffi!(nonnull(limits) {
        unsafe { &mut *limits }.inner.max_pages = value;
        Ok(())
    })
}

/// Decode options from a nullable limits handle (NULL: defaults).
pub(crate) unsafe fn options(limits: *const pxc_limits) -> DecodeOptions {
    if limits.is_null() {
        DecodeOptions::new()
    } else {
        // SAFETY: a live handle per the caller's contract.
        DecodeOptions::new().limits(unsafe { &*limits }.inner)
    }
}

/// A decoded image owned by pixcodec, in the file's own pixel format. Free with
/// `pxc_image_free`.
#[allow(non_camel_case_types)]
pub struct pxc_image {
    inner: Image,
}

pub(crate) fn boxed_image(img: Image) -> *mut pxc_image {
    Box::into_raw(Box::new(pxc_image { inner: img }))
}

/// Frees an image (NULL is ignored).
#[no_mangle]
pub unsafe extern "C" fn pxc_image_free(image: *mut pxc_image) {
    ffi!(or (); nonnull() {
        if !image.is_null() {
            drop(unsafe { Box::from_raw(image) });
        }
        Ok(())
    })
}

/// Width in pixels (0, with a NULL_ARGUMENT last error, when `image` is NULL).
#[no_mangle]
pub unsafe extern "C" fn pxc_image_width(image: *const pxc_image) -> u32 {
    ffi!(or 0; nonnull(image) {
        let i = &unsafe { &*image }.inner;
        Ok(i.width())
    })
}

/// Height in pixels (0 when `image` is NULL).
#[no_mangle]
pub unsafe extern "C" fn pxc_image_height(image: *const pxc_image) -> u32 {
    ffi!(or 0; nonnull(image) {
        let i = &unsafe { &*image }.inner;
        Ok(i.height())
    })
}

/// The `pxc_layout` value (0 when `image` is NULL; check the pointer first).
#[no_mangle]
pub unsafe extern "C" fn pxc_image_layout(image: *const pxc_image) -> u32 {
    ffi!(or 0; nonnull(image) {
        let i = &unsafe { &*image }.inner;
        Ok(layout_to(i.format().layout))
    })
}

/// The `pxc_sample` value (0 when `image` is NULL; check the pointer first).
#[no_mangle]
pub unsafe extern "C" fn pxc_image_sample(image: *const pxc_image) -> u32 {
    ffi!(or 0; nonnull(image) {
        let i = &unsafe { &*image }.inner;
        Ok(sample_to(i.format().sample))
    })
}

/// Bytes from one row to the next (0 when `image` is NULL).
#[no_mangle]
pub unsafe extern "C" fn pxc_image_stride(image: *const pxc_image) -> usize {
    ffi!(or 0; nonnull(image) {
        let i = &unsafe { &*image }.inner;
        Ok(i.stride())
    })
}

/// Total bytes of pixel data, `stride * height` (0 when `image` is NULL).
#[no_mangle]
pub unsafe extern "C" fn pxc_image_size(image: *const pxc_image) -> usize {
    ffi!(or 0; nonnull(image) {
        let i = &unsafe { &*image }.inner;
        Ok(i.as_bytes().len())
    })
}

/// The pixels (8-byte aligned, native-endian samples), valid until the image is
/// freed (NULL when `image` is NULL).
#[no_mangle]
pub unsafe extern "C" fn pxc_image_data(image: *const pxc_image) -> *const u8 {
    ffi!(or std::ptr::null(); nonnull(image) {
        let i = &unsafe { &*image }.inner;
        Ok(i.as_bytes().as_ptr())
    })
}

/// A view of the image, e.g. to encode it again. Valid until the image is freed.
#[no_mangle]
pub unsafe extern "C" fn pxc_image_view_of(image: *const pxc_image, out_view: *mut pxc_image_view) -> pxc_status {
    ffi!(nonnull(image, out_view) {
        let v = pxc_image_view::from_ref(&unsafe { &*image }.inner.as_ref());
        unsafe { out_view.write(v) };
        Ok(())
    })
}

/// Every page of a multi-page file, each an image in its own pixel format. Free with
/// `pxc_image_list_free` (which frees the images).
#[allow(non_camel_case_types)]
pub struct pxc_image_list {
    images: Vec<pxc_image>,
}

/// Number of images in the list (0 when `list` is NULL).
#[no_mangle]
pub unsafe extern "C" fn pxc_image_list_len(list: *const pxc_image_list) -> usize {
    ffi!(or 0; nonnull(list) { Ok(unsafe { &*list }.images.len()) })
}

/// Image `index` of the list, borrowed (valid until the list is freed; do not free it).
/// NULL when `list` is NULL or `index` is out of range (see the last error).
#[no_mangle]
pub unsafe extern "C" fn pxc_image_list_get(list: *const pxc_image_list, index: usize) -> *const pxc_image {
    ffi!(or std::ptr::null(); nonnull(list) {
        let l = unsafe { &*list };
        l.images
            .get(index)
            .map(|i| i as *const pxc_image)
            .ok_or_else(|| Failure::invalid(format!("page {index} is out of range: the list holds {}", l.images.len())))
    })
}

/// Frees a list and its images (NULL is ignored).
#[no_mangle]
pub unsafe extern "C" fn pxc_image_list_free(list: *mut pxc_image_list) {
    ffi!(or (); nonnull() {
        if !list.is_null() {
            drop(unsafe { Box::from_raw(list) });
        }
        Ok(())
    })
}

fn boxed_list(pages: Vec<Image>) -> *mut pxc_image_list {
    Box::into_raw(Box::new(pxc_image_list {
        images: pages.into_iter().map(|inner| pxc_image { inner }).collect(),
    }))
}

/// Header facts of encoded bytes (no pixels decoded). `reg` and `limits` may be NULL
/// (default registry, default limits).
#[no_mangle]
pub unsafe extern "C" fn pxc_probe(
    reg: *const pxc_registry,
    data: *const u8,
    len: usize,
    limits: *const pxc_limits,
    out_info: *mut pxc_info,
) -> pxc_status {
    ffi!(nonnull(data, out_info) {
        let info = unsafe { registry(reg) }.probe(unsafe { bytes(data, len) }, &unsafe { options(limits) })?;
        unsafe { out_info.write(pxc_info::from_info(&info)) };
        Ok(())
    })
}

/// Header facts of a file. `reg` and `limits` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn pxc_probe_file(
    reg: *const pxc_registry,
    path: *const c_char,
    limits: *const pxc_limits,
    out_info: *mut pxc_info,
) -> pxc_status {
    ffi!(nonnull(path, out_info) {
        let info = unsafe { registry(reg) }.probe_path(unsafe { c_path(path) }, &unsafe { options(limits) })?;
        unsafe { out_info.write(pxc_info::from_info(&info)) };
        Ok(())
    })
}

/// Decodes the first page of encoded bytes into a new image, in the file's own pixel
/// format. `reg` and `limits` may be NULL. `*out_image` is set only on success.
#[no_mangle]
pub unsafe extern "C" fn pxc_decode(
    reg: *const pxc_registry,
    data: *const u8,
    len: usize,
    limits: *const pxc_limits,
    out_image: *mut *mut pxc_image,
) -> pxc_status {
    ffi!(nonnull(data, out_image) {
        let img = unsafe { registry(reg) }.decode(unsafe { bytes(data, len) }, &unsafe { options(limits) })?;
        unsafe { out_image.write(boxed_image(img)) };
        Ok(())
    })
}

/// Decodes the first page of a file into a new image. `reg` and `limits` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn pxc_decode_file(
    reg: *const pxc_registry,
    path: *const c_char,
    limits: *const pxc_limits,
    out_image: *mut *mut pxc_image,
) -> pxc_status {
    ffi!(nonnull(path, out_image) {
        let img = unsafe { registry(reg) }.read(unsafe { c_path(path) }, &unsafe { options(limits) })?;
        unsafe { out_image.write(boxed_image(img)) };
        Ok(())
    })
}

/// Decodes every page of encoded bytes. `reg` and `limits` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn pxc_decode_pages(
    reg: *const pxc_registry,
    data: *const u8,
    len: usize,
    limits: *const pxc_limits,
    out_list: *mut *mut pxc_image_list,
) -> pxc_status {
    ffi!(nonnull(data, out_list) {
        let pages = unsafe { registry(reg) }.decode_pages(unsafe { bytes(data, len) }, &unsafe { options(limits) })?;
        unsafe { out_list.write(boxed_list(pages)) };
        Ok(())
    })
}

/// Decodes every page of a file. `reg` and `limits` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn pxc_decode_pages_file(
    reg: *const pxc_registry,
    path: *const c_char,
    limits: *const pxc_limits,
    out_list: *mut *mut pxc_image_list,
) -> pxc_status {
    ffi!(nonnull(path, out_list) {
        let pages = unsafe { registry(reg) }.read_pages(unsafe { c_path(path) }, &unsafe { options(limits) })?;
        unsafe { out_list.write(boxed_list(pages)) };
        Ok(())
    })
}

fn callback_reader(
    read: pxc_read_fn,
    seek: pxc_seek_fn,
    user_data: *mut c_void,
    opts: &DecodeOptions,
) -> FfiResult<CReader> {
    let mut r = CReader {
        read: read.ok_or_else(|| Failure::null("read"))?,
        seek,
        user_data,
    };
    if seek.is_some() {
        // With a seek callback the stream size is known up front: refuse streams larger than
        // the allocation limit before reading any of them.
        use std::io::{Seek, SeekFrom};
        let start = r.stream_position().map_err(pixcodec::Error::from)?;
        let end = r.seek(SeekFrom::End(0)).map_err(pixcodec::Error::from)?;
        r.seek(SeekFrom::Start(start)).map_err(pixcodec::Error::from)?;
        opts.limits.check_alloc(end.saturating_sub(start))?;
    }
    Ok(r)
}

/// Decodes the first page from a read callback. `seek` may be NULL; when given, the
/// stream size is checked against the limits before reading. The stream is read from its
/// current position to its end. `reg` and `limits` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn pxc_decode_callbacks(
    reg: *const pxc_registry,
    read: pxc_read_fn,
    seek: pxc_seek_fn,
    user_data: *mut c_void,
    limits: *const pxc_limits,
    out_image: *mut *mut pxc_image,
) -> pxc_status {
    ffi!(nonnull(read, out_image) {
        let opts = unsafe { options(limits) };
        let mut r = callback_reader(read, seek, user_data, &opts)?;
        let img = unsafe { registry(reg) }.read_from(&mut r, &opts)?;
        unsafe { out_image.write(boxed_image(img)) };
        Ok(())
    })
}

/// Decodes every page from a read callback (see `pxc_decode_callbacks`).
#[no_mangle]
pub unsafe extern "C" fn pxc_decode_pages_callbacks(
    reg: *const pxc_registry,
    read: pxc_read_fn,
    seek: pxc_seek_fn,
    user_data: *mut c_void,
    limits: *const pxc_limits,
    out_list: *mut *mut pxc_image_list,
) -> pxc_status {
    ffi!(nonnull(read, out_list) {
        let opts = unsafe { options(limits) };
        let mut r = callback_reader(read, seek, user_data, &opts)?;
        let pages = unsafe { registry(reg) }.read_pages_from(&mut r, &opts)?;
        unsafe { out_list.write(boxed_list(pages)) };
        Ok(())
    })
}

/// Bytes a buffer needs for a `width` x `height` image of (layout, sample) with `stride`
/// bytes per row (0: tightly packed): `stride * (height - 1) + width * bytes_per_pixel`.
/// Invalid geometry or enum values: `PXC_STATUS_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_required_size(
    width: u32,
    height: u32,
    layout: u32,
    sample: u32,
    stride: usize,
    out_size: *mut usize,
) -> pxc_status {
    ffi!(nonnull(out_size) {
        let format = crate::types::format_from(layout, sample)?;
        let size = BufferSize::new(width, height, format, stride)?;
        unsafe { out_size.write(size.len) };
        Ok(())
    })
}

/// `pxc_decode_into` over the one Rust path: [`Registry::open_into`] opens the input once,
/// reports the size the first page needs, and the same decoder writes the pixels.
fn decode_into_impl(
    reg: &Registry,
    data: &[u8],
    opts: &DecodeOptions,
    buf: *mut c_void,
    buf_len: usize,
    stride: usize,
    needed: *mut usize,
) -> FfiResult<pxc_info> {
    let pending = reg.open_into(data, opts)?;
    let size = pending.buffer_size(stride)?;
    let what = || {
        format!(
            "a {}x{} {} image with stride {}",
            size.width, size.height, size.format, size.stride
        )
    };
    // SAFETY: `buf` is NULL or holds `buf_len` writable bytes per the caller's contract.
    let slice = unsafe { caller_buffer(buf, buf_len, size.len, "buf", what) }.inspect_err(|f| {
        if f.status == pxc_status::BufferTooSmall {
            // SAFETY: `needed` is NULL or writable per the caller's contract.
            unsafe { put(needed, size.len) }
        }
    })?;
    let info = pxc_info::from_info(pending.info());
    pending.decode(size.image_mut(slice)?)?;
    // SAFETY: as above.
    unsafe { put(needed, size.len) };
    Ok(info)
}

/// Decodes the first page into caller memory: `buf` (`buf_len` bytes) with `stride` bytes
/// per row (0: tightly packed), in the file's own pixel format (see `pxc_probe`). Only the
/// pixel bytes of each row are written; row padding is left untouched.
///
/// Two-phase use: call with `buf` NULL and `buf_len` 0 (or any too-small buffer) to get
/// `PXC_STATUS_BUFFER_TOO_SMALL` with the size written to `*out_needed`, then call again.
/// `out_needed` and `out_info` may be NULL; on success they receive the size used and the
/// image facts. `reg` and `limits` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn pxc_decode_into(
    reg: *const pxc_registry,
    data: *const u8,
    len: usize,
    limits: *const pxc_limits,
    buf: *mut c_void,
    buf_len: usize,
    stride: usize,
    out_info: *mut pxc_info,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(data) {
        let info = decode_into_impl(
            unsafe { registry(reg) },
            unsafe { bytes(data, len) },
            &unsafe { options(limits) },
            buf,
            buf_len,
            stride,
            out_needed,
        )?;
        unsafe { put(out_info, info) };
        Ok(())
    })
}
