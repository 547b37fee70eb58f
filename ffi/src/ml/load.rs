//! `pxc_load_options` and `pxc_load_into` / `pxc_load_file_into`: decode, convert the
//! channels, cast and resize in one call, straight into caller memory, as a thin adapter over
//! `Registry::open_into` (one opening of the input for the size and the pixels) and
//! `ml::load::load_opened`.

use std::ffi::{c_char, c_void};

use pixcodec::ml::load::load_opened;
use pixcodec::ml::LoadOptions;
use pixcodec::registry::BufferSize;
use pixcodec::{PixelFormat, Registry, SampleType};

use super::{color_mode_from, fit_from, interpolation_from};
use crate::args::{bytes, c_path, caller_buffer, put};
use crate::boundary::{ffi, pxc_status, Failure, FfiResult};
use crate::decode::{options as decode_options, pxc_limits};
use crate::registry::{pxc_registry, registry};
use crate::types::{layout_to, pxc_info, sample_from, sample_to};

/// What `pxc_load_into` does. Defaults follow `keras.utils.load_img`: RGB, no resize,
/// nearest, stretch, antialias on, shrink-on-load off, and pixcodec's default limits.
/// Free with `pxc_load_options_free`. Read-only use from several threads is safe.
#[allow(non_camel_case_types)]
pub struct pxc_load_options {
    inner: LoadOptions,
}

/// New load options with the defaults (see `pxc_load_options`).
#[no_mangle]
pub extern "C" fn pxc_load_options_new() -> *mut pxc_load_options {
    ffi!(or std::ptr::null_mut(); nonnull() {
        Ok(Box::into_raw(Box::new(pxc_load_options { inner: LoadOptions::new() })))
    })
}

/// Frees load options (NULL is ignored).
#[no_mangle]
pub unsafe extern "C" fn pxc_load_options_free(opts: *mut pxc_load_options) {
    ffi!(or (); nonnull() {
        if !opts.is_null() {
            drop(unsafe { Box::from_raw(opts) });
        }
        Ok(())
    })
}

/// Channels of the result: a `pxc_color_mode` value (default RGB).
#[no_mangle]
pub unsafe extern "C" fn pxc_load_options_set_color_mode(opts: *mut pxc_load_options, color_mode: u32) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.color_mode = color_mode_from(color_mode)?;
        Ok(())
    })
}

/// Resizes to `height` x `width` (Keras' `target_size=(height, width)`); `0, 0` keeps the
/// file's size (the default). Only one of them 0: `PXC_STATUS_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_load_options_set_target_size(
    opts: *mut pxc_load_options,
    height: u32,
    width: u32,
) -> pxc_status {
    ffi!(nonnull(opts) {
        let o = &mut unsafe { &mut *opts }.inner;
        o.target_size = match (height, width) {
            (0, 0) => None,
            (0, _) | (_, 0) => {
                return Err(Failure::invalid(format!(
                    "target size {height}x{width} (height x width): both must be 0 (no resize) or both at least 1"
                )))
            }
            (h, w) => Some((h, w)),
        };
        Ok(())
    })
}

/// Resize filter: a `pxc_interpolation` value (default NEAREST, as `load_img`).
#[no_mangle]
pub unsafe extern "C" fn pxc_load_options_set_interpolation(
    opts: *mut pxc_load_options,
    interpolation: u32,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.resize.interpolation = interpolation_from(interpolation)?;
        Ok(())
    })
}

/// Aspect handling: a `pxc_fit` value (default STRETCH; KEEP_ASPECT_RATIO is
/// `load_img(keep_aspect_ratio=True)`).
#[no_mangle]
pub unsafe extern "C" fn pxc_load_options_set_fit(opts: *mut pxc_load_options, fit: u32) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.resize.fit = fit_from(fit)?;
        Ok(())
    })
}

/// Antialiasing when downscaling (default true: Pillow / `load_img`; false:
/// `tf.image.resize`).
#[no_mangle]
pub unsafe extern "C" fn pxc_load_options_set_antialias(opts: *mut pxc_load_options, antialias: bool) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.resize.antialias = antialias;
        Ok(())
    })
}

/// Shrink-on-load (default false, so the pixels are Keras'): JPEG decodes at a DCT scale (1/2,
/// 1/4, 1/8) first, as Pillow's `draft`: the largest reduction within the tolerance of
/// `pxc_load_options_set_shrink_min_psnr`. The result is close to, not bit-equal with, a full
/// decode + resize.
#[no_mangle]
pub unsafe extern "C" fn pxc_load_options_set_shrink_on_load(
    opts: *mut pxc_load_options,
    shrink_on_load: bool,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.shrink_on_load = shrink_on_load;
        Ok(())
    })
}

/// Shrink-on-load's tolerance (default 40): the least PSNR in dB against a full decode +
/// resize that the chosen filter kept at the chosen scale in pixcodec's measurements. Filters
/// without antialias (NEAREST, and a dataset's BILINEAR) measured 22.8-33.1 dB, so at 40 they do
/// not shrink; 0 takes the largest scale that covers the target. NaN is refused.
#[no_mangle]
pub unsafe extern "C" fn pxc_load_options_set_shrink_min_psnr(opts: *mut pxc_load_options, db: f64) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.shrink_min_psnr = pixcodec::ml::check_shrink_min_psnr(db)?;
        Ok(())
    })
}

/// Decoding limits, copied (`limits` NULL: the defaults).
#[no_mangle]
pub unsafe extern "C" fn pxc_load_options_set_limits(
    opts: *mut pxc_load_options,
    limits: *const pxc_limits,
) -> pxc_status {
    ffi!(nonnull(opts) {
        // The limits only: the DCT method set with pxc_load_options_set_dct_method stays.
        unsafe { &mut *opts }.inner.decode.limits = unsafe { decode_options(limits) }.limits;
        Ok(())
    })
}

/// The inverse DCT of lossy JPEG files: a `pxc_dct_method` value (default ACCURATE, as
/// Pillow and so Keras' `load_img`; FAST is TensorFlow's `decode_jpeg` default).
#[no_mangle]
pub unsafe extern "C" fn pxc_load_options_set_dct_method(opts: *mut pxc_load_options, dct_method: u32) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.decode.dct_method = super::dct_method_from(dct_method)?;
        Ok(())
    })
}

unsafe fn load_options(opts: *const pxc_load_options, default: &LoadOptions) -> &LoadOptions {
    if opts.is_null() {
        default
    } else {
        // SAFETY: a live handle per the caller's contract.
        &unsafe { &*opts }.inner
    }
}

#[allow(clippy::too_many_arguments)]
fn load_impl(
    reg: &Registry,
    data: &[u8],
    opts: &LoadOptions,
    buf: *mut c_void,
    buf_len: usize,
    stride: usize,
    sample: u32,
    out_info: *mut pxc_info,
    out_needed: *mut usize,
) -> FfiResult<()> {
    let sample: SampleType = sample_from(sample)?;
    let input = reg.open_into(data, &opts.decode)?;
    let src = input.info();
    let (width, height) = match opts.target_size {
        Some((h, w)) => (w, h),
        None => (src.width, src.height),
    };
    let size = BufferSize::new(
        width,
        height,
        PixelFormat::new(opts.color_mode.layout(), sample),
        stride,
    )?;
    let mut info = pxc_info::from_info(src);
    info.width = width;
    info.height = height;
    info.layout = layout_to(size.format.layout);
    info.sample = sample_to(sample);
    let what = || format!("a {width}x{height} {} result with stride {}", size.format, size.stride);
    // SAFETY: `buf` is NULL or holds `buf_len` writable bytes per the caller's contract.
    let slice = unsafe { caller_buffer(buf, buf_len, size.len, "buf", what) }.inspect_err(|f| {
        if f.status == pxc_status::BufferTooSmall {
            // SAFETY: NULL or writable per the caller's contract.
            unsafe {
                put(out_needed, size.len);
                put(out_info, info);
            }
        }
    })?;
    load_opened(input, size.image_mut(slice)?, opts)?;
    // SAFETY: as above.
    unsafe {
        put(out_needed, size.len);
        put(out_info, info);
    }
    Ok(())
}

/// Decodes the first page of `data`, converts it to the colour mode, casts it to `sample`
/// (a `pxc_sample` value) and resizes it, straight into `buf` (`buf_len` bytes, `stride`
/// bytes per row, 0: tightly packed). Only the pixel bytes of each row are written.
///
/// The result is `(height, width, channels)` channels-last: the target size of `opts` (or
/// the file's size without one), 1, 3 or 4 channels by colour mode. The cast is exact, as
/// in Rust's `ml::load_into`: nothing is rescaled (F32 from an 8-bit file holds 0..255), and
/// a type that cannot hold the file's values (16-bit data into U8) fails with
/// `PXC_STATUS_NOT_EXACT` naming the first such value. Resizing needs U8, U16 or F32; other
/// types load only at the file's size.
///
/// Two-phase use: with `buf` NULL and `buf_len` 0 (or any too-small buffer) the call returns
/// `PXC_STATUS_BUFFER_TOO_SMALL` and, as the documented exception to "out-parameters only on
/// success", writes the needed size to `*out_needed` and the result's facts to `*out_info`
/// (width, height, layout and sample of the result; pages, lossy_source, codec and format of
/// the file). `reg`, `opts` (defaults), `out_info` and `out_needed` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn pxc_load_into(
    reg: *const pxc_registry,
    data: *const u8,
    len: usize,
    opts: *const pxc_load_options,
    buf: *mut c_void,
    buf_len: usize,
    stride: usize,
    sample: u32,
    out_info: *mut pxc_info,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(data) {
        let default = LoadOptions::new();
        load_impl(
            unsafe { registry(reg) },
            unsafe { bytes(data, len) },
            unsafe { load_options(opts, &default) },
            buf,
            buf_len,
            stride,
            sample,
            out_info,
            out_needed,
        )
    })
}

/// `pxc_load_into` on the contents of the file at `path`; error messages name the file.
#[no_mangle]
pub unsafe extern "C" fn pxc_load_file_into(
    reg: *const pxc_registry,
    path: *const c_char,
    opts: *const pxc_load_options,
    buf: *mut c_void,
    buf_len: usize,
    stride: usize,
    sample: u32,
    out_info: *mut pxc_info,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(path) {
        let p = unsafe { c_path(path) };
        let name = |mut f: Failure| {
            f.message = format!("{}: {}", p.display(), f.message);
            f
        };
        let data = std::fs::read(p).map_err(|e| name(pixcodec::Error::Io(e).into()))?;
        let default = LoadOptions::new();
        load_impl(
            unsafe { registry(reg) },
            &data,
            unsafe { load_options(opts, &default) },
            buf,
            buf_len,
            stride,
            sample,
            out_info,
            out_needed,
        )
        .map_err(name)
    })
}
