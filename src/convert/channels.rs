//! Channel conversions between layouts: [`to_gray`], [`gray_to_rgb`], [`add_alpha`],
//! [`drop_alpha`], [`to_layout`] and the R/B swaps, all one pass through a single row remapper.
//! Cmyk is refused: converting it needs a colour profile.

use super::num::{out_row, read_row, why_not, with_type, Elem, Num};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::{Image, ImageMut, ImageRef};

/// The alpha value [`add_alpha`] (and [`to_layout`] when it adds alpha) writes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Alpha {
    /// Fully opaque: the type maximum for integer types (255 for `U8`, 65535 for `U16`,
    /// 127 for `I8`, …) and 1.0 for float types.
    Opaque,
    /// This value; it must be exactly representable in the image's sample type.
    Value(f64),
}

fn cmyk_unsupported(target: Layout) -> Error {
    Error::Unsupported(format!(
        "Cmyk <-> {target} conversion needs a colour profile; pixcodec does not convert Cmyk (keep it as Cmyk, or convert with a colour-management library)"
    ))
}

fn wrong_layout(func: &str, got: Layout, accepts: &str) -> Error {
    Error::invalid(format!("convert::{func} accepts {accepts} images, got {got}"))
}

/// One pass over the image: colour channels copied (same count), reduced to luma (3 → 1) or
/// replicated (1 → 3); alpha copied when both layouts have it, dropped, or added as `alpha`.
/// `swap` (Rgb → Rgb, Rgba → Rgba only) exchanges R and B.
fn remap(img: &ImageRef<'_>, to: Layout, alpha: Alpha, swap: bool) -> Result<Image> {
    let from = img.format().layout;
    if from == Layout::Cmyk || to == Layout::Cmyk {
        return Err(cmyk_unsupported(if from == Layout::Cmyk { to } else { from }));
    }
    with_type!(img.format().sample, T => remap_typed::<T>(img, to, alpha, swap))
}

fn remap_typed<T: Elem>(img: &ImageRef<'_>, to: Layout, alpha: Alpha, swap: bool) -> Result<Image> {
    let alpha_value = match alpha {
        Alpha::Opaque => T::OPAQUE,
        Alpha::Value(v) => T::from_num(Num::Float(v))
            .ok_or_else(|| Error::NotExact(format!("alpha value {v} {}", why_not(Num::Float(v), T::TYPE))))?,
    };
    // Gray, GrayAlpha, Rgb and Rgba have 1, 2, 3 and 4 channels: the channel counts alone
    // determine the operation, so each pair gets its own monomorphised inner loop.
    let kernel: fn(&[T], &mut [T], T) = match (img.format().channels(), to.channels(), swap) {
        (1, 1, false) => remap_row::<T, 1, 1, false>,
        (1, 2, false) => remap_row::<T, 1, 2, false>,
        (1, 3, false) => remap_row::<T, 1, 3, false>,
        (1, 4, false) => remap_row::<T, 1, 4, false>,
        (2, 1, false) => remap_row::<T, 2, 1, false>,
        (2, 2, false) => remap_row::<T, 2, 2, false>,
        (2, 3, false) => remap_row::<T, 2, 3, false>,
        (2, 4, false) => remap_row::<T, 2, 4, false>,
        (3, 1, false) => remap_row::<T, 3, 1, false>,
        (3, 2, false) => remap_row::<T, 3, 2, false>,
        (3, 3, false) => remap_row::<T, 3, 3, false>,
        (3, 4, false) => remap_row::<T, 3, 4, false>,
        (4, 1, false) => remap_row::<T, 4, 1, false>,
        (4, 2, false) => remap_row::<T, 4, 2, false>,
        (4, 3, false) => remap_row::<T, 4, 3, false>,
        (4, 4, false) => remap_row::<T, 4, 4, false>,
        (3, 3, true) => remap_row::<T, 3, 3, true>,
        (4, 4, true) => remap_row::<T, 4, 4, true>,
        (ic, oc, _) => {
            return Err(Error::invalid(format!(
                "no channel mapping from {ic} to {oc} channels{}",
                if swap { " with R/B swap" } else { "" }
            )))
        }
    };
    let mut out = Image::new(img.width(), img.height(), PixelFormat::new(to, T::TYPE))?;
    let mut buf = Vec::new();
    for y in 0..img.height() {
        kernel(read_row::<T>(img, y, &mut buf), out_row::<T>(&mut out, y), alpha_value);
    }
    Ok(out)
}

/// The inner loop of [`remap_typed`] for `IC` input and `OC` output channels (2 and 4 carry
/// alpha last). All branches depend on constants only.
fn remap_row<T: Elem, const IC: usize, const OC: usize, const SWAP: bool>(src: &[T], dst: &mut [T], alpha: T) {
    let icc = if IC % 2 == 0 { IC - 1 } else { IC };
    let occ = if OC % 2 == 0 { OC - 1 } else { OC };
    for (s, d) in src.chunks_exact(IC).zip(dst.chunks_exact_mut(OC)) {
        if SWAP {
            d[0] = s[2];
            d[1] = s[1];
            d[2] = s[0];
        } else if icc == occ {
            d[..occ].copy_from_slice(&s[..icc]);
        } else if icc == 3 {
            d[0] = T::luma(s[0], s[1], s[2]);
        } else {
            d[..3].fill(s[0]);
        }
        if OC % 2 == 0 {
            d[occ] = if IC % 2 == 0 { s[icc] } else { alpha };
        }
    }
}

/// Colour to grayscale: `Rgb` → `Gray`, `Rgba` → `GrayAlpha` (alpha copied unchanged).
///
/// **Lossy by nature.** Luma uses the ITU-R BT.601 weights 0.299 R + 0.587 G + 0.114 B:
/// - integer types use Pillow's fixed-point formula `(R*19595 + G*38470 + B*7471 + 0x8000) >> 16`
///   (exactly Pillow's `convert("L")` for `U8`; same formula at every depth, computed without
///   overflow; the weights sum to 1, so the result never leaves the type's range);
/// - float types compute `0.299 R + 0.587 G + 0.114 B` in `f64` (then the nearest `f32` for
///   `F32`); floats stay floats and are not clamped.
///
/// Other layouts: [`Error::InvalidArgument`] (`Cmyk`: [`Error::Unsupported`]).
pub fn to_gray(img: &ImageRef<'_>) -> Result<Image> {
    match img.format().layout {
        Layout::Rgb => remap(img, Layout::Gray, Alpha::Opaque, false),
        Layout::Rgba => remap(img, Layout::GrayAlpha, Alpha::Opaque, false),
        Layout::Cmyk => Err(cmyk_unsupported(Layout::Gray)),
        l => Err(wrong_layout("to_gray", l, "Rgb or Rgba")),
    }
}

/// Grayscale to colour by replicating the gray value into R, G and B: `Gray` → `Rgb`,
/// `GrayAlpha` → `Rgba` (alpha copied). Exact. Other layouts: [`Error::InvalidArgument`].
pub fn gray_to_rgb(img: &ImageRef<'_>) -> Result<Image> {
    match img.format().layout {
        Layout::Gray => remap(img, Layout::Rgb, Alpha::Opaque, false),
        Layout::GrayAlpha => remap(img, Layout::Rgba, Alpha::Opaque, false),
        l => Err(wrong_layout("gray_to_rgb", l, "Gray or GrayAlpha")),
    }
}

/// Adds an alpha channel with the given value: `Gray` → `GrayAlpha`, `Rgb` → `Rgba`.
/// Colour samples are copied exactly. [`Alpha::Value`] must be exactly representable in the
/// sample type ([`Error::NotExact`] otherwise, e.g. 300 for `U8` or 0.5 for `U16`).
/// Other layouts: [`Error::InvalidArgument`].
pub fn add_alpha(img: &ImageRef<'_>, alpha: Alpha) -> Result<Image> {
    match img.format().layout {
        Layout::Gray => remap(img, Layout::GrayAlpha, alpha, false),
        Layout::Rgb => remap(img, Layout::Rgba, alpha, false),
        l => Err(wrong_layout("add_alpha", l, "Gray or Rgb")),
    }
}

/// Removes the alpha channel (explicitly discarding it; colour is not composited onto any
/// background): `GrayAlpha` → `Gray`, `Rgba` → `Rgb`. Colour samples are copied exactly.
/// Other layouts: [`Error::InvalidArgument`].
pub fn drop_alpha(img: &ImageRef<'_>) -> Result<Image> {
    match img.format().layout {
        Layout::GrayAlpha => remap(img, Layout::Gray, Alpha::Opaque, false),
        Layout::Rgba => remap(img, Layout::Rgb, Alpha::Opaque, false),
        l => Err(wrong_layout("drop_alpha", l, "GrayAlpha or Rgba")),
    }
}

/// Converts to any of `Gray`, `GrayAlpha`, `Rgb`, `Rgba` in one pass, combining:
/// colour → gray with [`to_gray`]'s luma (lossy), gray → colour by replication (exact),
/// alpha kept when both layouts have it, dropped when the target has none (as
/// [`drop_alpha`]), added as [`Alpha::Opaque`] when only the target has it (as
/// [`add_alpha`]). The same layout returns a copy. `Cmyk` on either side is
/// [`Error::Unsupported`]. The sample type is unchanged.
pub fn to_layout(img: &ImageRef<'_>, layout: Layout) -> Result<Image> {
    if img.format().layout == layout {
        return Ok(img.to_image());
    }
    remap(img, layout, Alpha::Opaque, false)
}

/// Swaps the first and third channels of `Rgb`/`Rgba` pixels (RGB ↔ BGR, RGBA ↔ BGRA), exact.
/// pixcodec's channel order is always RGB; use this on BGR data coming from or going to
/// libraries such as OpenCV. Other layouts: [`Error::InvalidArgument`].
pub fn swap_rb(img: &ImageRef<'_>) -> Result<Image> {
    match img.format().layout {
        l @ (Layout::Rgb | Layout::Rgba) => remap(img, l, Alpha::Opaque, true),
        l => Err(wrong_layout("swap_rb", l, "Rgb or Rgba")),
    }
}

/// [`swap_rb`] in place, on caller memory with any stride (row padding untouched).
pub fn swap_rb_in_place(img: &mut ImageMut<'_>) -> Result<()> {
    let layout = img.format().layout;
    if !matches!(layout, Layout::Rgb | Layout::Rgba) {
        return Err(wrong_layout("swap_rb", layout, "Rgb or Rgba"));
    }
    let ch = layout.channels();
    let swap_row: fn(&mut [u8], usize) = match img.format().sample.size() {
        1 => swap_rb_bytes::<1>,
        2 => swap_rb_bytes::<2>,
        4 => swap_rb_bytes::<4>,
        _ => swap_rb_bytes::<8>,
    };
    for y in 0..img.height() {
        swap_row(img.row_mut(y), ch);
    }
    Ok(())
}

/// Swaps samples 0 and 2 of every `ch`-channel pixel of `S`-byte samples, on raw bytes (the
/// caller's buffer need not be aligned).
fn swap_rb_bytes<const S: usize>(row: &mut [u8], ch: usize) {
    for px in row.chunks_exact_mut(ch * S) {
        let (r, rest) = px.split_at_mut(S);
        r.swap_with_slice(&mut rest[S..2 * S]);
    }
}
