//! [`cast`], [`check_cast`], [`narrow`], [`narrowest_type`], [`narrow_to`]: changes of sample
//! type that keep every value, failing on the first value that would not survive.

use super::num::{for_each, out_row, position, read_row, why_not, with_type, Elem, Num};
use super::remedy::{Remedy, Surface};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::{Image, ImageRef};
use crate::sample::SampleType;

/// Value-preserving change of sample type: every output sample equals its input sample.
///
/// Fails with [`Error::NotExact`] naming the first value that does not fit (position as
/// `x=…, y=…, channel …`): negative into unsigned, too large, a non-integer float into an
/// integer type, NaN or ±infinity into an integer type, an `f64` that is not exactly an
/// `f32` (or an `f32`/`f64` that is not exactly an `f16`: too large, too precise or below
/// the smallest subnormal), an integer above 2^11 (`F16`, which holds every integer up to
/// 2048 and only some above, none past 65504), 2^24 (`F32`) or 2^53 (`F64`) that the float
/// cannot hold exactly.
///
/// Between the float types NaN and ±infinity carry over (a NaN stays NaN; its payload bits
/// are not guaranteed); `-0.0` cast to an integer becomes `0`. Casting to the image's own
/// sample type is a plain copy. Layout and size are unchanged. For a deliberate change of
/// values use [`scale`](fn@super::scale).
pub fn cast(img: &ImageRef<'_>, to: SampleType) -> Result<Image> {
    cast_with(img, to, |detail| {
        format!(
            "cannot cast {} to {to} without changing values: {detail}; {} rescales on purpose",
            img.format().sample,
            Remedy::Scale(to).text(Surface::Rust)
        )
    })
}

/// Checks, without allocating an output, that [`cast`]`(img, to)` would succeed; the error is
/// the one [`cast`] would return.
pub fn check_cast(img: &ImageRef<'_>, to: SampleType) -> Result<()> {
    let from = img.format().sample;
    with_type!(from, S => with_type!(to, D => first_misfit::<S, D>(img))).map_or(Ok(()), |detail| {
        Err(Error::NotExact(format!(
            "cannot cast {from} to {to} without changing values: {detail}; {} rescales on purpose",
            Remedy::Scale(to).text(Surface::Rust)
        )))
    })
}

/// Data-aware narrowing: converts to the smallest sample type *of the same kind* that holds
/// every actual value exactly, and leaves the type unchanged when no smaller one does.
///
/// Kinds: unsigned `U8 < U16 < U32 < U64`, signed `I8 < I16 < I32 < I64`, float
/// `F16 < F32 < F64` (a float image becomes `F16` or `F32` only when every value, NaN and
/// ±infinity included, is exactly an `f16` or `f32`; subnormals count when exact). The kind never changes (signed data with no negative values stays
/// signed; use [`narrow_to`] or [`cast`] to pick the type yourself). Example: `U32` labels
/// with maximum 36 become `U8`; with maximum 70000 they stay `U32`. Read the chosen type
/// from the result's format, or ask [`narrowest_type`] first. Values never change.
pub fn narrow(img: &ImageRef<'_>) -> Result<Image> {
    let to = narrowest_type(img);
    cast(img, to)
}

/// The type [`narrow`] would choose for `img` (see there), found by scanning the data once
/// (integers: minimum and maximum; floats: a check that every value is exactly an `f16`,
/// then an `f32`).
pub fn narrowest_type(img: &ImageRef<'_>) -> SampleType {
    use SampleType::*;
    let from = img.format().sample;
    let ladder: &[SampleType] = match from {
        U8 | U16 | U32 | U64 => &[U8, U16, U32, U64],
        I8 | I16 | I32 | I64 => &[I8, I16, I32, I64],
        F16 | F32 | F64 => &[F16, F32, F64],
    };
    if from.is_float() {
        // The float ladder is not in `SampleType` order (F16 was appended after F64).
        for &t in ladder.iter().take_while(|&&t| t != from) {
            let fits = with_type!(from, S => with_type!(t, D => first_misfit::<S, D>(img).is_none()));
            if fits {
                return t;
            }
        }
        return from;
    }
    let (lo, hi) = with_type!(from, S => int_min_max::<S>(img));
    for &t in ladder.iter().take_while(|&&t| t < from) {
        let fits = with_type!(t, D => D::from_num(Num::Int(lo)).is_some() && D::from_num(Num::Int(hi)).is_some());
        if fits {
            return t;
        }
    }
    from
}

/// Data-aware narrowing to a type you choose: exactly [`cast`], with an error that says the
/// narrowing failed and names the first value that does not fit (e.g. `narrow_to(labels,
/// U16)` on labels reaching 70000 fails naming 70000 and its position). Use it to store
/// `U32` label images as `U16`/`U8` when the data allows, with a guarantee that no label
/// changed.
pub fn narrow_to(img: &ImageRef<'_>, to: SampleType) -> Result<Image> {
    cast_with(img, to, |detail| {
        format!(
            "data-aware narrowing of {} to {to} failed: {detail}; the data needs a wider type ({} picks the smallest that fits)",
            img.format().sample,
            Remedy::Narrow.text(Surface::Rust)
        )
    })
}

fn cast_with(img: &ImageRef<'_>, to: SampleType, message: impl Fn(String) -> String) -> Result<Image> {
    let from = img.format().sample;
    if from == to {
        return Ok(img.to_image());
    }
    with_type!(from, S => with_type!(to, D => cast_typed::<S, D>(img)))
        .map_err(|detail| Error::NotExact(message(detail)))
}

/// Casts sample by sample; `Err` carries "value V at x=…, y=…, channel … <reason>".
fn cast_typed<S: Elem, D: Elem>(img: &ImageRef<'_>) -> Result<Image, String> {
    let layout = img.format().layout;
    let mut out =
        Image::new(img.width(), img.height(), PixelFormat::new(layout, D::TYPE)).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    for y in 0..img.height() {
        let src = read_row::<S>(img, y, &mut buf);
        let dst = out_row::<D>(&mut out, y);
        for (i, (d, &s)) in dst.iter_mut().zip(src).enumerate() {
            match D::from_num(s.num()) {
                Some(v) => *d = v,
                None => return Err(misfit_text(layout, i, y, s, D::TYPE)),
            }
        }
    }
    Ok(out)
}

fn misfit_text<S: Elem>(layout: Layout, i: usize, y: u32, s: S, to: SampleType) -> String {
    format!("value {s} at {} {}", position(layout, i, y), why_not(s.num(), to))
}

/// The first sample that does not fit `D` exactly, described; `None` when all fit.
fn first_misfit<S: Elem, D: Elem>(img: &ImageRef<'_>) -> Option<String> {
    let layout = img.format().layout;
    for_each::<S, String>(img, |i, y, s| match D::from_num(s.num()) {
        Some(_) => Ok(()),
        None => Err(misfit_text(layout, i, y, s, D::TYPE)),
    })
    .err()
}

fn int_min_max<S: Elem>(img: &ImageRef<'_>) -> (i128, i128) {
    let (mut lo, mut hi) = (i128::MAX, i128::MIN);
    let _ = for_each::<S, ()>(img, |_, _, s| {
        if let Num::Int(v) = s.num() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        Ok(())
    });
    (lo, hi)
}
