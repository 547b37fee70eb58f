//! Keras-style loading for machine learning: `pxc_load_options`, `pxc_load_into` /
//! `pxc_load_file_into` (decode + convert + resize in one call, straight into caller
//! memory), and the directory dataset `pxc_dataset` (Keras' `image_dataset_from_directory`)
//! whose batches and labels are written into caller-provided buffers.

use std::ffi::{c_char, c_void};
use std::os::unix::ffi::OsStrExt;
use std::sync::{Mutex, MutexGuard};

use pixcodec::ml::{
    self, Batch, ColorMode, Dataset, DatasetOptions, Fit, Interpolation, LabelMode, LoadOptions, OnError, Subset,
};
use pixcodec::{ImageMut, PixelFormat, Registry, SampleType};

use crate::boundary::{ffi, pxc_status, Failure, FfiResult};
use crate::decode::{options as decode_options, path as c_path, pxc_limits};
use crate::registry::{pxc_registry, registry};
use crate::types::{bytes, cstr, layout_to, put, pxc_info, sample_from, sample_to};

/// Channels of a loaded image (Keras' `color_mode`; values of `uint32_t color_mode`).
/// Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_color_mode {
    /// One channel: colour becomes ITU-R BT.601 luma (as Pillow's `convert("L")`), alpha is
    /// dropped.
    Gray = 0,
    /// Three channels (the default): gray is replicated, alpha is dropped.
    Rgb = 1,
    /// Four channels: images without alpha get an opaque alpha.
    Rgba = 2,
}

/// Resampling filters (values of `uint32_t interpolation`). Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_interpolation {
    /// Nearest neighbour (half-pixel centres, as Pillow and `tf.image.resize`).
    Nearest = 0,
    /// Triangle filter (Pillow `BILINEAR`, TF `bilinear`).
    Bilinear = 1,
    /// Catmull-Rom cubic, a = -0.5 (Pillow `BICUBIC`, TF `bicubic`).
    Bicubic = 2,
    /// Lanczos, 3 lobes (Pillow `LANCZOS`, TF `lanczos3`).
    Lanczos3 = 3,
    /// Box filter (Pillow `BOX`, TF `area`).
    Box = 4,
    /// Hamming filter (Pillow `HAMMING`).
    Hamming = 5,
}

/// Aspect-ratio handling when resizing (values of `uint32_t fit`). Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_fit {
    /// Stretch to the target size (the default).
    Stretch = 0,
    /// Centre-crop to the target aspect first, with `load_img(keep_aspect_ratio=True)`'s box.
    KeepAspectRatio = 1,
    /// Centre-crop to the target aspect first, with Keras' `smart_resize` arithmetic.
    CropToAspectRatio = 2,
    /// Resize to fit and pad with zeros, as `tf.image.resize_with_pad`.
    PadToAspectRatio = 3,
}

/// How dataset labels are encoded (Keras' `label_mode`; values of `uint32_t label_mode`).
/// Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_label_mode {
    /// One `int32_t` class index per image (the default).
    Int = 0,
    /// One-hot `float` rows of `class_count` values per image.
    Categorical = 1,
    /// One `float` 0.0 / 1.0 per image; exactly two classes.
    Binary = 2,
    /// No labels.
    None = 3,
}

/// Which part of a validation split (Keras' `subset`; values of `uint32_t subset`). Never
/// renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_subset {
    /// All but the last `(size_t)(split * n)` files of the (shuffled) list.
    Training = 0,
    /// The last `(size_t)(split * n)` files.
    Validation = 1,
    /// Both: only with `pxc_dataset_open_both`.
    Both = 2,
}

fn color_mode_from(v: u32) -> FfiResult<ColorMode> {
    Ok(match v {
        0 => ColorMode::Gray,
        1 => ColorMode::Rgb,
        2 => ColorMode::Rgba,
        _ => {
            return Err(Failure::invalid(format!(
                "color mode {v} is not a pxc_color_mode value (0 = GRAY, 1 = RGB, 2 = RGBA)"
            )))
        }
    })
}

fn interpolation_from(v: u32) -> FfiResult<Interpolation> {
    Ok(match v {
        0 => Interpolation::Nearest,
        1 => Interpolation::Bilinear,
        2 => Interpolation::Bicubic,
        3 => Interpolation::Lanczos3,
        4 => Interpolation::Box,
        5 => Interpolation::Hamming,
        _ => {
            return Err(Failure::invalid(format!(
                "interpolation {v} is not a pxc_interpolation value (0 = NEAREST .. 5 = HAMMING)"
            )))
        }
    })
}

fn fit_from(v: u32) -> FfiResult<Fit> {
    Ok(match v {
        0 => Fit::Stretch,
        1 => Fit::KeepAspectRatio,
        2 => Fit::CropToAspectRatio,
        3 => Fit::PadToAspectRatio,
        _ => {
            return Err(Failure::invalid(format!(
                "fit {v} is not a pxc_fit value (0 = STRETCH .. 3 = PAD_TO_ASPECT_RATIO)"
            )))
        }
    })
}

fn label_mode_from(v: u32) -> FfiResult<LabelMode> {
    Ok(match v {
        0 => LabelMode::Int,
        1 => LabelMode::Categorical,
        2 => LabelMode::Binary,
        3 => LabelMode::None,
        _ => {
            return Err(Failure::invalid(format!(
                "label mode {v} is not a pxc_label_mode value (0 = INT .. 3 = NONE)"
            )))
        }
    })
}

fn subset_from(v: u32) -> FfiResult<Subset> {
    Ok(match v {
        0 => Subset::Training,
        1 => Subset::Validation,
        2 => Subset::Both,
        _ => {
            return Err(Failure::invalid(format!(
                "subset {v} is not a pxc_subset value (0 = TRAINING, 1 = VALIDATION, 2 = BOTH)"
            )))
        }
    })
}

/// Copies `text` into `buf` (`cap` bytes) with a NUL, storing the size needed (NUL
/// included) in `*needed` (may be NULL) in every case. Too small: BUFFER_TOO_SMALL, nothing
/// written to `buf` (which may then be NULL).
unsafe fn copy_text(text: &[u8], what: &str, buf: *mut c_char, cap: usize, needed: *mut usize) -> FfiResult<()> {
    let need = text.len() + 1;
    // SAFETY: NULL or writable per the caller's contract.
    unsafe { put(needed, need) };
    if cap < need {
        return Err(Failure::new(
            pxc_status::BufferTooSmall,
            format!("{what} needs {need} bytes with its NUL, the buffer has {cap}"),
        ));
    }
    if buf.is_null() {
        return Err(Failure::null("buf"));
    }
    // SAFETY: buf holds cap >= need bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf as *mut u8, text.len());
        *buf.add(text.len()) = 0;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// load
// ---------------------------------------------------------------------------------------

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

/// Shrink-on-load (default false, so the pixels are Keras'): when the target is at most half
/// the source in both directions, JPEG decodes at a DCT scale (1/2, 1/4, 1/8) first, as Pillow's `draft`. The
/// result is close to, not bit-equal with, a full decode + resize.
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

/// Decoding limits, copied (`limits` NULL: the defaults).
#[no_mangle]
pub unsafe extern "C" fn pxc_load_options_set_limits(
    opts: *mut pxc_load_options,
    limits: *const pxc_limits,
) -> pxc_status {
    ffi!(nonnull(opts) {
        unsafe { &mut *opts }.inner.decode = unsafe { decode_options(limits) };
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
    let src = reg.probe(data, &opts.decode)?;
    let (width, height) = match opts.target_size {
        Some((h, w)) => (w, h),
        None => (src.width, src.height),
    };
    let format = PixelFormat::new(opts.color_mode.layout(), sample);
    let stride = if stride == 0 {
        (width as usize).saturating_mul(format.bytes_per_pixel())
    } else {
        stride
    };
    let need = pixcodec::image::required_len(width, height, format, stride)?;
    let mut info = pxc_info::from_info(&src);
    info.width = width;
    info.height = height;
    info.layout = layout_to(format.layout);
    info.sample = sample_to(sample);
    if buf_len < need {
        // SAFETY: NULL or writable per the caller's contract.
        unsafe {
            put(out_needed, need);
            put(out_info, info);
        }
        return Err(Failure::new(
            pxc_status::BufferTooSmall,
            format!(
                "a {width}x{height} {format} result with stride {stride} needs {need} bytes, the buffer has {buf_len}"
            ),
        ));
    }
    if buf.is_null() {
        return Err(Failure::null("buf"));
    }
    // SAFETY: the caller guarantees `buf` holds `buf_len` writable bytes.
    let slice = unsafe { std::slice::from_raw_parts_mut(buf as *mut u8, buf_len) };
    let out = ImageMut::new(slice, width, height, format, stride)?;
    ml::load_into(reg, data, out, opts)?;
    // SAFETY: as above.
    unsafe {
        put(out_needed, need);
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

// ---------------------------------------------------------------------------------------
// datasets
// ---------------------------------------------------------------------------------------

/// Options of `pxc_dataset_open`. Defaults are Keras' `image_dataset_from_directory`:
/// 256x256, batches of 32, RGB, shuffle on without a fixed seed, no validation split, INT
/// labels inferred from the sub-folders, bilinear without antialias, stretch, symlinked
/// folders not followed, F32 batches holding 0..255, extensions bmp gif jpeg jpg png tif
/// tiff, unreadable files fail the batch, shrink-on-load off, default limits. Free with
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
        let list = unsafe { strings(names, count, "names") }?;
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
        let list = unsafe { strings(extensions, count, "extensions") }?;
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

/// `count` UTF-8 C strings (the array may be NULL when `count` is 0).
unsafe fn strings(p: *const *const c_char, count: usize, what: &str) -> FfiResult<Vec<String>> {
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

/// An indexed image directory (Keras' `image_dataset_from_directory`): no image is decoded
/// until `pxc_dataset_fill_batch`. Free with `pxc_dataset_free`.
///
/// Thread safety: a handle is internally synchronised. Any function may be called on it
/// from several threads at once; concurrent `pxc_dataset_fill_batch` calls on one handle
/// run one after the other (each already decodes its images in parallel on all cores), and
/// the skipped-file list describes the most recent fill. Use one handle per thread for
/// independent skipped lists.
#[allow(non_camel_case_types)]
pub struct pxc_dataset {
    inner: Dataset,
    /// The batch reused by every fill (its buffers grow to the largest batch, then stay).
    batch: Mutex<Option<Batch>>,
}

impl pxc_dataset {
    fn boxed(ds: Dataset) -> *mut pxc_dataset {
        Box::into_raw(Box::new(pxc_dataset {
            inner: ds,
            batch: Mutex::new(None),
        }))
    }

    fn batch(&self) -> MutexGuard<'_, Option<Batch>> {
        // A panic during a fill leaves a batch that the next fill overwrites entirely.
        self.batch.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `(sample type, values per image)` of the labels; 0 values without labels.
    fn label_shape(&self) -> (SampleType, usize) {
        if self.inner.labels().is_none() {
            return (SampleType::I32, 0);
        }
        match self.inner.options().label_mode {
            LabelMode::Int => (SampleType::I32, 1),
            LabelMode::Categorical => (SampleType::F32, self.inner.class_names().len()),
            LabelMode::Binary => (SampleType::F32, 1),
            LabelMode::None => (SampleType::I32, 0),
        }
    }

    fn image_bytes(&self) -> usize {
        let [h, w, c] = self.inner.image_shape();
        h * w * c * self.inner.options().dtype.size()
    }
}

unsafe fn dataset_options(opts: *const pxc_dataset_options, default: &DatasetOptions) -> &DatasetOptions {
    if opts.is_null() {
        default
    } else {
        // SAFETY: a live handle per the caller's contract.
        &unsafe { &*opts }.inner
    }
}

/// Indexes the directory `dir` as `image_dataset_from_directory` does (class sub-folders in
/// sorted order, files sorted, the seeded shuffle, the split) and returns the whole set or
/// the chosen subset in `*out_dataset`. Subset BOTH needs `pxc_dataset_open_both`. `opts`
/// may be NULL (Keras' defaults). No image is decoded here; `pxc_dataset_summary` gives
/// Keras' "Found N files belonging to K classes." line.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_open(
    dir: *const c_char,
    opts: *const pxc_dataset_options,
    out_dataset: *mut *mut pxc_dataset,
) -> pxc_status {
    ffi!(nonnull(dir, out_dataset) {
        let default = DatasetOptions::new();
        let o = unsafe { dataset_options(opts, &default) };
        if o.subset == Some(Subset::Both) {
            return Err(Failure::invalid(
                "subset BOTH gives two datasets: use pxc_dataset_open_both",
            ));
        }
        let ds = Dataset::from_directory(unsafe { c_path(dir) }, o)?;
        unsafe { out_dataset.write(pxc_dataset::boxed(ds)) };
        Ok(())
    })
}

/// The training and validation subsets from one index (Keras' `subset="both"`); needs a
/// validation split (its `subset` argument is ignored here). Both handles are set only on
/// success and are freed separately.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_open_both(
    dir: *const c_char,
    opts: *const pxc_dataset_options,
    out_training: *mut *mut pxc_dataset,
    out_validation: *mut *mut pxc_dataset,
) -> pxc_status {
    ffi!(nonnull(dir, out_training, out_validation) {
        let default = DatasetOptions::new();
        let o = unsafe { dataset_options(opts, &default) };
        if o.validation_split.is_none() {
            return Err(Failure::invalid(
                "pxc_dataset_open_both needs a validation split (pxc_dataset_options_set_validation_split)",
            ));
        }
        let (train, val) = Dataset::from_directory_both(unsafe { c_path(dir) }, o)?;
        unsafe {
            out_training.write(pxc_dataset::boxed(train));
            out_validation.write(pxc_dataset::boxed(val));
        }
        Ok(())
    })
}

/// Frees a dataset and its reused batch memory (NULL is ignored).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_free(ds: *mut pxc_dataset) {
    ffi!(or (); nonnull() {
        if !ds.is_null() {
            drop(unsafe { Box::from_raw(ds) });
        }
        Ok(())
    })
}

/// Number of files in the dataset.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_len(ds: *const pxc_dataset, out_len: *mut usize) -> pxc_status {
    ffi!(nonnull(ds, out_len) {
        unsafe { out_len.write((*ds).inner.len()) };
        Ok(())
    })
}

/// Number of batches, `ceil(len / batch_size)`.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_num_batches(ds: *const pxc_dataset, out_count: *mut usize) -> pxc_status {
    ffi!(nonnull(ds, out_count) {
        unsafe { out_count.write((*ds).inner.num_batches()) };
        Ok(())
    })
}

/// Number of classes (0 with label mode NONE).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_class_count(ds: *const pxc_dataset, out_count: *mut usize) -> pxc_status {
    ffi!(nonnull(ds, out_count) {
        unsafe { out_count.write((*ds).inner.class_names().len()) };
        Ok(())
    })
}

/// Copies the name of class `index` (label value `index`) into `buf` (`cap` bytes) with a
/// NUL. `*out_needed` (may be NULL) receives the size needed, NUL included, also on
/// `PXC_STATUS_BUFFER_TOO_SMALL` (then `buf` may be NULL with `cap` 0). An index out of
/// range is `PXC_STATUS_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_class_name(
    ds: *const pxc_dataset,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(ds) {
        let names = unsafe { &*ds }.inner.class_names();
        let name = names.get(index).ok_or_else(|| {
            Failure::invalid(format!("class {index} does not exist ({} classes)", names.len()))
        })?;
        unsafe { copy_text(name.as_bytes(), "the class name", buf, cap, out_needed) }
    })
}

/// Copies the path of file `index` (dataset order, after shuffle and split) like
/// `pxc_dataset_class_name`.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_file_path(
    ds: *const pxc_dataset,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(ds) {
        let paths = unsafe { &*ds }.inner.paths();
        let p = paths.get(index).ok_or_else(|| {
            Failure::invalid(format!("file {index} does not exist ({} files)", paths.len()))
        })?;
        unsafe { copy_text(p.as_os_str().as_bytes(), "the path", buf, cap, out_needed) }
    })
}

/// The integer label (class index) of file `index`; `PXC_STATUS_INVALID_ARGUMENT` when the
/// dataset has no labels or the index is out of range.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_file_label(
    ds: *const pxc_dataset,
    index: usize,
    out_label: *mut i32,
) -> pxc_status {
    ffi!(nonnull(ds, out_label) {
        let labels = unsafe { &*ds }
            .inner
            .labels()
            .ok_or_else(|| Failure::invalid("the dataset has no labels (label mode NONE)"))?;
        let l = labels.get(index).ok_or_else(|| {
            Failure::invalid(format!("file {index} does not exist ({} files)", labels.len()))
        })?;
        unsafe { out_label.write(*l) };
        Ok(())
    })
}

/// Shape of one image in a batch, `(height, width, channels)`, and its `pxc_sample` value.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_image_shape(
    ds: *const pxc_dataset,
    out_height: *mut usize,
    out_width: *mut usize,
    out_channels: *mut usize,
    out_sample: *mut u32,
) -> pxc_status {
    ffi!(nonnull(ds, out_height, out_width, out_channels, out_sample) {
        let d = &unsafe { &*ds }.inner;
        let [h, w, c] = d.image_shape();
        unsafe {
            out_height.write(h);
            out_width.write(w);
            out_channels.write(c);
            out_sample.write(sample_to(d.options().dtype));
        }
        Ok(())
    })
}

/// Labels of one image: `*out_per_image` values (1 for INT and BINARY, the class count for
/// CATEGORICAL, 0 without labels) of `pxc_sample` `*out_sample` (I32 for INT, F32 otherwise).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_label_shape(
    ds: *const pxc_dataset,
    out_per_image: *mut usize,
    out_sample: *mut u32,
) -> pxc_status {
    ffi!(nonnull(ds, out_per_image, out_sample) {
        let (s, n) = unsafe { &*ds }.label_shape();
        unsafe {
            out_per_image.write(n);
            out_sample.write(sample_to(s));
        }
        Ok(())
    })
}

/// Copies Keras' messages ("Found N files belonging to K classes." and, with a split,
/// "Using M files for training." on a second line) like `pxc_dataset_class_name`.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_summary(
    ds: *const pxc_dataset,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(ds) {
        let s = unsafe { &*ds }.inner.summary();
        unsafe { copy_text(s.as_bytes(), "the summary", buf, cap, out_needed) }
    })
}

/// Decodes batch `index` (0 .. num_batches - 1) and writes it into caller memory: the
/// images as one contiguous `(N, H, W, C)` array of the dataset's sample type into
/// `images_buf` (`images_len` bytes), the labels (see `pxc_dataset_label_shape`) into
/// `labels_buf` (`labels_len` bytes), and N into `*out_count`. Every image is read,
/// decoded, converted and resized in parallel into a batch kept inside the handle and
/// reused by every call (no reallocation once it has reached the largest batch), then
/// copied out.
///
/// Sizes: `*out_needed_images` and `*out_needed_labels` (each may be NULL) receive the
/// bytes a full batch `index` needs, before any file is read. When either buffer is
/// smaller the call returns `PXC_STATUS_BUFFER_TOO_SMALL` having written both sizes (the
/// documented exception to "out-parameters only on success"); `images_buf` may then be
/// NULL with `images_len` 0. `labels_buf` may be NULL when no labels are needed.
///
/// A file that cannot be read or decoded fails the call with an error naming it; with
/// skip-errors it is left out instead, N is smaller than the batch size, and
/// `pxc_dataset_skipped_count` / `_path` / `_reason` list it until the next fill.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn pxc_dataset_fill_batch(
    ds: *const pxc_dataset,
    index: usize,
    images_buf: *mut c_void,
    images_len: usize,
    labels_buf: *mut c_void,
    labels_len: usize,
    out_count: *mut usize,
    out_needed_images: *mut usize,
    out_needed_labels: *mut usize,
) -> pxc_status {
    ffi!(nonnull(ds, out_count) {
        let d = unsafe { &*ds };
        let n = d.inner.len();
        let bs = d.inner.options().batch_size;
        let start = index.checked_mul(bs).filter(|&s| s < n).ok_or_else(|| {
            Failure::invalid(format!("batch {index} does not exist ({} batches)", d.inner.num_batches()))
        })?;
        let count = bs.min(n - start);
        let (label_sample, per_image) = d.label_shape();
        let need_images = count * d.image_bytes();
        let need_labels = count * per_image * label_sample.size();
        unsafe {
            put(out_needed_images, need_images);
            put(out_needed_labels, need_labels);
        }
        if images_len < need_images || labels_len < need_labels {
            return Err(Failure::new(
                pxc_status::BufferTooSmall,
                format!(
                    "batch {index} of {count} images needs {need_images} bytes of images and {need_labels} bytes of \
                     labels; the buffers have {images_len} and {labels_len}"
                ),
            ));
        }
        if images_buf.is_null() {
            return Err(Failure::null("images_buf"));
        }
        if need_labels > 0 && labels_buf.is_null() {
            return Err(Failure::null("labels_buf"));
        }
        let mut guard = d.batch();
        match guard.as_mut() {
            Some(b) => d.inner.fill_batch(index, b)?,
            None => *guard = Some(d.inner.batch(index)?),
        }
        let b = guard.as_ref().expect("filled above");
        let img = b.images.as_bytes();
        let lab: &[u8] = b.labels.as_ref().map(|l| l.as_bytes()).unwrap_or(&[]);
        debug_assert!(img.len() <= need_images && lab.len() <= need_labels);
        // SAFETY: the buffers hold at least the needed sizes, which bound what a batch holds.
        unsafe {
            std::ptr::copy_nonoverlapping(img.as_ptr(), images_buf as *mut u8, img.len().min(images_len));
            if !lab.is_empty() {
                std::ptr::copy_nonoverlapping(lab.as_ptr(), labels_buf as *mut u8, lab.len().min(labels_len));
            }
            out_count.write(b.indices.len());
        }
        Ok(())
    })
}

/// Number of files left out of the most recent fill (always 0 without skip-errors).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_skipped_count(ds: *const pxc_dataset, out_count: *mut usize) -> pxc_status {
    ffi!(nonnull(ds, out_count) {
        let n = unsafe { &*ds }.batch().as_ref().map_or(0, |b| b.skipped.len());
        unsafe { out_count.write(n) };
        Ok(())
    })
}

fn skipped_text(ds: &pxc_dataset, index: usize, reason: bool) -> FfiResult<Vec<u8>> {
    let guard = ds.batch();
    let skipped = guard.as_ref().map_or(&[][..], |b| &b.skipped[..]);
    let (p, why) = skipped.get(index).ok_or_else(|| {
        Failure::invalid(format!(
            "skipped file {index} does not exist (the last fill skipped {})",
            skipped.len()
        ))
    })?;
    Ok(if reason {
        why.as_bytes().to_vec()
    } else {
        p.as_os_str().as_bytes().to_vec()
    })
}

/// Copies the path of skipped file `index` of the most recent fill like
/// `pxc_dataset_class_name`.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_skipped_path(
    ds: *const pxc_dataset,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(ds) {
        let t = skipped_text(unsafe { &*ds }, index, false)?;
        unsafe { copy_text(&t, "the path", buf, cap, out_needed) }
    })
}

/// Copies why skipped file `index` of the most recent fill was left out (the error
/// message, naming the file) like `pxc_dataset_class_name`.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_skipped_reason(
    ds: *const pxc_dataset,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(ds) {
        let t = skipped_text(unsafe { &*ds }, index, true)?;
        unsafe { copy_text(&t, "the reason", buf, cap, out_needed) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ml_enum_values_never_change_and_only_they_convert() {
        assert_eq!(
            [
                pxc_color_mode::Gray as u32,
                pxc_color_mode::Rgb as u32,
                pxc_color_mode::Rgba as u32
            ],
            [0, 1, 2]
        );
        assert_eq!(
            [
                pxc_interpolation::Nearest as u32,
                pxc_interpolation::Bilinear as u32,
                pxc_interpolation::Bicubic as u32,
                pxc_interpolation::Lanczos3 as u32,
                pxc_interpolation::Box as u32,
                pxc_interpolation::Hamming as u32
            ],
            [0, 1, 2, 3, 4, 5]
        );
        assert_eq!(
            [
                pxc_fit::Stretch as u32,
                pxc_fit::KeepAspectRatio as u32,
                pxc_fit::CropToAspectRatio as u32,
                pxc_fit::PadToAspectRatio as u32
            ],
            [0, 1, 2, 3]
        );
        assert_eq!(
            [
                pxc_label_mode::Int as u32,
                pxc_label_mode::Categorical as u32,
                pxc_label_mode::Binary as u32,
                pxc_label_mode::None as u32
            ],
            [0, 1, 2, 3]
        );
        assert_eq!(
            [
                pxc_subset::Training as u32,
                pxc_subset::Validation as u32,
                pxc_subset::Both as u32
            ],
            [0, 1, 2]
        );
        assert_eq!(color_mode_from(2).unwrap(), ColorMode::Rgba);
        assert_eq!(interpolation_from(3).unwrap(), Interpolation::Lanczos3);
        assert_eq!(fit_from(1).unwrap(), Fit::KeepAspectRatio);
        assert_eq!(label_mode_from(1).unwrap(), LabelMode::Categorical);
        assert_eq!(subset_from(1).unwrap(), Subset::Validation);
        for bad in [color_mode_from(3), color_mode_from(u32::MAX)] {
            assert_eq!(bad.unwrap_err().status, pxc_status::InvalidArgument);
        }
        assert_eq!(interpolation_from(6).unwrap_err().status, pxc_status::InvalidArgument);
        assert_eq!(fit_from(4).unwrap_err().status, pxc_status::InvalidArgument);
        assert_eq!(label_mode_from(4).unwrap_err().status, pxc_status::InvalidArgument);
        assert_eq!(subset_from(3).unwrap_err().status, pxc_status::InvalidArgument);
    }
}
