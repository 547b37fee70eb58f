//! `pxc_dataset_options`: the options of `pxc_dataset_open` (Keras'
//! `image_dataset_from_directory` arguments) as an opaque handle with typed setters.

use std::ffi::c_char;

use pixcodec::ml::{DatasetOptions, OnError};

use super::{color_mode_from, fit_from, interpolation_from, label_mode_from, subset_from};
use crate::args::cstr_array;
use crate::boundary::{ffi, pxc_status};
use crate::decode::{options as decode_options, pxc_limits};
use crate::types::sample_from;

/// Options of `pxc_dataset_open`. Defaults are Keras' `image_dataset_from_directory`:
/// 256x256, batches of 32, RGB, shuffle on without a fixed seed, no validation split, INT
/// labels inferred from the sub-folders, bilinear without antialias, stretch, symlinked
/// folders not followed, F32 batches holding 0..255, extensions bmp gif jpeg jpg png tif
/// tiff, unreadable files fail the batch, shrink-on-load off, JPEG decoded with the fast IDCT
/// (TensorFlow's default), default limits. Free with
/// `pxc_dataset_options_free`.
#[allow(non_camel_case_types)]
pub struct pxc_dataset_options {
    inner: DatasetOptions,
}

/// New dataset options with Keras' defaults (see `pxc_dataset_options`).
#[no_mangle]
pub extern "C" fn pxc_dataset_options_new() -> *mut pxc_dataset_options {
    ffi!(or std::ptr::null_mut(); nonnull() {
        Ok(Box::into_raw(Box::new(pxc_dataset_options { inner: DatasetOptions::new() })))
    })
}

/// Frees dataset options (NULL is ignored).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_free(opts: *mut pxc_dataset_options) {
    ffi!(or (); nonnull() {
        if !opts.is_null() {
            drop(unsafe { Box::from_raw(opts) });
        }
        Ok(())
    })
}

/// `height` x `width` of every image in a batch (default 256x256; 0 is refused at open).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_image_size(
    opts: *mut pxc_dataset_options,
    height: u32,
    width: u32,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.image_size = (height, width);
        Ok(())
    })
}

/// Images per batch (default 32; the last batch may be shorter; 0 is refused at open).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_batch_size(
    opts: *mut pxc_dataset_options,
    batch_size: usize,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.batch_size = batch_size;
        Ok(())
    })
}

/// Channels of the batches: a `pxc_color_mode` value (default RGB).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_color_mode(
    opts: *mut pxc_dataset_options,
    color_mode: u32,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.color_mode = color_mode_from(color_mode)?;
        Ok(())
    })
}

/// Shuffle the file list once at open with NumPy's `RandomState(seed)` permutation, so the
/// same seed gives Keras' order (default true).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_shuffle(opts: *mut pxc_dataset_options, shuffle: bool) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.shuffle = shuffle;
        Ok(())
    })
}

/// Shuffle seed (default: none, a time-based seed). Required with shuffle and a split.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_seed(opts: *mut pxc_dataset_options, seed: u32) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.seed = Some(seed);
        Ok(())
    })
}

/// Validation split: `split` is the fraction of files for validation (0 < split < 1,
/// checked at open) and `subset` a `pxc_subset` value. `split` 0 removes the split (the
/// default; `subset` is then ignored). The split comes after the seeded shuffle:
/// validation = the last `(size_t)(split * n)` files, as Keras does.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_validation_split(
    opts: *mut pxc_dataset_options,
    split: f64,
    subset: u32,
) -> pxc_status {
    ffi!(nonnull(opts) {
        let o = &mut unsafe { &mut *opts }.inner;
        if split == 0.0 {
            o.validation_split = None;
            o.subset = None;
        } else {
            o.subset = Some(subset_from(subset)?);
            o.validation_split = Some(split);
        }
        Ok(())
    })
}

/// Label encoding: a `pxc_label_mode` value (default INT).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_label_mode(
    opts: *mut pxc_dataset_options,
    label_mode: u32,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.label_mode = label_mode_from(label_mode)?;
        Ok(())
    })
}

/// Uses these class sub-folders, in this order (label = position). `count` 0 goes back to
/// every sub-folder in sorted order (the default). Each must be UTF-8; unknown folders fail
/// at open.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_class_names(
    opts: *mut pxc_dataset_options,
    names: *const *const c_char,
    count: usize,
) -> pxc_status {
    ffi!(nonnull(opts) {
        let list = unsafe { cstr_array(names, count, "names") }?;
        unsafe { &mut *opts }.inner.class_names = if list.is_empty() { None } else { Some(list) };
        Ok(())
    })
}

/// Allowed file extensions, without dot, matched case-insensitively (default bmp gif jpeg
/// jpg png tif tiff).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_extensions(
    opts: *mut pxc_dataset_options,
    extensions: *const *const c_char,
    count: usize,
) -> pxc_status {
    ffi!(nonnull(opts) {
        let list = unsafe { cstr_array(extensions, count, "extensions") }?;
        let refs: Vec<&str> = list.iter().map(String::as_str).collect();
        let o = &mut unsafe { &mut *opts }.inner;
        *o = o.clone().extensions(&refs);
        Ok(())
    })
}

/// Resize filter: a `pxc_interpolation` value (default BILINEAR).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_interpolation(
    opts: *mut pxc_dataset_options,
    interpolation: u32,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.interpolation = interpolation_from(interpolation)?;
        Ok(())
    })
}

/// Aspect handling: a `pxc_fit` value (default STRETCH; CROP_TO_ASPECT_RATIO and
/// PAD_TO_ASPECT_RATIO are Keras' `crop_to_aspect_ratio` / `pad_to_aspect_ratio`).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_fit(opts: *mut pxc_dataset_options, fit: u32) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.fit = fit_from(fit)?;
        Ok(())
    })
}

/// Antialiasing when downscaling (default false, as `tf.image.resize` in Keras' datasets).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_antialias(
    opts: *mut pxc_dataset_options,
    antialias: bool,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.antialias = antialias;
        Ok(())
    })
}

/// Enter symlinked folders while indexing (default false).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_follow_links(
    opts: *mut pxc_dataset_options,
    follow_links: bool,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.follow_links = follow_links;
        Ok(())
    })
}

/// Sample type of the batches: a `pxc_sample` value (default F32, holding 0..255 for 8-bit
/// files as Keras). The cast is exact: U8 batches from 16-bit files fail (NOT_EXACT) rather
/// than narrow. Resizing needs U8, U16 or F32.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_dtype(opts: *mut pxc_dataset_options, sample: u32) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.dtype = sample_from(sample)?;
        Ok(())
    })
}

/// Unreadable files: false (the default) fails the batch with an error naming the file;
/// true leaves the file out of its batch (which is then shorter) and lists it (see
/// `pxc_dataset_skipped_count`).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_skip_errors(
    opts: *mut pxc_dataset_options,
    skip_errors: bool,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.on_error = if skip_errors { OnError::Skip } else { OnError::Fail };
        Ok(())
    })
}

/// Shrink-on-load for JPEG (default false; see `pxc_load_options_set_shrink_on_load`).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_shrink_on_load(
    opts: *mut pxc_dataset_options,
    shrink_on_load: bool,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.shrink_on_load = shrink_on_load;
        Ok(())
    })
}

/// Shrink-on-load's tolerance in dB PSNR (default 40; see
/// `pxc_load_options_set_shrink_min_psnr`): a dataset's bilinear without antialias shrinks
/// only at 33.1 dB or below. NaN is refused.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_shrink_min_psnr(
    opts: *mut pxc_dataset_options,
    db: f64,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.shrink_min_psnr = pixcodec::ml::check_shrink_min_psnr(db)?;
        Ok(())
    })
}

/// The inverse DCT of lossy JPEG files: a `pxc_dct_method` value (default FAST, as
/// TensorFlow decodes in Keras' `image_dataset_from_directory`; ACCURATE decodes as
/// `pxc_load_into` and Pillow do).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_dct_method(
    opts: *mut pxc_dataset_options,
    dct_method: u32,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.dct_method = super::dct_method_from(dct_method)?;
        Ok(())
    })
}

/// Decoding limits for each file, copied (`limits` NULL: the defaults).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_options_set_limits(
    opts: *mut pxc_dataset_options,
    limits: *const pxc_limits,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.decode = unsafe { decode_options(limits) };
        Ok(())
    })
}

/// The options behind a nullable handle (NULL: `default`).
///
/// # Safety
/// `opts` must be NULL or a live handle.
pub(crate) unsafe fn dataset_options(opts: *const pxc_dataset_options, default: &DatasetOptions) -> &DatasetOptions {
    if opts.is_null() {
        default
    } else {
        // SAFETY: a live handle per the caller's contract.
        &unsafe { &*opts }.inner
    }
}
