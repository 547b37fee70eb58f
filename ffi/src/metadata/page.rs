//! The metadata of one page of a multi-page file (a TIFF page, an animation frame with its
//! own timing), read without decoding pixels.

use std::ffi::c_char;

use super::{boxed, pxc_metadata};
use crate::args::{bytes, c_path};
use crate::boundary::{ffi, pxc_status};
use crate::decode::{options, pxc_limits};
use crate::registry::{pxc_registry, registry};

/// The metadata of page `page` (0-based; 0 is `pxc_probe_metadata`) of encoded bytes, as
/// stored: each page's own items, such as an animation frame's delay and disposal
/// (`pxc_metadata_frame_timing`). The pages before it are skipped, no pixels are decoded. A
/// file with fewer pages is an invalid-argument error that says how many it has. `reg` and
/// `limits` may be NULL. `*out_metadata` is set only on success; free it with
/// `pxc_metadata_free`.
#[no_mangle]
pub unsafe extern "C" fn pxc_probe_metadata_page(
    reg: *const pxc_registry,
    data: *const u8,
    len: usize,
    page: u32,
    limits: *const pxc_limits,
    out_metadata: *mut *mut pxc_metadata,
) -> pxc_status {
    ffi!(nonnull(data, out_metadata) {
        let info = unsafe { registry(reg) }.probe_page(unsafe { bytes(data, len) }, page, &unsafe { options(limits) })?;
        unsafe { out_metadata.write(boxed(info.metadata)) };
        Ok(())
    })
}

/// The metadata of page `page` of a file (see `pxc_probe_metadata_page`).
#[no_mangle]
pub unsafe extern "C" fn pxc_probe_metadata_page_file(
    reg: *const pxc_registry,
    path: *const c_char,
    page: u32,
    limits: *const pxc_limits,
    out_metadata: *mut *mut pxc_metadata,
) -> pxc_status {
    ffi!(nonnull(path, out_metadata) {
        let info = unsafe { registry(reg) }.probe_path_page(unsafe { c_path(path) }, page, &unsafe { options(limits) })?;
        unsafe { out_metadata.write(boxed(info.metadata)) };
        Ok(())
    })
}
