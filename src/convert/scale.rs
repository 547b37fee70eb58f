//! [`scale`] and its [`Scale`] policy: the one conversion that deliberately changes values,
//! a linear map from an input range onto the target type's range, rounded half to even.

use super::num::{for_each, out_row, position, range_text, read_row, with_type, Elem};
use super::remedy::{Remedy, Surface};
use crate::error::{Error, Result};
use crate::format::PixelFormat;
use crate::image::{Image, ImageRef};
use crate::sample::SampleType;

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
                         widen the range, or clamp out-of-range values on purpose with {}",
                        position(layout, i, y),
                        Remedy::Clip.text(Surface::Rust)
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
