//! The items the most recent encode on the calling thread did not keep, with the reason for
//! each (`pxc_last_encode_dropped_*`): kept per thread, as `pxc_last_error` is.

use std::cell::RefCell;
use std::ffi::c_char;

use pixcodec::MetadataNote;

use crate::args::copy_text;
use crate::boundary::{ffi, pxc_status, Failure, FfiResult};

thread_local! {
    /// The items the most recent encode call on this thread did not keep.
    static DROPPED: RefCell<Vec<MetadataNote>> = const { RefCell::new(Vec::new()) };
}

/// Empties this thread's dropped list: every encode call starts with it, before its
/// argument checks, so it runs ahead of the boundary and cannot panic (no borrow is ever
/// held across a call, and a thread being torn down has no list to clear).
pub(crate) fn clear_dropped() {
    let _ = DROPPED.try_with(|d| {
        if let Ok(mut v) = d.try_borrow_mut() {
            v.clear();
        }
    });
}

/// Keeps a successful encode's dropped list as this thread's (moved, so no allocation).
pub(crate) fn record_dropped(notes: Vec<MetadataNote>) {
    DROPPED.with(|d| *d.borrow_mut() = notes);
}

fn dropped_note<T>(index: usize, f: impl FnOnce(&MetadataNote) -> FfiResult<T>) -> FfiResult<T> {
    DROPPED.with(|d| {
        let d = d.borrow();
        let n = d
            .get(index)
            .ok_or_else(|| Failure::invalid(format!("dropped item {index} does not exist ({} listed)", d.len())))?;
        f(n)
    })
}

/// `*out_count` receives the number of metadata items the most recent encode call on this
/// thread (any `pxc_encode*` function) did not keep as given: items its format cannot hold,
/// or writes only approximately (a resolution rounded). Each call starts with an empty list,
/// so after a failed encode the count is 0 (a `STRICT` refusal lists the items in its
/// message instead); under `STRIP` only a photometric convention the format cannot state is
/// listed. The list stays until the next encode
/// on this thread.
#[no_mangle]
pub unsafe extern "C" fn pxc_last_encode_dropped_count(out_count: *mut usize) -> pxc_status {
    ffi!(nonnull(out_count) {
        unsafe { out_count.write(DROPPED.with(|d| d.borrow().len())) };
        Ok(())
    })
}

/// Copies the item name of dropped entry `index` (`icc_profile`, `exif`, `orientation`,
/// `xmp`, `resolution`, `photometric`, `frame timing`, `loop count`, `text 'KEYWORD'`, or
/// `tiff tag N`) like `pxc_metadata_text_keyword`.
#[no_mangle]
pub unsafe extern "C" fn pxc_last_encode_dropped_item(
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull() {
        dropped_note(index, |n| unsafe { copy_text(n.item.to_string().as_bytes(), "the item name", buf, cap, out_needed) })
    })
}

/// Copies why dropped entry `index` was not kept (e.g. `npy cannot store metadata`) like
/// `pxc_metadata_text_keyword`.
#[no_mangle]
pub unsafe extern "C" fn pxc_last_encode_dropped_reason(
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull() {
        dropped_note(index, |n| {
            // Advice in the reason names the C functions (pxc_convert_invert), not the Rust ones.
            let reason = pixcodec::convert::for_surface(&n.reason, pixcodec::convert::Surface::C);
            unsafe { copy_text(reason.as_bytes(), "the reason", buf, cap, out_needed) }
        })
    })
}
