//! Explicit conversions: the only way pixcodec changes pixel data.
//!
//! Every function here says exactly what it does to the values, takes an [`ImageRef`] with
//! any row stride, and returns a new, tightly packed [`Image`]. Nothing is clipped, rounded
//! or rescaled unless the function's name and documentation say so; when a value cannot be
//! carried over as promised, the call fails with an error naming the first offending value
//! and its position (`x=…, y=…, channel …`), scanning rows top to bottom and samples left to
//! right.
//!
//! | function | what happens to values | may fail with |
//! |---|---|---|
//! | [`cast`] | unchanged (value-preserving type change) | [`Error::NotExact`] on the first value that does not fit |
//! | [`narrow`] / [`narrow_to`] | unchanged; picks / checks a smaller type from the actual data | [`Error::NotExact`] (`narrow_to`) |
//! | [`scale`] | linear rescale (min-max or fixed range), rounded half to even | [`Error::NotExact`] on out-of-range or non-finite input |
//! | [`to_gray`] | BT.601 luma (lossy by nature) | wrong layout |
//! | [`gray_to_rgb`], [`add_alpha`], [`drop_alpha`], [`swap_rb`] | copied / replicated / removed, exact | wrong layout |
//! | [`to_layout`] | dispatches to the channel conversions above | `Cmyk` is [`Error::Unsupported`] |
//!
//! Channel order in pixcodec is always as the [`Layout`] names it (RGB, not BGR); callers
//! holding BGR(A) data convert it with [`swap_rb`].

use std::fmt;

use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::{Image, ImageMut, ImageRef};
use crate::sample::{Sample, SampleType};

// ---------------------------------------------------------------------------------------------
// Internal numeric model
// ---------------------------------------------------------------------------------------------

/// A sample value widened without loss: every integer type fits `i128`, every float `f64`.
#[derive(Clone, Copy, Debug)]
enum Num {
    Int(i128),
    Float(f64),
}

/// The per-type operations the conversions need. Implemented for the ten sample types.
trait Elem: Sample + Copy + fmt::Display {
    /// Type maximum for integers, 1.0 for floats.
    const OPAQUE: Self;
    /// The value, widened without loss.
    fn num(self) -> Num;
    /// The same value in this type, or `None` when it is not exactly representable.
    fn from_num(n: Num) -> Option<Self>;
    /// `v` rounded half to even (integers, saturating at the type's bounds) or converted to
    /// the nearest float.
    fn from_f64_rounded(v: f64) -> Self;
    /// BT.601 luma of (r, g, b).
    fn luma(r: Self, g: Self, b: Self) -> Self;
}

macro_rules! impl_elem_int {
    ($($t:ty => $wide:ty),*) => {$(
        impl Elem for $t {
            const OPAQUE: Self = <$t>::MAX;
            #[inline]
            fn num(self) -> Num {
                Num::Int(self as i128)
            }
            #[inline]
            fn from_num(n: Num) -> Option<Self> {
                match n {
                    Num::Int(i) => <$t>::try_from(i).ok(),
                    Num::Float(f) => {
                        // `as i128` saturates and maps NaN to 0, so the round trip only
                        // succeeds for finite integral values; try_from then checks the range.
                        let i = f as i128;
                        if i as f64 == f {
                            <$t>::try_from(i).ok()
                        } else {
                            None
                        }
                    }
                }
            }
            #[inline]
            fn from_f64_rounded(v: f64) -> Self {
                // Saturating float-to-int cast after rounding half to even.
                v.round_ties_even() as $t
            }
            #[inline]
            fn luma(r: Self, g: Self, b: Self) -> Self {
                // Pillow's fixed-point BT.601: (R*19595 + G*38470 + B*7471 + 0x8000) >> 16.
                // The weights sum to 65536, so the result always lies within the inputs' range.
                let l = (r as $wide * 19595 + g as $wide * 38470 + b as $wide * 7471 + 0x8000) >> 16;
                l as $t
            }
        }
    )*};
}
impl_elem_int!(u8 => i64, u16 => i64, u32 => i64, u64 => i128, i8 => i64, i16 => i64, i32 => i64, i64 => i128);

impl Elem for f32 {
    const OPAQUE: Self = 1.0;
    #[inline]
    fn num(self) -> Num {
        Num::Float(self as f64)
    }
    #[inline]
    fn from_num(n: Num) -> Option<Self> {
        match n {
            Num::Int(i) => int_to_float(i, |s| s as f32, |f| f as f64, |u| u as f32),
            Num::Float(d) => {
                let f = d as f32;
                (f as f64 == d || d.is_nan()).then_some(f)
            }
        }
    }
    #[inline]
    fn from_f64_rounded(v: f64) -> Self {
        v as f32
    }
    #[inline]
    fn luma(r: Self, g: Self, b: Self) -> Self {
        (0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64) as f32
    }
}

impl Elem for f64 {
    const OPAQUE: Self = 1.0;
    #[inline]
    fn num(self) -> Num {
        Num::Float(self)
    }
    #[inline]
    fn from_num(n: Num) -> Option<Self> {
        match n {
            Num::Int(i) => int_to_float(i, |s| s as f64, |f| f, |u| u as f64),
            Num::Float(d) => Some(d),
        }
    }
    #[inline]
    fn from_f64_rounded(v: f64) -> Self {
        v
    }
    #[inline]
    fn luma(r: Self, g: Self, b: Self) -> Self {
        0.299 * r + 0.587 * g + 0.114 * b
    }
}

/// `i` as a float when exactly representable. Uses the hardware i64/u64 conversions (the
/// i128 ones are slow software routines): a float `f` equals the integer `s` exactly when it
/// is below 2^63 (no saturation in `as i64`) and converts back to `s`.
#[inline]
fn int_to_float<F: Copy>(i: i128, from_i64: fn(i64) -> F, widen: fn(F) -> f64, from_u64: fn(u64) -> F) -> Option<F> {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if let Ok(s) = i64::try_from(i) {
        let f = from_i64(s);
        let w = widen(f);
        (w < TWO_63 && w as i64 == s).then_some(f)
    } else {
        // Only u64 values above i64::MAX get here; 2^64 and above saturate, so compare below it.
        let u = u64::try_from(i).ok()?;
        let f = from_u64(u);
        let w = widen(f);
        (w < 2.0 * TWO_63 && w as u64 == u).then_some(f)
    }
}

/// Runs `$body` with the type alias `$T` bound to the Rust type of sample type `$st`.
macro_rules! with_type {
    ($st:expr, $T:ident => $body:expr) => {
        match $st {
            SampleType::U8 => {
                type $T = u8;
                $body
            }
            SampleType::U16 => {
                type $T = u16;
                $body
            }
            SampleType::U32 => {
                type $T = u32;
                $body
            }
            SampleType::U64 => {
                type $T = u64;
                $body
            }
            SampleType::I8 => {
                type $T = i8;
                $body
            }
            SampleType::I16 => {
                type $T = i16;
                $body
            }
            SampleType::I32 => {
                type $T = i32;
                $body
            }
            SampleType::I64 => {
                type $T = i64;
                $body
            }
            SampleType::F32 => {
                type $T = f32;
                $body
            }
            SampleType::F64 => {
                type $T = f64;
                $body
            }
        }
    };
}

/// Row `y` of `img` as typed samples: borrowed when the caller's buffer is aligned for `T`,
/// otherwise copied into `buf` (reused across rows, so there is no per-row allocation after
/// the first).
fn read_row<'a, T: Sample>(img: &ImageRef<'a>, y: u32, buf: &'a mut Vec<T>) -> &'a [T] {
    let bytes = img.row(y);
    match bytemuck::try_cast_slice(bytes) {
        Ok(s) => s,
        Err(_) => {
            buf.clear();
            buf.extend(
                bytes
                    .chunks_exact(T::TYPE.size())
                    .map(bytemuck::pod_read_unaligned::<T>),
            );
            buf
        }
    }
}

/// Row `y` of a freshly allocated (8-byte aligned, tightly packed) image as typed samples.
fn out_row<T: Sample>(img: &mut Image, y: u32) -> &mut [T] {
    bytemuck::cast_slice_mut(img.row_mut(y))
}

/// Calls `f(index_in_row, y, value)` for every sample, stopping at the first `Err`.
fn for_each<T: Sample, E>(img: &ImageRef<'_>, mut f: impl FnMut(usize, u32, T) -> Result<(), E>) -> Result<(), E> {
    let mut buf = Vec::new();
    for y in 0..img.height() {
        for (i, &v) in read_row::<T>(img, y, &mut buf).iter().enumerate() {
            f(i, y, v)?;
        }
    }
    Ok(())
}

fn channel_name(layout: Layout, c: usize) -> &'static str {
    let names: &[&str] = match layout {
        Layout::Gray => &["gray"],
        Layout::GrayAlpha => &["gray", "alpha"],
        Layout::Rgb => &["R", "G", "B"],
        Layout::Rgba => &["R", "G", "B", "A"],
        Layout::Cmyk => &["C", "M", "Y", "K"],
    };
    names.get(c).copied().unwrap_or("?")
}

/// `x=3, y=1, channel 0 (R)` for sample `i` of row `y`.
fn position(layout: Layout, i: usize, y: u32) -> String {
    let ch = layout.channels();
    let c = i % ch;
    format!("x={}, y={y}, channel {c} ({})", i / ch, channel_name(layout, c))
}

fn range_text(t: SampleType) -> String {
    match t {
        SampleType::U8 => format!("0..={}", u8::MAX),
        SampleType::U16 => format!("0..={}", u16::MAX),
        SampleType::U32 => format!("0..={}", u32::MAX),
        SampleType::U64 => format!("0..={}", u64::MAX),
        SampleType::I8 => format!("{}..={}", i8::MIN, i8::MAX),
        SampleType::I16 => format!("{}..={}", i16::MIN, i16::MAX),
        SampleType::I32 => format!("{}..={}", i32::MIN, i32::MAX),
        SampleType::I64 => format!("{}..={}", i64::MIN, i64::MAX),
        SampleType::F32 => "finite ±3.4e38 with a 24-bit significand".to_string(),
        SampleType::F64 => "finite ±1.8e308 with a 53-bit significand".to_string(),
    }
}

/// Why `n` cannot be stored in `to` exactly.
fn why_not(n: Num, to: SampleType) -> String {
    match n {
        Num::Float(f) if !to.is_float() && !f.is_finite() => format!("is not finite, and {to} holds only integers"),
        Num::Float(f) if !to.is_float() && f.fract() != 0.0 => {
            format!("is not an integer, and {to} holds only integers")
        }
        _ if to.is_float() => format!("is not exactly representable in {to} ({})", range_text(to)),
        _ => format!("is outside the {to} range {}", range_text(to)),
    }
}

// ---------------------------------------------------------------------------------------------
// cast / narrow
// ---------------------------------------------------------------------------------------------

/// Value-preserving change of sample type: every output sample equals its input sample.
///
/// Fails with [`Error::NotExact`] naming the first value that does not fit (position as
/// `x=…, y=…, channel …`): negative into unsigned, too large, a non-integer float into an
/// integer type, NaN or ±infinity into an integer type, an `f64` that is not exactly an
/// `f32`, an integer above 2^24 (`F32`) or 2^53 (`F64`) that the float cannot hold exactly.
///
/// Between the float types NaN and ±infinity carry over (a NaN stays NaN; its payload bits
/// are not guaranteed); `-0.0` cast to an integer becomes `0`. Casting to the image's own
/// sample type is a plain copy. Layout and size are unchanged. For a deliberate change of
/// values use [`scale`].
pub fn cast(img: &ImageRef<'_>, to: SampleType) -> Result<Image> {
    cast_with(img, to, |detail| {
        format!(
            "cannot cast {} to {to} without changing values: {detail}; convert::scale rescales on purpose",
            img.format().sample
        )
    })
}

/// Checks, without allocating an output, that [`cast`]`(img, to)` would succeed; the error is
/// the one [`cast`] would return.
pub fn check_cast(img: &ImageRef<'_>, to: SampleType) -> Result<()> {
    let from = img.format().sample;
    with_type!(from, S => with_type!(to, D => first_misfit::<S, D>(img))).map_or(Ok(()), |detail| {
        Err(Error::NotExact(format!(
            "cannot cast {from} to {to} without changing values: {detail}; convert::scale rescales on purpose"
        )))
    })
}

/// Data-aware narrowing: converts to the smallest sample type *of the same kind* that holds
/// every actual value exactly, and leaves the type unchanged when no smaller one does.
///
/// Kinds: unsigned `U8 < U16 < U32 < U64`, signed `I8 < I16 < I32 < I64`, float `F32 < F64`
/// (an `F64` image becomes `F32` only when every value, NaN and ±infinity included, is
/// exactly an `f32`). The kind never changes (signed data with no negative values stays
/// signed; use [`narrow_to`] or [`cast`] to pick the type yourself). Example: `U32` labels
/// with maximum 36 become `U8`; with maximum 70000 they stay `U32`. Read the chosen type
/// from the result's format, or ask [`narrowest_type`] first. Values never change.
pub fn narrow(img: &ImageRef<'_>) -> Result<Image> {
    let to = narrowest_type(img);
    cast(img, to)
}

/// The type [`narrow`] would choose for `img` (see there), found by scanning the data once
/// (integers: minimum and maximum; `F64`: a check that every value is exactly an `f32`).
pub fn narrowest_type(img: &ImageRef<'_>) -> SampleType {
    use SampleType::*;
    let from = img.format().sample;
    let ladder: &[SampleType] = match from {
        U8 | U16 | U32 | U64 => &[U8, U16, U32, U64],
        I8 | I16 | I32 | I64 => &[I8, I16, I32, I64],
        F32 | F64 => &[F32, F64],
    };
    if from.is_float() {
        if from == F64 && first_misfit::<f64, f32>(img).is_none() {
            return F32;
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
            "data-aware narrowing of {} to {to} failed: {detail}; the data needs a wider type (convert::narrow picks the smallest that fits)",
            img.format().sample
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

// ---------------------------------------------------------------------------------------------
// scale
// ---------------------------------------------------------------------------------------------

/// How [`scale`] maps input values to the output type.
///
/// The mapping is linear, computed in `f64` as `t = (v - in_lo) / (in_hi - in_lo)`,
/// `out = out_lo * (1 - t) + out_hi * t` (so both ends map exactly), then for integer
/// outputs **rounded half to even** (0.5 → 0, 127.5 → 128, 128.5 → 128). Float outputs are
/// the nearest `f32`/`f64`. The default output range is the target type's full range for
/// integer types (`U8` 0..255, `I16` -32768..32767, …) and `0..1` for float types.
/// 64-bit integer inputs above 2^53 lose precision in the `f64` arithmetic (scaling is a
/// deliberate change of values).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Scale {
    /// Keras' `array_to_img(scale=True)`: the smallest value of the data maps to the low end
    /// of the output range, the largest to the high end (labels 0..5 → U8 0, 51, 102, 153,
    /// 204, 255). A constant image maps every sample to the low end of the output range
    /// (0 for unsigned and float targets), as Keras does. NaN or ±infinity in the data is an
    /// error naming the first one.
    MinMax,
    /// A fixed input range mapped to the output range.
    Range {
        /// Input values `from.0` and `from.1` map to the ends of the output range
        /// (`from.0 < from.1`, both finite).
        from: (f64, f64),
        /// Output range (`lo < hi`, inside the target type); `None` = the default above.
        to: Option<(f64, f64)>,
        /// `false`: an input outside `from` is an error naming the first one.
        /// `true`: inputs outside `from` (including ±infinity) are clamped to it on purpose.
        /// NaN is an error either way.
        clip: bool,
    },
}

impl Scale {
    /// `Scale::Range` from `lo..hi` to the target type's default range, erroring on
    /// out-of-range inputs.
    pub fn range(lo: f64, hi: f64) -> Scale {
        Scale::Range {
            from: (lo, hi),
            to: None,
            clip: false,
        }
    }

    /// For a [`Scale::Range`], sets the output range (on `MinMax`, which always uses the
    /// default output range, it returns `self` unchanged).
    pub fn to(self, lo: f64, hi: f64) -> Scale {
        match self {
            Scale::Range { from, clip, .. } => Scale::Range {
                from,
                to: Some((lo, hi)),
                clip,
            },
            other => other,
        }
    }

    /// For a [`Scale::Range`], clamps out-of-range inputs instead of failing (on `MinMax`
    /// it returns `self`: min-max scaling never has out-of-range inputs).
    pub fn clip(self) -> Scale {
        match self {
            Scale::Range { from, to, .. } => Scale::Range { from, to, clip: true },
            other => other,
        }
    }
}

/// Rescales values linearly into sample type `to` as described by `policy` (see [`Scale`]
/// for the formula, the rounding — half to even — and the default output ranges).
///
/// This changes values on purpose (it is how float data in 0..1 becomes `U8`, or how
/// Keras-style min-max scaling is done explicitly). Errors: [`Error::NotExact`] naming the
/// first non-finite input, or (with `clip: false`) the first input outside `from`;
/// [`Error::InvalidArgument`] for an empty or non-finite input range or an output range that
/// is empty or outside the target type.
pub fn scale(img: &ImageRef<'_>, to: SampleType, policy: Scale) -> Result<Image> {
    let from = img.format().sample;
    let (tlo, thi) = to.range();
    let out = match policy {
        Scale::Range { to: Some((lo, hi)), .. } => {
            if !(lo.is_finite() && hi.is_finite() && lo < hi && lo >= tlo && hi <= thi) {
                return Err(Error::invalid(format!(
                    "scale output range {lo}..{hi} must be non-empty (lo < hi) and inside the {to} range {}",
                    range_text(to)
                )));
            }
            (lo, hi)
        }
        _ if to.is_float() => (0.0, 1.0),
        _ => (tlo, thi),
    };
    let layout = img.format().layout;
    let (input, clip) = match policy {
        Scale::MinMax => {
            let mm = with_type!(from, S => float_min_max::<S>(img)).map_err(|(i, y, v)| {
                Error::NotExact(format!(
                    "cannot min-max scale: value {v} at {} is not finite",
                    position(layout, i, y)
                ))
            })?;
            (mm, false)
        }
        Scale::Range {
            from: (lo, hi), clip, ..
        } => {
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                return Err(Error::invalid(format!(
                    "scale input range {lo}..{hi} must be finite and non-empty (lo < hi)"
                )));
            }
            ((lo, hi), clip)
        }
    };
    let map = Mapping { input, out, clip };
    with_type!(from, S => with_type!(to, D => scale_typed::<S, D>(img, &map)))
}

struct Mapping {
    input: (f64, f64),
    out: (f64, f64),
    clip: bool,
}

/// Smallest and largest value as f64; `Err((i, y, value))` for the first non-finite value.
fn float_min_max<S: Elem>(img: &ImageRef<'_>) -> std::result::Result<(f64, f64), (usize, u32, String)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for_each::<S, _>(img, |i, y, s| {
        let v = s.to_f64();
        if !v.is_finite() {
            return Err((i, y, s.to_string()));
        }
        lo = lo.min(v);
        hi = hi.max(v);
        Ok(())
    })?;
    Ok((lo, hi))
}

fn scale_typed<S: Elem, D: Elem>(img: &ImageRef<'_>, m: &Mapping) -> Result<Image> {
    let layout = img.format().layout;
    let mut out = Image::new(img.width(), img.height(), PixelFormat::new(layout, D::TYPE))?;
    let (ilo, ihi) = m.input;
    let (olo, ohi) = m.out;
    let span = ihi - ilo;
    let mut buf = Vec::new();
    for y in 0..img.height() {
        let src = read_row::<S>(img, y, &mut buf);
        let dst = out_row::<D>(&mut out, y);
        for (i, (d, &s)) in dst.iter_mut().zip(src).enumerate() {
            let mut v = s.to_f64();
            if !(ilo..=ihi).contains(&v) {
                if v.is_nan() {
                    return Err(Error::NotExact(format!(
                        "cannot scale value {s} at {}: it is not a number",
                        position(layout, i, y)
                    )));
                }
                if !m.clip {
                    return Err(Error::NotExact(format!(
                        "cannot scale value {s} at {}: it is outside the input range {ilo}..{ihi}; \
                         widen the range or choose clip to clamp out-of-range values on purpose",
                        position(layout, i, y)
                    )));
                }
                v = v.clamp(ilo, ihi);
            }
            let t = if span > 0.0 { (v - ilo) / span } else { 0.0 };
            *d = D::from_f64_rounded(olo * (1.0 - t) + ohi * t);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Channel conversions
// ---------------------------------------------------------------------------------------------

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
