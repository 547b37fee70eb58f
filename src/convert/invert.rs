//! [`invert`], [`invert_bits`], [`apply_invert`]: samples turned into `max - v`, and the
//! photometric convention ([`Photometric`]) that says whether stored samples are inverted.
//!
//! A TIFF WhiteIsZero gray page (0 = white) and an Adobe CMYK JPEG (0 = full ink) decode to
//! the samples as stored, with [`Metadata::photometric`] saying so. A format that cannot state
//! the convention (PNG, or TIFF for inverted CMYK) would show such samples inverted, so the
//! encode reports it; [`apply_invert`] stores the same picture in the other convention.

use super::num::{out_row, read_row};
use crate::error::{Error, Result};
use crate::image::{Image, ImageRef};
use crate::metadata::{Metadata, Photometric};
use crate::sample::{Sample, SampleType};

/// The colour channels of every pixel become `max - v`, `max` being the sample type's maximum;
/// alpha is copied. Unsigned integer samples only: signed and float samples have no
/// convention of this kind and are [`Error::Unsupported`] (nothing is guessed). Metadata is
/// not touched: see [`apply_invert`].
pub fn invert(img: &ImageRef<'_>) -> Result<Image> {
    let bits = img.format().sample.bits();
    run(img, bits, "invert")
}

/// [`invert`] for samples holding `bits` significant bits (1..=the type's width, as
/// [`ImageInfo::significant_bits`](crate::ImageInfo::significant_bits) reports for a 1-bit or
/// 12-bit file): `max` is `2^bits - 1`. A colour sample above it fails with
/// [`Error::NotExact`] naming the first one and its position.
pub fn invert_bits(img: &ImageRef<'_>, bits: u32) -> Result<Image> {
    let width = img.format().sample.bits();
    if bits == 0 || bits > width {
        return Err(Error::invalid(format!(
            "convert::invert_bits: {bits} significant bits for {} samples (expected 1..={width})",
            img.format().sample
        )));
    }
    run(img, bits, "invert_bits")
}

/// Stores the picture of `img` in the other photometric convention: the colour samples become
/// `max - v` ([`invert`], or [`invert_bits`] with `significant_bits`) and
/// [`Metadata::photometric`] flips between the plain convention (`None`) and the layout's
/// inverted one (white-is-zero for gray, Adobe's inverted CMYK for CMYK). So a WhiteIsZero
/// page becomes plain gray a PNG shows right, Adobe CMYK becomes plain CMYK for TIFF, and plain
/// CMYK becomes Adobe CMYK, which is what a JPEG states. RGB has no inverted convention, and a
/// convention that does not describe the layout (white-is-zero on CMYK) is refused: both are
/// [`Error::InvalidArgument`] and leave `m` unchanged (use [`invert`] for a negative).
pub fn apply_invert(img: &ImageRef<'_>, m: &mut Metadata, significant_bits: Option<u8>) -> Result<Image> {
    let layout = img.format().layout;
    let Some(inverted) = Photometric::inverted_for(layout) else {
        return Err(Error::invalid(format!(
            "convert::apply_invert: {layout} samples have no inverted convention, so inverting them changes the \
             picture; convert::invert makes a negative on purpose"
        )));
    };
    if let Some(p) = m.photometric.filter(|p| *p != inverted) {
        return Err(Error::invalid(format!(
            "convert::apply_invert: the metadata says {p}, which does not describe {layout} samples"
        )));
    }
    let out = match significant_bits {
        Some(b) => invert_bits(img, u32::from(b))?,
        None => invert(img)?,
    };
    m.photometric = match m.photometric {
        Some(_) => None,
        None => Some(inverted),
    };
    Ok(out)
}

fn run(img: &ImageRef<'_>, bits: u32, func: &str) -> Result<Image> {
    let format = img.format();
    let t = format.sample;
    if t.is_float() || t.is_signed_int() {
        return Err(Error::Unsupported(format!(
            "convert::{func} inverts unsigned integer samples (max - v); {t} samples have no such convention \
             (a float or signed negative needs a range: see convert::scale)"
        )));
    }
    let mut out = Image::new(img.width(), img.height(), format)?;
    let max = u64::MAX >> (64 - bits);
    match t {
        SampleType::U8 => rows::<u8>(img, &mut out, max, u64::from, |v| v as u8),
        SampleType::U16 => rows::<u16>(img, &mut out, max, u64::from, |v| v as u16),
        SampleType::U32 => rows::<u32>(img, &mut out, max, u64::from, |v| v as u32),
        _ => rows::<u64>(img, &mut out, max, |v| v, |v| v),
    }
    .map_err(|(x, y, c, v)| {
        Error::NotExact(format!(
            "convert::{func}: value {v} at x={x}, y={y}, channel {c} is above {max}, the largest {bits}-bit value"
        ))
    })?;
    Ok(out)
}

/// Inverts the colour channels row by row (alpha, the last channel of GrayAlpha and Rgba,
/// copied); `Err((x, y, channel, value))` for the first colour sample above `max`.
fn rows<T: Sample + Copy>(
    img: &ImageRef<'_>,
    out: &mut Image,
    max: u64,
    wide: impl Fn(T) -> u64,
    back: impl Fn(u64) -> T,
) -> std::result::Result<(), (usize, u32, usize, u64)> {
    let layout = img.format().layout;
    let ch = layout.channels();
    let colour = if layout.has_alpha() { ch - 1 } else { ch };
    let mut buf = Vec::new();
    for y in 0..img.height() {
        let src = read_row::<T>(img, y, &mut buf);
        let dst = out_row::<T>(out, y);
        for (i, (d, &s)) in dst.iter_mut().zip(src).enumerate() {
            let c = i % ch;
            if c >= colour {
                *d = s;
                continue;
            }
            let v = wide(s);
            if v > max {
                return Err((i / ch, y, c, v));
            }
            *d = back(max - v);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Layout;

    #[test]
    fn alpha_is_kept_and_max_follows_the_bits() {
        let img = Image::from_samples::<u8>(2, 1, Layout::GrayAlpha, &[0, 7, 1, 9]).unwrap();
        let out = invert(&img.as_ref()).unwrap();
        assert_eq!(out.to_vec::<u8>().unwrap(), [255, 7, 254, 9]);
        let out = invert_bits(&img.as_ref(), 1).unwrap();
        assert_eq!(out.to_vec::<u8>().unwrap(), [1, 7, 0, 9]);
        let bad = Image::from_samples::<u8>(1, 1, Layout::Gray, &[2]).unwrap();
        let e = invert_bits(&bad.as_ref(), 1).unwrap_err();
        assert!(e.to_string().contains("value 2 at x=0, y=0, channel 0"), "{e}");
    }

    #[test]
    fn apply_invert_flips_the_convention() {
        let img = Image::from_samples::<u16>(1, 1, Layout::Cmyk, &[0, 1, 65535, 9]).unwrap();
        let mut m = Metadata::default();
        let out = apply_invert(&img.as_ref(), &mut m, None).unwrap();
        assert_eq!(m.photometric, Some(Photometric::AdobeInvertedCmyk));
        assert_eq!(out.to_vec::<u16>().unwrap(), [65535, 65534, 0, 65526]);
        apply_invert(&out.as_ref(), &mut m, None).unwrap();
        assert_eq!(m.photometric, None);
        let rgb = Image::from_samples::<u8>(1, 1, Layout::Rgb, &[1, 2, 3]).unwrap();
        assert!(apply_invert(&rgb.as_ref(), &mut m, None).is_err());
        m.photometric = Some(Photometric::WhiteIsZero);
        assert!(apply_invert(&img.as_ref(), &mut m, None).is_err());
        assert_eq!(m.photometric, Some(Photometric::WhiteIsZero));
        let f = Image::from_samples::<f32>(1, 1, Layout::Gray, &[0.5]).unwrap();
        assert_eq!(invert(&f.as_ref()).unwrap_err().kind(), crate::ErrorKind::Unsupported);
    }
}
