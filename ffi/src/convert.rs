//! Explicit conversions for C callers (`pxc_convert_*`), the C names of
//! `pixcodec::convert`: the functions a refusal's advice names in the C ABI. Each takes a
//! caller view (any stride), returns a new image in `*out_image` (free with
//! `pxc_image_free`) and never changes a value unless its name says so.

use pixcodec::convert::{self, Scale};
use pixcodec::Image;

use crate::boundary::{ffi, pxc_status, FfiResult};
use crate::decode::{boxed_image, pxc_image};
use crate::metadata::pxc_metadata;
use crate::types::{layout_from, pxc_image_view, sample_from};

/// The checked view behind `image` (non-NULL, checked by the boundary).
unsafe fn input<'a>(image: *const pxc_image_view) -> FfiResult<pixcodec::ImageRef<'a>> {
    // SAFETY: non-NULL and valid per the caller's contract.
    unsafe { (*image).as_image_ref("image") }
}

unsafe fn give(out_image: *mut *mut pxc_image, img: Image) {
    // SAFETY: non-NULL (checked by the boundary) and writable per the caller's contract.
    unsafe { out_image.write(boxed_image(img)) };
}

/// Value-preserving change of sample type to `sample` (a `pxc_sample`): every output value
/// equals its input value. Fails with `PXC_STATUS_NOT_EXACT` naming the first value that
/// does not fit and its position (`x=…, y=…, channel …`); nothing is clipped or rounded.
#[no_mangle]
pub unsafe extern "C" fn pxc_convert_cast(
    image: *const pxc_image_view,
    sample: u32,
    out_image: *mut *mut pxc_image,
) -> pxc_status {
    ffi!(nonnull(image, out_image) {
        let to = sample_from(sample)?;
        let img = convert::cast(&unsafe { input(image) }?, to)?;
        unsafe { give(out_image, img) };
        Ok(())
    })
}

/// Data-aware narrowing: the smallest sample type of the same kind (unsigned, signed,
/// float) that holds every actual value exactly; the type is unchanged when none smaller
/// does. Values never change; read the chosen type with `pxc_image_sample`.
#[no_mangle]
pub unsafe extern "C" fn pxc_convert_narrow(
    image: *const pxc_image_view,
    out_image: *mut *mut pxc_image,
) -> pxc_status {
    ffi!(nonnull(image, out_image) {
        let img = convert::narrow(&unsafe { input(image) }?)?;
        unsafe { give(out_image, img) };
        Ok(())
    })
}

/// Deliberate min-max rescaling into `sample`: the smallest value maps to the low end of the
/// type's range (0..1 for floats), the largest to the high end, rounded half to even. NaN or
/// infinity in the data fails with `PXC_STATUS_NOT_EXACT` naming the first one.
#[no_mangle]
pub unsafe extern "C" fn pxc_convert_scale_minmax(
    image: *const pxc_image_view,
    sample: u32,
    out_image: *mut *mut pxc_image,
) -> pxc_status {
    ffi!(nonnull(image, out_image) {
        let to = sample_from(sample)?;
        let img = convert::scale(&unsafe { input(image) }?, to, Scale::MinMax)?;
        unsafe { give(out_image, img) };
        Ok(())
    })
}

/// Deliberate linear rescaling of the input range `lo..hi` onto the full range of `sample`
/// (0..1 for floats), rounded half to even. An input outside `lo..hi` fails with
/// `PXC_STATUS_NOT_EXACT` naming the first one, unless `clip` is true (then it is clamped);
/// NaN fails either way. `lo < hi`, both finite (`PXC_STATUS_INVALID_ARGUMENT` otherwise).
#[no_mangle]
pub unsafe extern "C" fn pxc_convert_scale_range(
    image: *const pxc_image_view,
    sample: u32,
    lo: f64,
    hi: f64,
    clip: bool,
    out_image: *mut *mut pxc_image,
) -> pxc_status {
    ffi!(nonnull(image, out_image) {
        let to = sample_from(sample)?;
        let policy = if clip { Scale::range(lo, hi).clip() } else { Scale::range(lo, hi) };
        let img = convert::scale(&unsafe { input(image) }?, to, policy)?;
        unsafe { give(out_image, img) };
        Ok(())
    })
}

/// Converts the channel layout to `layout` (a `pxc_layout`): alpha added (opaque: the type's
/// maximum, 1.0 for floats) or dropped (not composited), gray replicated into R, G, B
/// (exact), colour reduced to BT.601 luma (lossy by nature). The sample type is unchanged.
/// Cmyk on either side is `PXC_STATUS_UNSUPPORTED`.
#[no_mangle]
pub unsafe extern "C" fn pxc_convert_layout(
    image: *const pxc_image_view,
    layout: u32,
    out_image: *mut *mut pxc_image,
) -> pxc_status {
    ffi!(nonnull(image, out_image) {
        let to = layout_from(layout)?;
        let img = convert::to_layout(&unsafe { input(image) }?, to)?;
        unsafe { give(out_image, img) };
        Ok(())
    })
}

/// Stores the picture in the other photometric convention: the colour samples become
/// `max - v` (alpha copied), `max` being the sample type's maximum, or `2^significant_bits - 1`
/// when `significant_bits` is not 0 (a 1-bit or 12-bit file's samples; a sample above it fails
/// with `PXC_STATUS_NOT_EXACT` naming the first one). Unsigned integer samples only
/// (`PXC_STATUS_UNSUPPORTED` otherwise).
///
/// `metadata` may be NULL: then only the samples are inverted (a negative). Otherwise its
/// photometric convention flips between plain and the layout's inverted one (TIFF
/// white-is-zero for gray, Adobe's inverted CMYK for CMYK), so that, encoded with it, the
/// output shows the same picture: a white-is-zero TIFF page becomes plain gray for PNG, Adobe
/// CMYK from a JPEG plain CMYK for TIFF, plain CMYK the Adobe kind a JPEG states. With
/// metadata, RGB (no inverted convention) and a convention not describing the layout are
/// `PXC_STATUS_INVALID_ARGUMENT`, and the metadata is left unchanged on any failure.
#[no_mangle]
pub unsafe extern "C" fn pxc_convert_invert(
    image: *const pxc_image_view,
    significant_bits: u8,
    metadata: *mut pxc_metadata,
    out_image: *mut *mut pxc_image,
) -> pxc_status {
    ffi!(nonnull(image, out_image) {
        let view = unsafe { input(image) }?;
        let bits = (significant_bits != 0).then_some(significant_bits);
        let img = if metadata.is_null() {
            match bits {
                Some(b) => convert::invert_bits(&view, u32::from(b))?,
                None => convert::invert(&view)?,
            }
        } else {
            // SAFETY: non-NULL and valid per the caller's contract.
            let m = unsafe { &mut *metadata }.inner_mut();
            convert::apply_invert(&view, m, bits)?
        };
        unsafe { give(out_image, img) };
        Ok(())
    })
}
