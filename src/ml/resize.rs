//! Resizing with `fast_image_resize` (TensorFlow's bilinear without antialias into `f32` in
//! `bilinear`), and the crop / pad arithmetic of Keras.

use std::borrow::Cow;

use fast_image_resize as fr;

use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::{Image, ImageMut, ImageRef};
use crate::sample::SampleType;

use super::parse::from_names;

/// The channels a loaded image ends up with (Keras' `color_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorMode {
    /// One channel (`"grayscale"`). Colour becomes ITU-R BT.601 luma exactly as Pillow's
    /// `convert("L")` (see [`crate::convert::to_gray`]); alpha is dropped (not composited).
    Gray,
    /// Three channels (`"rgb"`, the default). Gray is replicated; alpha is dropped (not
    /// composited), as Pillow's `convert("RGB")`.
    #[default]
    Rgb,
    /// Four channels (`"rgba"`). Images without alpha get an opaque alpha (255 for `U8`).
    Rgba,
}

impl ColorMode {
    /// The layout this mode produces.
    pub fn layout(self) -> Layout {
        match self {
            ColorMode::Gray => Layout::Gray,
            ColorMode::Rgb => Layout::Rgb,
            ColorMode::Rgba => Layout::Rgba,
        }
    }
}

from_names!(ColorMode, "color mode", {
    ColorMode::Gray => ["gray", "grayscale", "grey"],
    ColorMode::Rgb => ["rgb"],
    ColorMode::Rgba => ["rgba"],
});

/// The resampling filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interpolation {
    /// Nearest neighbour (source pixel `floor((x + 0.5) * scale)`, as Pillow and
    /// `tf.image.resize` with half-pixel centres).
    Nearest,
    /// Triangle filter (Pillow `BILINEAR`, TF `bilinear`).
    #[default]
    Bilinear,
    /// Catmull-Rom cubic, a = -0.5 (Pillow `BICUBIC`, TF `bicubic`).
    Bicubic,
    /// Lanczos, 3 lobes (Pillow `LANCZOS`, TF `lanczos3`).
    Lanczos3,
    /// Box filter (Pillow `BOX`).
    Box,
    /// Hamming-windowed filter (Pillow `HAMMING`).
    Hamming,
}

impl Interpolation {
    /// Every filter, in declaration order.
    pub const ALL: [Interpolation; 6] = [
        Interpolation::Nearest,
        Interpolation::Bilinear,
        Interpolation::Bicubic,
        Interpolation::Lanczos3,
        Interpolation::Box,
        Interpolation::Hamming,
    ];
}

from_names!(Interpolation, "interpolation", {
    Interpolation::Nearest => ["nearest"],
    Interpolation::Bilinear => ["bilinear"],
    Interpolation::Bicubic => ["bicubic"],
    Interpolation::Lanczos3 => ["lanczos3", "lanczos"],
    Interpolation::Box => ["box"],
    Interpolation::Hamming => ["hamming"],
});

/// How the source is fitted to a target size of another aspect ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fit {
    /// Resize to the target size, changing the aspect ratio if needed (Keras' default).
    #[default]
    Stretch,
    /// `load_img(keep_aspect_ratio=True)`: centre crop box `crop_h = min(h, w * th // tw)`,
    /// `crop_w = min(w, h * tw // th)`, start `((h - crop_h) // 2, (w - crop_w) // 2)` in
    /// integers, resized as Pillow's `resize(box=…)` (the filter may read pixels just outside
    /// the box).
    KeepAspectRatio,
    /// `image_dataset_from_directory(crop_to_aspect_ratio=True)` (`smart_resize`): the same
    /// centre crop computed in `float32` as TensorFlow does, with sizes at least 1, and the
    /// crop cut out before resizing (no pixel outside it is read).
    CropToAspectRatio,
    /// `pad_to_aspect_ratio=True` (`tf.image.resize_with_pad`): resize to fit inside the
    /// target keeping the aspect ratio (`floor(h / ratio)` x `floor(w / ratio)` with
    /// `ratio = max(w / tw, h / th)` in `float32`), centred with zero padding
    /// (`floor((target - resized_float) / 2)` before).
    PadToAspectRatio,
}

impl Fit {
    /// Every fit, in declaration order.
    pub const ALL: [Fit; 4] = [
        Fit::Stretch,
        Fit::KeepAspectRatio,
        Fit::CropToAspectRatio,
        Fit::PadToAspectRatio,
    ];
}

// Keras' `_` spellings too.
from_names!(Fit, "fit", {
    Fit::Stretch => ["stretch"],
    Fit::KeepAspectRatio => ["keep", "keep-aspect-ratio", "keep_aspect_ratio"],
    Fit::CropToAspectRatio => ["crop", "crop-to-aspect-ratio", "crop_to_aspect_ratio"],
    Fit::PadToAspectRatio => ["pad", "pad-to-aspect-ratio", "pad_to_aspect_ratio"],
});

/// How to resize.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResizeOptions {
    /// Filter.
    pub interpolation: Interpolation,
    /// Aspect-ratio handling.
    pub fit: Fit,
    /// `true`: the filter widens with the downscale factor (Pillow, `load_img`); alpha is
    /// premultiplied while filtering. `false`: fixed-size filter (`tf.image.resize`,
    /// `antialias=False`), channels filtered independently.
    pub antialias: bool,
}

impl Default for ResizeOptions {
    /// Bilinear, stretch, antialias on.
    fn default() -> Self {
        ResizeOptions {
            interpolation: Interpolation::Bilinear,
            fit: Fit::Stretch,
            antialias: true,
        }
    }
}

impl ResizeOptions {
    /// Default options (bilinear, stretch, antialias).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the filter.
    pub fn interpolation(mut self, i: Interpolation) -> Self {
        self.interpolation = i;
        self
    }
    /// Sets the aspect-ratio handling.
    pub fn fit(mut self, f: Fit) -> Self {
        self.fit = f;
        self
    }
    /// Sets antialiasing.
    pub fn antialias(mut self, on: bool) -> Self {
        self.antialias = on;
        self
    }
}

/// Where the source region comes from and where it lands in the target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Geometry {
    /// Source region (left, top, width, height) in whole pixels.
    pub crop: (u32, u32, u32, u32),
    /// True when the crop is cut out before filtering (TF); false for Pillow's box.
    pub slice: bool,
    /// Destination rectangle (left, top, width, height); the rest is zero padding.
    pub content: (u32, u32, u32, u32),
}

impl Geometry {
    /// The source region's size.
    pub fn crop_size(&self) -> (u32, u32) {
        (self.crop.2, self.crop.3)
    }
}

/// The Keras arithmetic for fitting a `w` x `h` source into `tw` x `th`.
pub(crate) fn geometry(w: u32, h: u32, tw: u32, th: u32, fit: Fit) -> Geometry {
    let full = Geometry {
        crop: (0, 0, w, h),
        slice: false,
        content: (0, 0, tw, th),
    };
    let (w64, h64, tw64, th64) = (w as u64, h as u64, tw as u64, th as u64);
    match fit {
        Fit::Stretch => full,
        Fit::KeepAspectRatio => {
            let ch = ((w64 * th64) / tw64).min(h64) as u32;
            let cw = ((h64 * tw64) / th64).min(w64) as u32;
            Geometry {
                crop: ((w - cw) / 2, (h - ch) / 2, cw, ch),
                ..full
            }
        }
        Fit::CropToAspectRatio => {
            // smart_resize with dynamic shapes: float32 arithmetic, then truncation.
            let ch = (((w64 * th64) as f32 / tw as f32) as u64).clamp(1, h64) as u32;
            let cw = (((h64 * tw64) as f32 / th as f32) as u64).clamp(1, w64) as u32;
            let top = ((h - ch) as f32 / 2.0) as u32;
            let left = ((w - cw) as f32 / 2.0) as u32;
            Geometry {
                crop: (left, top, cw, ch),
                slice: true,
                content: (0, 0, tw, th),
            }
        }
        Fit::PadToAspectRatio => {
            let (fw, fh, ftw, fth) = (w as f32, h as f32, tw as f32, th as f32);
            let ratio = (fw / ftw).max(fh / fth);
            let (rhf, rwf) = (fh / ratio, fw / ratio);
            let rh = (rhf.floor() as u32).clamp(1, th);
            let rw = (rwf.floor() as u32).clamp(1, tw);
            let ph = (((fth - rhf) / 2.0).floor().max(0.0) as u32).min(th - rh);
            let pw = (((ftw - rwf) / 2.0).floor().max(0.0) as u32).min(tw - rw);
            Geometry {
                crop: (0, 0, w, h),
                slice: false,
                content: (pw, ph, rw, rh),
            }
        }
    }
}

fn pixel_type(format: PixelFormat) -> Result<fr::PixelType> {
    use fr::PixelType as P;
    let ch = format.channels();
    Ok(match (format.sample, ch) {
        (SampleType::U8, 1) => P::U8,
        (SampleType::U8, 2) => P::U8x2,
        (SampleType::U8, 3) => P::U8x3,
        (SampleType::U8, 4) => P::U8x4,
        (SampleType::U16, 1) => P::U16,
        (SampleType::U16, 2) => P::U16x2,
        (SampleType::U16, 3) => P::U16x3,
        (SampleType::U16, 4) => P::U16x4,
        (SampleType::F32, 1) => P::F32,
        (SampleType::F32, 2) => P::F32x2,
        (SampleType::F32, 3) => P::F32x3,
        (SampleType::F32, 4) => P::F32x4,
        _ => {
            return Err(Error::Unsupported(format!(
                "resizing {format}: resize works on U8, U16 and F32 samples; convert::cast to F32 first (exact for \
                 F16 and every type up to 24-bit integers)"
            )))
        }
    })
}

fn algorithm(opts: &ResizeOptions) -> fr::ResizeAlg {
    use fr::FilterType as F;
    let filter = match opts.interpolation {
        Interpolation::Nearest => return fr::ResizeAlg::Nearest,
        Interpolation::Bilinear => F::Bilinear,
        Interpolation::Bicubic => F::CatmullRom,
        Interpolation::Lanczos3 => F::Lanczos3,
        Interpolation::Box => F::Box,
        Interpolation::Hamming => F::Hamming,
    };
    if opts.antialias {
        fr::ResizeAlg::Convolution(filter)
    } else {
        fr::ResizeAlg::Interpolation(filter)
    }
}

fn fr_err(e: impl std::fmt::Display) -> Error {
    Error::invalid(format!("resize failed: {e}"))
}

/// Resizes `src` to `width` x `height` (same pixel format) into a new image.
/// See [`resize_into`].
pub fn resize(src: &ImageRef<'_>, width: u32, height: u32, opts: &ResizeOptions) -> Result<Image> {
    let mut out = Image::new(width, height, src.format())?;
    resize_into(src, &mut out.as_mut(), opts)?;
    Ok(out)
}

thread_local! {
    /// Scratch buffers of `fast_image_resize`, reused by every resize on this thread.
    static RESIZER: std::cell::RefCell<fr::Resizer> = std::cell::RefCell::new(fr::Resizer::new());
}

/// Resizes `src` into `dst` (any stride; same pixel format, `U8`/`U16`/`F32`, 1 to 4
/// channels), applying [`ResizeOptions::fit`]. Scratch buffers are kept per thread and reused,
/// so repeated calls do not reallocate. With [`Fit::PadToAspectRatio`] the padding is written as
/// zeros. When no crop, padding or size change is needed the pixels are copied unchanged
/// (as Keras, which skips resizing then). `Cmyk` is resized as four plain channels. Bilinear
/// without antialias on `F32` is TensorFlow's `resize_bilinear` arithmetic exactly (what
/// Keras' datasets compute).
pub fn resize_into(src: &ImageRef<'_>, dst: &mut ImageMut<'_>, opts: &ResizeOptions) -> Result<()> {
    if src.format() != dst.format() {
        return Err(Error::invalid(format!(
            "resize: source is {} but the destination is {}; convert first",
            src.format(),
            dst.format()
        )));
    }
    if src.width() == 0 || src.height() == 0 || dst.width() == 0 || dst.height() == 0 {
        return Err(Error::invalid("resize: empty source or destination"));
    }
    let g = geometry(src.width(), src.height(), dst.width(), dst.height(), opts.fit);
    resize_geometry(src, dst, &g, opts)
}

/// [`resize_into`] with a precomputed geometry.
pub(crate) fn resize_geometry(
    src: &ImageRef<'_>,
    dst: &mut ImageMut<'_>,
    g: &Geometry,
    opts: &ResizeOptions,
) -> Result<()> {
    let identity = g.crop == (0, 0, src.width(), src.height()) && g.content == (0, 0, dst.width(), dst.height());
    if identity && (src.width(), src.height()) == (dst.width(), dst.height()) {
        return dst.copy_from(src);
    }
    let format = src.format();
    if opts.interpolation == Interpolation::Nearest {
        return nearest(src, dst, g, opts.antialias);
    }
    if super::bilinear::applies(format, dst.format(), opts, g, (src.width(), src.height())) {
        return super::bilinear::resize_to_f32(src, dst, g);
    }
    if opts.antialias && format == PixelFormat::new(Layout::Rgba, SampleType::U8) {
        return pillow_rgba(src, dst, g, opts);
    }
    resize_fr(src, dst, g, opts, opts.antialias && format.layout.has_alpha())
}

/// Filtering without alpha premultiplication.
fn resize_plain(src: &ImageRef<'_>, dst: &mut ImageMut<'_>, g: &Geometry, opts: &ResizeOptions) -> Result<()> {
    resize_fr(src, dst, g, opts, false)
}

/// The `fast_image_resize` path; `alpha` premultiplies by the last channel while filtering.
fn resize_fr(
    src: &ImageRef<'_>,
    dst: &mut ImageMut<'_>,
    g: &Geometry,
    opts: &ResizeOptions,
    alpha: bool,
) -> Result<()> {
    let format = src.format();
    let pt = pixel_type(format)?;
    let src_bytes: Cow<'_, [u8]> = src.contiguous_bytes();
    let src_view = fr::images::ImageRef::new(src.width(), src.height(), &src_bytes, pt).map_err(fr_err)?;
    let mut options = fr::ResizeOptions::new().resize_alg(algorithm(opts)).use_alpha(alpha);
    let (cl, ct, cw, chh) = g.crop;
    if !g.slice && (cl, ct, cw, chh) != (0, 0, src.width(), src.height()) {
        options = options.crop(cl as f64, ct as f64, cw as f64, chh as f64);
    }
    let (dl, dt, dw, dh) = g.content;
    let padded = (dl, dt, dw, dh) != (0, 0, dst.width(), dst.height());
    let (dst_w, dst_h) = (dst.width(), dst.height());
    let run_resize = |resizer: &mut fr::Resizer, out: &mut [u8]| -> Result<()> {
        let mut dst_img = fr::images::Image::from_slice_u8(dst_w, dst_h, out, pt).map_err(fr_err)?;
        if padded {
            dst_img.buffer_mut().fill(0);
            let mut view = fr::images::CroppedImageMut::new(&mut dst_img, dl, dt, dw, dh).map_err(fr_err)?;
            if g.slice {
                let cropped = fr::images::CroppedImage::new(&src_view, cl, ct, cw, chh).map_err(fr_err)?;
                resizer.resize(&cropped, &mut view, &options).map_err(fr_err)
            } else {
                resizer.resize(&src_view, &mut view, &options).map_err(fr_err)
            }
        } else if g.slice {
            let cropped = fr::images::CroppedImage::new(&src_view, cl, ct, cw, chh).map_err(fr_err)?;
            resizer.resize(&cropped, &mut dst_img, &options).map_err(fr_err)
        } else {
            resizer.resize(&src_view, &mut dst_img, &options).map_err(fr_err)
        }
    };
    let run = |out: &mut [u8]| -> Result<()> { RESIZER.with(|r| run_resize(&mut r.borrow_mut(), out)) };
    let aligned = dst.as_bytes_mut().as_ptr() as usize % format.sample.size() == 0;
    if dst.is_contiguous() && aligned {
        let n = dst.row_bytes() * dst.height() as usize;
        run(&mut dst.as_bytes_mut()[..n])
    } else {
        let mut tmp = Image::new(dst.width(), dst.height(), format)?;
        run(tmp.as_bytes_mut())?;
        dst.copy_from(&tmp.as_ref())
    }
}

/// Source index of each output position for nearest neighbour. `pillow`: Pillow's
/// `ImagingScaleAffine` (start `left + scale / 2` in `f64`, accumulated by repeated addition,
/// truncated). Otherwise `tf.image.resize` (half-pixel centres: `floor((x + 0.5) * scale)` in
/// `f32`, clamped to the last pixel).
fn nearest_table(left: u32, len: u32, out: u32, pillow: bool) -> Vec<usize> {
    if pillow {
        let scale = len as f64 / out as f64;
        let mut xo = left as f64 + scale * 0.5;
        (0..out)
            .map(|_| {
                let v = xo as usize;
                xo += scale;
                v
            })
            .collect()
    } else {
        let scale = len as f32 / out as f32;
        (0..out)
            .map(|x| left as usize + (((x as f32 + 0.5) * scale).floor() as usize).min(len as usize - 1))
            .collect()
    }
}

/// Nearest neighbour on any sample type (values are copied, never computed).
fn nearest(src: &ImageRef<'_>, dst: &mut ImageMut<'_>, g: &Geometry, pillow: bool) -> Result<()> {
    let (cl, ct, cw, ch) = g.crop;
    let (dl, dt, dw, dh) = g.content;
    let bpp = src.format().bytes_per_pixel();
    let xs = nearest_table(cl, cw, dw, pillow);
    let ys = nearest_table(ct, ch, dh, pillow);
    let last_x = src.width() as usize - 1;
    let last_y = src.height() - 1;
    for y in 0..dst.height() {
        let row = dst.row_mut(y);
        if y < dt || y >= dt + dh {
            row.fill(0);
            continue;
        }
        let srow = src.row((ys[(y - dt) as usize] as u32).min(last_y));
        row[..dl as usize * bpp].fill(0);
        row[(dl + dw) as usize * bpp..].fill(0);
        for (k, &sx) in xs.iter().enumerate() {
            let sx = sx.min(last_x);
            let o = (dl as usize + k) * bpp;
            row[o..o + bpp].copy_from_slice(&srow[sx * bpp..(sx + 1) * bpp]);
        }
    }
    Ok(())
}

/// Pillow's RGBA resize: premultiply into 8 bits (`RGBa`, `MULDIV255`), filter the four
/// channels, then divide back with `CLIP8(255 * c / a)` in integers, so results match
/// `Image.resize` on RGBA images (whose 8-bit premultiplication loses colour under low alpha).
fn pillow_rgba(src: &ImageRef<'_>, dst: &mut ImageMut<'_>, g: &Geometry, opts: &ResizeOptions) -> Result<()> {
    let mut pre = Image::new(src.width(), src.height(), src.format())?;
    for y in 0..src.height() {
        for (o, i) in pre.row_mut(y).chunks_exact_mut(4).zip(src.row(y).chunks_exact(4)) {
            let a = i[3] as u32;
            for c in 0..3 {
                let t = i[c] as u32 * a + 128;
                o[c] = ((t + (t >> 8)) >> 8) as u8;
            }
            o[3] = i[3];
        }
    }
    let plain = ResizeOptions {
        antialias: true,
        ..*opts
    };
    let mut tmp = Image::new(dst.width(), dst.height(), dst.format())?;
    resize_plain(&pre.as_ref(), &mut tmp.as_mut(), g, &plain)?;
    for y in 0..dst.height() {
        for (o, i) in dst.row_mut(y).chunks_exact_mut(4).zip(tmp.row(y).chunks_exact(4)) {
            let a = i[3] as u32;
            for c in 0..3 {
                o[c] = match a {
                    0 | 255 => i[c],
                    _ => ((255 * i[c] as u32) / a).min(255) as u8,
                };
            }
            o[3] = i[3];
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_aspect_matches_load_img_arithmetic() {
        // 640x480 to 224x224: crop_h = min(480, 640*224//224) = 480, crop_w = min(640, 480) = 480.
        let g = geometry(640, 480, 224, 224, Fit::KeepAspectRatio);
        assert_eq!(g.crop, (80, 0, 480, 480));
        // 101x37 to (h=10, w=30): crop_h = min(37, 101*10//30 = 33), crop_w = min(101, 37*30//10 = 111).
        let g = geometry(101, 37, 30, 10, Fit::KeepAspectRatio);
        assert_eq!(g.crop, (0, 2, 101, 33));
    }

    #[test]
    fn crop_to_aspect_matches_smart_resize() {
        let g = geometry(101, 37, 30, 10, Fit::CropToAspectRatio);
        assert_eq!(g.crop, (0, 2, 101, 33));
        assert!(g.slice);
        let g = geometry(3, 500, 7, 7, Fit::CropToAspectRatio);
        assert_eq!(g.crop, (0, 248, 3, 3));
    }

    #[test]
    fn pad_matches_resize_with_pad() {
        // 640x480 into 224x224: ratio = max(640/224, 480/224) = 2.857; 168 rows, pad 28 top.
        let g = geometry(640, 480, 224, 224, Fit::PadToAspectRatio);
        assert_eq!(g.content, (0, 28, 224, 168));
        let g = geometry(5, 13, 8, 8, Fit::PadToAspectRatio);
        assert_eq!(g.content, (2, 0, 3, 8));
    }
}
