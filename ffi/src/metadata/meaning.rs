//! The metadata items that say what the samples mean rather than carry extra data: the
//! photometric convention and animation timing (frame delay and disposal, loop count).

use pixcodec::metadata::{FrameTiming, Photometric};

use super::{disposal_from, disposal_to, pxc_metadata, pxc_photometric};
use crate::boundary::{ffi, pxc_status, Failure};

/// `*out_photometric` receives the photometric convention (a `pxc_photometric`): `PLAIN` when
/// none is set, `WHITE_IS_ZERO` for a TIFF WhiteIsZero gray page, `ADOBE_INVERTED_CMYK` for a
/// CMYK JPEG with an Adobe marker. The samples decode as stored; `pxc_convert_invert` with this
/// metadata gives the plain convention.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_photometric(
    metadata: *const pxc_metadata,
    out_photometric: *mut u32,
) -> pxc_status {
    ffi!(nonnull(metadata, out_photometric) {
        let v = match unsafe { &*metadata }.inner.photometric {
            None => pxc_photometric::Plain,
            Some(Photometric::WhiteIsZero) => pxc_photometric::WhiteIsZero,
            Some(_) => pxc_photometric::AdobeInvertedCmyk,
        };
        unsafe { out_photometric.write(v as u32) };
        Ok(())
    })
}

/// Sets the photometric convention (a `pxc_photometric`; `PLAIN` clears it; anything else is
/// `PXC_STATUS_INVALID_ARGUMENT`). It says how the samples given to an encode are stored, so
/// that a format that can state it writes it and others report it.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_set_photometric(metadata: *mut pxc_metadata, photometric: u32) -> pxc_status {
    ffi!(nonnull(metadata) {
        let p = match photometric {
            0 => None,
            1 => Some(Photometric::WhiteIsZero),
            2 => Some(Photometric::AdobeInvertedCmyk),
            v => {
                return Err(Failure::invalid(format!(
                    "photometric {v} is not a pxc_photometric value (0 = PLAIN .. 2 = ADOBE_INVERTED_CMYK)"
                )))
            }
        };
        unsafe { &mut *metadata }.inner.photometric = p;
        Ok(())
    })
}

/// `*out_delay_ms` receives how long this page shows, in milliseconds, and `*out_disposal`
/// what happens to its area afterwards (a `pxc_disposal`), as stored in an animation frame
/// (GIF, WebP). Without timing they receive 0 and `KEEP`; `pxc_metadata_has` with
/// `PXC_METADATA_ITEM_FRAME_TIMING` tells none from a 0 ms frame.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_frame_timing(
    metadata: *const pxc_metadata,
    out_delay_ms: *mut u32,
    out_disposal: *mut u32,
) -> pxc_status {
    ffi!(nonnull(metadata, out_delay_ms, out_disposal) {
        let t = unsafe { &*metadata }.inner.frame.unwrap_or_default();
        unsafe {
            out_delay_ms.write(t.delay_ms);
            out_disposal.write(disposal_to(t.disposal));
        }
        Ok(())
    })
}

/// Sets this page's animation timing: `delay_ms` milliseconds, then `disposal` (a
/// `pxc_disposal`; anything else is `PXC_STATUS_INVALID_ARGUMENT`). Formats without
/// animation frames report it as dropped.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_set_frame_timing(
    metadata: *mut pxc_metadata,
    delay_ms: u32,
    disposal: u32,
) -> pxc_status {
    ffi!(nonnull(metadata) {
        let disposal = disposal_from(disposal)?;
        unsafe { &mut *metadata }.inner.frame = Some(FrameTiming { delay_ms, disposal });
        Ok(())
    })
}

/// `*out_plays` receives how many times the animation plays in total, 0 for forever (on the
/// first page; a GIF NETSCAPE2.0 repeat count n > 0 is n + 1 plays). Without a loop count
/// (a GIF without the NETSCAPE2.0 extension, which viewers play once) it receives 0 as well:
/// `pxc_metadata_has` with `PXC_METADATA_ITEM_LOOP_COUNT` tells none from forever.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_loop_count(metadata: *const pxc_metadata, out_plays: *mut u32) -> pxc_status {
    ffi!(nonnull(metadata, out_plays) {
        unsafe { out_plays.write((*metadata).inner.loop_count.unwrap_or(0)) };
        Ok(())
    })
}

/// Sets how many times the animation plays in total (`plays`, 0 for forever). Formats
/// without animations report it as dropped.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_set_loop_count(metadata: *mut pxc_metadata, plays: u32) -> pxc_status {
    ffi!(nonnull(metadata) {
        unsafe { &mut *metadata }.inner.loop_count = Some(plays);
        Ok(())
    })
}
