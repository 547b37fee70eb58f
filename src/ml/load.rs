//! `load`: decode, convert the channels, shrink-on-load and resize in one call (Keras'
//! `load_img`, whose result [`to_array`](super::to_array) turns into an array).

use std::path::Path;

use crate::convert::{self, oriented_size, swaps_axes};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::{Image, ImageMut};
use crate::info::ImageInfo;
use crate::io::DecodeOptions;
use crate::metadata::exif::effective_orientation;
use crate::registry::{DecodeInto, Registry};
use crate::sample::SampleType;

use super::bilinear;
use super::resize::{geometry, resize_geometry, ColorMode, Fit, Interpolation, ResizeOptions};
use super::shrink::least_ratio;

/// What [`load`] does. Defaults follow `keras.utils.load_img`: RGB, no resize, `nearest`,
/// stretch, antialias on, no shrink-on-load (so the pixels equal `load_img`'s).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LoadOptions {
    /// Channels of the result (default [`ColorMode::Rgb`]).
    pub color_mode: ColorMode,
    /// Target `(height, width)`, Keras' order; `None` keeps the file's size.
    pub target_size: Option<(u32, u32)>,
    /// Filter, aspect handling and antialias (defaults: nearest, stretch, antialias on).
    pub resize: ResizeOptions,
    /// Let the decoder shrink while decoding (JPEG: DCT scaling 1/2, 1/4, 1/8, as Pillow's
    /// `draft`), then resize the rest: the largest reduction that keeps the result within
    /// [`LoadOptions::shrink_min_psnr`] of a full decode + the same resize. Much faster for
    /// large JPEGs (2-4x for 4000x3000 → 224x224), but close to, not equal with, the full
    /// path. Default `false`, so that `load` gives Keras' pixels with Keras' arguments; turn
    /// it on explicitly for speed.
    pub shrink_on_load: bool,
    /// Shrink-on-load's tolerance: the least PSNR (dB, against the full decode + resize) that
    /// every measured case of the chosen filter kept at the chosen reduction (the table in
    /// bench/README.md, "Shrink-on-load tolerance"). Default 40 dB: bilinear, bicubic and
    /// Lanczos with antialias shrink while the scaled image stays 1.25-2x the output;
    /// filters without antialias (nearest, and Keras' datasets' bilinear) never stay within
    /// 40 dB, since their full-size result is aliased, so they shrink only with a lower
    /// tolerance (they measured 22.8-33.1 dB). `0` takes the largest scale that still covers the
    /// output.
    pub shrink_min_psnr: f64,
    /// Turn the pixels upright by the file's EXIF orientation (EXIF tag 0x0112 or TIFF tag
    /// 274; [`convert::orient`]) after decoding and before resizing, so a portrait photo taken
    /// with the camera turned loads portrait: [`LoadOptions::target_size`] is then the size of
    /// the upright image. Default `false`, as Keras' `load_img` (which ignores the
    /// orientation: the pixels load as stored).
    pub orient: bool,
    /// Limits and codec choice for decoding.
    pub decode: DecodeOptions,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            color_mode: ColorMode::Rgb,
            target_size: None,
            resize: ResizeOptions::new().interpolation(Interpolation::Nearest),
            shrink_on_load: false,
            shrink_min_psnr: super::shrink::DEFAULT_SHRINK_MIN_PSNR,
            orient: false,
            decode: DecodeOptions::default(),
        }
    }
}

impl LoadOptions {
    /// Keras' `load_img` defaults (see [`LoadOptions`]).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the colour mode.
    pub fn color_mode(mut self, m: ColorMode) -> Self {
        self.color_mode = m;
        self
    }
    /// Resizes to `height` x `width` (Keras' `target_size=(height, width)`).
    pub fn target_size(mut self, height: u32, width: u32) -> Self {
        self.target_size = Some((height, width));
        self
    }
    /// Sets the filter.
    pub fn interpolation(mut self, i: Interpolation) -> Self {
        self.resize.interpolation = i;
        self
    }
    /// Sets the aspect handling ([`Fit::KeepAspectRatio`] is `keep_aspect_ratio=True`).
    pub fn fit(mut self, f: Fit) -> Self {
        self.resize.fit = f;
        self
    }
    /// Sets antialiasing (on: Pillow; off: `tf.image.resize`).
    pub fn antialias(mut self, on: bool) -> Self {
        self.resize.antialias = on;
        self
    }
    /// Enables or disables shrink-on-load.
    pub fn shrink_on_load(mut self, on: bool) -> Self {
        self.shrink_on_load = on;
        self
    }

    /// Sets shrink-on-load's tolerance in dB PSNR ([`LoadOptions::shrink_min_psnr`]).
    pub fn shrink_min_psnr(mut self, db: f64) -> Self {
        self.shrink_min_psnr = db;
        self
    }
    /// Turns the pixels upright by the file's orientation, or loads them as stored (the
    /// default, as Keras).
    pub fn orient(mut self, on: bool) -> Self {
        self.orient = on;
        self
    }
    /// Sets the decode options (limits, forced codec, JPEG inverse DCT).
    pub fn decode(mut self, d: DecodeOptions) -> Self {
        self.decode = d;
        self
    }
    /// Sets the JPEG inverse DCT ([`DecodeOptions::dct_method`]; default accurate, as
    /// Pillow and so Keras' `load_img`).
    pub fn dct_method(mut self, m: crate::codec::DctMethod) -> Self {
        self.decode.dct_method = m;
        self
    }
}

/// Loads a file: reads it, then [`load_bytes`]. Errors name the file.
pub fn load(path: impl AsRef<Path>, opts: &LoadOptions) -> Result<Image> {
    let path = path.as_ref();
    let data = std::fs::read(path).map_err(|e| with_file(Error::Io(e), path))?;
    load_bytes(&data, opts).map_err(|e| with_file(e, path))
}

/// Loads an image from memory with the process-wide registry (see [`load_bytes_with`]).
pub fn load_bytes(data: &[u8], opts: &LoadOptions) -> Result<Image> {
    load_bytes_with(Registry::global(), data, opts)
}

/// Decodes the first page of `data`, turns it upright when [`LoadOptions::orient`] asks,
/// converts it to [`LoadOptions::color_mode`] and, with a target size, resizes it (shrinking
/// during decode first when allowed). The sample type stays the file's own (`U8`, `U16`,
/// `F32`, …): nothing is rescaled, except that samples decoded to fewer significant bits
/// than their type are shown as Keras (through Pillow) shows them: 1, 2 and 4-bit gray and PNG
/// sBIT samples replicated back to the type's width (a 1-bit PNG loads as 0/255). Resizing needs `U8`, `U16` or `F32` samples: with a target
/// size, `F16` (half float) files load as `F32` (exact widening, then resized in `F32`); other
/// types load only without a target size (or cast them first and use
/// [`resize`](fn@super::resize)). `Cmyk` files are refused: converting CMYK needs a colour
/// profile.
pub fn load_bytes_with(registry: &Registry, data: &[u8], opts: &LoadOptions) -> Result<Image> {
    let mut dec = registry.decoder(data, &opts.decode)?;
    let info = dec.info().clone();
    let (tw, th) = match opts.target_size {
        Some((h, w)) => (w, h),
        None => oriented_size(info.width, info.height, orientation(&info, opts)),
    };
    check_target(tw, th)?;
    let sample = match info.format.sample {
        SampleType::F16 if opts.target_size.is_some() => SampleType::F32,
        s => s,
    };
    let mut out = Image::new(tw, th, PixelFormat::new(opts.color_mode.layout(), sample))?;
    finish(&mut *dec, opts, out.as_mut().reborrow(), opts.target_size.is_some())?;
    Ok(out)
}

/// Decodes, converts and resizes `data` straight into caller memory: `out`'s size is the
/// target size, its layout the colour mode (`Gray`, `Rgb` or `Rgba`) and its sample type
/// the result's type. The decoded samples are [`cast`](crate::convert::cast) to that type
/// before resizing, exactly (`U8` and `U16` files into `F32` always fit; `U16` into `U8`
/// fails naming the first value above 255). [`LoadOptions::color_mode`] and
/// [`LoadOptions::target_size`] are ignored (`out` says them; with [`LoadOptions::orient`] its
/// size is that of the upright image). Only pixel bytes are written.
pub fn load_into(registry: &Registry, data: &[u8], out: ImageMut<'_>, opts: &LoadOptions) -> Result<()> {
    load_opened(registry.open_into(data, &opts.decode)?, out, opts)
}

/// [`load_into`] on input already opened with [`Registry::open_into`], whose
/// [`info`](DecodeInto::info) gave the file's size: two-phase callers (the C ABI's
/// `pxc_load_into`) size the caller's buffer and decode with one opening of the input.
pub fn load_opened(mut input: DecodeInto<'_>, out: ImageMut<'_>, opts: &LoadOptions) -> Result<()> {
    let mode = match out.format().layout {
        Layout::Gray => ColorMode::Gray,
        Layout::Rgb => ColorMode::Rgb,
        Layout::Rgba => ColorMode::Rgba,
        l => {
            return Err(Error::invalid(format!(
                "load_into: the output layout must be Gray, Rgb or Rgba, got {l}"
            )))
        }
    };
    let opts = LoadOptions {
        color_mode: mode,
        ..opts.clone()
    };
    finish(input.decoder(), &opts, out, true)
}

fn check_target(w: u32, h: u32) -> Result<()> {
    if w == 0 || h == 0 {
        return Err(Error::invalid(format!("target size {h}x{w} (height x width) is empty")));
    }
    Ok(())
}

/// Adds the file name to an error message (keeping its kind).
pub(crate) fn with_file(e: Error, path: &Path) -> Error {
    let p = path.display();
    match e {
        Error::Decode { codec, message } => Error::Decode {
            codec,
            message: format!("{p}: {message}"),
        },
        Error::UnknownFormat(m) => Error::UnknownFormat(format!("{p}: {m}")),
        Error::Unsupported(m) => Error::Unsupported(format!("{p}: {m}")),
        Error::NotExact(m) => Error::NotExact(format!("{p}: {m}")),
        Error::Limits(m) => Error::Limits(format!("{p}: {m}")),
        Error::InvalidArgument(m) => Error::InvalidArgument(format!("{p}: {m}")),
        Error::Io(e) => Error::Io(std::io::Error::new(e.kind(), format!("{p}: {e}"))),
        Error::Encode { codec, message } => Error::Encode {
            codec,
            message: format!("{p}: {message}"),
        },
        other => other,
    }
}

/// The orientation [`finish`] applies: the file's with [`LoadOptions::orient`], else 1.
fn orientation(info: &ImageInfo, opts: &LoadOptions) -> u16 {
    match opts.orient {
        true => effective_orientation(&info.metadata).unwrap_or(1),
        false => 1,
    }
}

/// The shared pipeline: draft, decode, orient, channels, cast, resize into `out`.
fn finish(dec: &mut dyn crate::codec::Decoder, opts: &LoadOptions, out: ImageMut<'_>, resize: bool) -> Result<()> {
    let (tw, th) = (out.width(), out.height());
    check_target(tw, th)?;
    super::check_shrink_min_psnr(opts.shrink_min_psnr)?;
    let full = dec.info().clone();
    let o = orientation(&full, opts);
    if resize && opts.shrink_on_load {
        // Geometry of the upright image; the draft size is asked in the stored image's axes.
        let (fw, fh) = oriented_size(full.width, full.height, o);
        let g = geometry(fw, fh, tw, th, opts.resize.fit);
        let (cw, ch) = g.crop_size();
        let (_, _, dw, dh) = g.content;
        // The decoded crop must stay `ratio` times as large as the area it is resized into,
        // the least ratio at which the filter stayed within the tolerance (ml::shrink).
        if let Some(ratio) = least_ratio(&opts.resize, opts.shrink_min_psnr) {
            let need = |out: u32, full: u32, crop: u32| {
                ((f64::from(out) * ratio).ceil() * f64::from(full) / f64::from(crop.max(1))).ceil()
            };
            let (min_w, min_h) = (need(dw, fw, cw), need(dh, fh, ch));
            if min_w * 2.0 <= f64::from(fw) && min_h * 2.0 <= f64::from(fh) {
                let (dw, dh) = if swaps_axes(o) { (min_h, min_w) } else { (min_w, min_h) };
                dec.draft(dw as u32, dh as u32)?;
            }
        }
    }
    let info = dec.info().clone();
    opts.decode.limits.check_image(info.width, info.height, info.format)?;
    // The decoded image lives in this thread's recycled memory: a dataset decodes file after
    // file of similar size, and a new zeroed image each time was ~5% of the instructions of a
    // 640x480 JPEG load (callgrind).
    thread_local! {
        static DECODED: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let storage = DECODED.with(|s| std::mem::take(&mut *s.borrow_mut()));
    let mut img = Image::reusing(storage, info.width, info.height, info.format)?;
    let result = dec.decode_into(img.as_mut()).and_then(|()| {
        pillow_view(&mut img, dec.info());
        convert_into(&img, o, opts, out, resize)
    });
    let storage = img.into_storage();
    // A huge image's memory is not kept.
    if storage.len() <= KEEP_DECODED_WORDS {
        DECODED.with(|s| *s.borrow_mut() = storage);
    }
    result
}

/// The most decoded memory a thread keeps between loads (64 MiB).
const KEEP_DECODED_WORDS: usize = 8 << 20;

/// After decoding: orient, channels, cast, resize `decoded` into `out`.
fn convert_into(decoded: &Image, o: u16, opts: &LoadOptions, mut out: ImageMut<'_>, resize: bool) -> Result<()> {
    let (tw, th) = (out.width(), out.height());
    let mut owned: Option<Image> = None;
    if o != 1 {
        owned = Some(convert::orient(&decoded.as_ref(), o)?);
    }
    let target_layout = out.format().layout;
    let layout = owned.as_ref().unwrap_or(decoded).format().layout;
    if layout != target_layout {
        owned = Some(convert::to_layout(
            &owned.as_ref().unwrap_or(decoded).as_ref(),
            target_layout,
        )?);
    }
    let want: SampleType = out.format().sample;
    let img = owned.as_ref().unwrap_or(decoded);
    let full = (img.width(), img.height());
    let keras_skip = full == (tw, th) && opts.resize.fit != Fit::PadToAspectRatio;
    if resize && !keras_skip {
        // Bilinear without antialias into F32 (Keras' datasets): straight from the decoded
        // samples, without a full-size F32 copy first.
        let g = geometry(img.width(), img.height(), tw, th, opts.resize.fit);
        if bilinear::applies(img.format(), out.format(), &opts.resize, &g, full) {
            return bilinear::resize_to_f32(&img.as_ref(), &mut out, &g);
        }
    }
    let cast;
    let img = if img.format().sample != want {
        cast = convert::cast(&img.as_ref(), want)?;
        &cast
    } else {
        img
    };
    if !resize || keras_skip {
        // load_img and smart_resize leave an image of the target size untouched.
        return out.copy_from(&img.as_ref());
    }
    let g = geometry(img.width(), img.height(), tw, th, opts.resize.fit);
    resize_geometry(&img.as_ref(), &mut out, &g, &opts.resize)
}

/// Keras reads files through Pillow, which shows a PNG's samples as the file stores them (1, 2
/// and 4-bit gray scaled to 0..=255 by bit replication, sBIT ignored) and 1, 2 and 4-bit TIFF
/// gray scaled the same way (its modes `1`, `L;2`, `L;4`). pixcodec decodes such samples to
/// their stored `n`-bit values ([`ImageInfo::significant_bits`]); this replicates them back to
/// the sample type's width, as Pillow presents them: for PNG at every `n`, for TIFF gray `U8`
/// at 1, 2 and 4 bits. Other values stay as decoded (wider packed TIFF samples and 12-bit JPEG
/// keep 0..=4095, as Pillow's `I;12` does; Pillow reads no lossless JPEG).
fn pillow_view(img: &mut Image, info: &ImageInfo) {
    let Some(n) = info.significant_bits.map(u32::from) else {
        return;
    };
    let png = info.format_name == "png";
    let tiff_gray = info.format_name == "tiff" && img.format().layout == Layout::Gray && matches!(n, 1 | 2 | 4);
    let (depth, wanted) = match img.format().sample {
        SampleType::U8 => (8, png || tiff_gray),
        SampleType::U16 => (16, png),
        _ => (0, false),
    };
    if !wanted || n == 0 || n >= depth {
        return;
    }
    let table: Vec<u16> = (0..1u32 << n)
        .map(|x| {
            let (mut r, mut filled) = (0u32, 0);
            while filled < depth {
                r = (r << n) | x;
                filled += n;
            }
            (r >> (filled - depth)) as u16
        })
        .collect();
    let max = table.len() - 1;
    if depth == 8 {
        img.as_bytes_mut()
            .iter_mut()
            .for_each(|v| *v = table[usize::from(*v).min(max)] as u8);
    } else if let Ok(s) = img.as_mut_slice::<u16>() {
        s.iter_mut().for_each(|v| *v = table[usize::from(*v).min(max)]);
    }
}
