//! The numeric model every conversion shares: each sample type widened without loss
//! ([`Num`], [`Elem`]), a `match` over the eleven sample types ([`with_type!`]), row access for
//! any stride and alignment, and the texts that name an offending value and its position.
//! Kept in one place so that `cast`, `scale` and the channel conversions agree on what
//! "fits exactly" means and report it in the same words.

use std::fmt;

use crate::error::Result;
use crate::format::Layout;
use crate::image::{Image, ImageRef};
use crate::sample::{Sample, SampleType};

/// A sample value widened without loss: every integer type fits `i128`, every float `f64`.
#[derive(Clone, Copy, Debug)]
pub(super) enum Num {
    Int(i128),
    Float(f64),
}

/// The per-type operations the conversions need. Implemented for the eleven sample types.
pub(super) trait Elem: Sample + Copy + fmt::Display {
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

impl Elem for half::f16 {
    const OPAQUE: Self = half::f16::ONE;
    #[inline]
    fn num(self) -> Num {
        Num::Float(self.to_f64())
    }
    #[inline]
    fn from_num(n: Num) -> Option<Self> {
        match n {
            // No integer beyond ±65504 is a half; below that `i as f64` is exact.
            Num::Int(i) => {
                if i.unsigned_abs() > 65504 {
                    return None;
                }
                let f = half::f16::from_f64(i as f64);
                (f.to_f64() == i as f64).then_some(f)
            }
            Num::Float(d) => {
                let f = half::f16::from_f64(d);
                (f.to_f64() == d || d.is_nan()).then_some(f)
            }
        }
    }
    #[inline]
    fn from_f64_rounded(v: f64) -> Self {
        half::f16::from_f64(v)
    }
    #[inline]
    fn luma(r: Self, g: Self, b: Self) -> Self {
        half::f16::from_f64(0.299 * r.to_f64() + 0.587 * g.to_f64() + 0.114 * b.to_f64())
    }
}

/// `i` as a float when exactly representable. Uses the hardware i64/u64 conversions (the
/// i128 ones are slow software routines): a float `f` equals the integer `s` exactly when it
/// is below 2^63 (no saturation in `as i64`) and converts back to `s`.
#[inline]
pub(super) fn int_to_float<F: Copy>(
    i: i128,
    from_i64: fn(i64) -> F,
    widen: fn(F) -> f64,
    from_u64: fn(u64) -> F,
) -> Option<F> {
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

pub(super) use crate::with_sample_type as with_type;

/// Row `y` of `img` as typed samples: borrowed when the caller's buffer is aligned for `T`,
/// otherwise copied into `buf` (reused across rows, so there is no per-row allocation after
/// the first).
pub(super) fn read_row<'a, T: Sample>(img: &ImageRef<'a>, y: u32, buf: &'a mut Vec<T>) -> &'a [T] {
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
pub(super) fn out_row<T: Sample>(img: &mut Image, y: u32) -> &mut [T] {
    bytemuck::cast_slice_mut(img.row_mut(y))
}

/// Calls `f(index_in_row, y, value)` for every sample, stopping at the first `Err`.
pub(super) fn for_each<T: Sample, E>(
    img: &ImageRef<'_>,
    mut f: impl FnMut(usize, u32, T) -> Result<(), E>,
) -> Result<(), E> {
    let mut buf = Vec::new();
    for y in 0..img.height() {
        for (i, &v) in read_row::<T>(img, y, &mut buf).iter().enumerate() {
            f(i, y, v)?;
        }
    }
    Ok(())
}

pub(super) fn channel_name(layout: Layout, c: usize) -> &'static str {
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
pub(super) fn position(layout: Layout, i: usize, y: u32) -> String {
    let ch = layout.channels();
    let c = i % ch;
    format!("x={}, y={y}, channel {c} ({})", i / ch, channel_name(layout, c))
}

pub(super) fn range_text(t: SampleType) -> String {
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
        SampleType::F16 => "finite ±65504 with an 11-bit significand".to_string(),
    }
}

/// Why `n` cannot be stored in `to` exactly.
pub(super) fn why_not(n: Num, to: SampleType) -> String {
    match n {
        Num::Float(f) if !to.is_float() && !f.is_finite() => format!("is not finite, and {to} holds only integers"),
        Num::Float(f) if !to.is_float() && f.fract() != 0.0 => {
            format!("is not an integer, and {to} holds only integers")
        }
        _ if to.is_float() => format!("is not exactly representable in {to} ({})", range_text(to)),
        _ => format!("is outside the {to} range {}", range_text(to)),
    }
}
