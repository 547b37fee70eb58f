//! Arrays for models: [`to_array`] (`img_to_array`), [`from_array`] (`array_to_img`) with an
//! explicit [`ScalePolicy`], and [`save`] (`save_img`) under the encode exactness rules.

use std::path::Path;

use crate::codec::EncodeReport;
use crate::convert::{self, Scale};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::{Image, ImageRef};
use crate::options::EncodeOptions;
use crate::registry::Registry;
use crate::sample::{Sample, SampleType};

/// Where the channel axis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChannelOrder {
    /// `(height, width, channels)` (Keras' default `channels_last`).
    #[default]
    Last,
    /// `(channels, height, width)` (`channels_first`, PyTorch's order).
    First,
}

super::parse::from_names!(ChannelOrder, "channel order", {
    ChannelOrder::Last => ["last", "channels_last", "channels-last"],
    ChannelOrder::First => ["first", "channels_first", "channels-first"],
});

/// A dense, C-ordered n-dimensional array of one sample type, native-endian, 8-byte aligned.
#[derive(Clone, PartialEq)]
pub struct Array {
    shape: Vec<usize>,
    dtype: SampleType,
    words: Vec<u64>,
}

impl std::fmt::Debug for Array {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Array")
            .field("shape", &self.shape)
            .field("dtype", &self.dtype)
            .finish_non_exhaustive()
    }
}

fn element_count(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| Error::invalid(format!("array shape {shape:?} overflows")))
}

impl Array {
    /// A zero-filled array.
    pub fn zeros(shape: &[usize], dtype: SampleType) -> Result<Array> {
        let bytes = element_count(shape)?
            .checked_mul(dtype.size())
            .ok_or_else(|| Error::invalid(format!("array shape {shape:?} overflows")))?;
        let mut words = Vec::new();
        words
            .try_reserve_exact(bytes.div_ceil(8))
            .map_err(|_| Error::Limits(format!("cannot allocate {bytes} bytes for an array of shape {shape:?}")))?;
        words.resize(bytes.div_ceil(8), 0);
        Ok(Array {
            shape: shape.to_vec(),
            dtype,
            words,
        })
    }

    /// An array holding a copy of `data` with the given shape (its product must equal
    /// `data.len()`).
    pub fn from_slice<T: Sample>(shape: &[usize], data: &[T]) -> Result<Array> {
        let n = element_count(shape)?;
        if n != data.len() {
            return Err(Error::invalid(format!(
                "array shape {shape:?} holds {n} values but {} were given",
                data.len()
            )));
        }
        let mut a = Array::zeros(shape, T::TYPE)?;
        a.as_mut_slice::<T>()?.copy_from_slice(data);
        Ok(a)
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The sample type of every element.
    pub fn dtype(&self) -> SampleType {
        self.dtype
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when the array has no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The elements as native-endian bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &bytemuck::cast_slice(&self.words)[..self.len() * self.dtype.size()]
    }

    /// The elements as mutable native-endian bytes.
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        let n = self.len() * self.dtype.size();
        &mut bytemuck::cast_slice_mut(&mut self.words)[..n]
    }

    /// The elements as `&[T]`; fails when `T` is not the array's type.
    pub fn as_slice<T: Sample>(&self) -> Result<&[T]> {
        self.check::<T>()?;
        Ok(bytemuck::cast_slice(self.as_bytes()))
    }

    /// The elements as `&mut [T]`; fails when `T` is not the array's type.
    pub fn as_mut_slice<T: Sample>(&mut self) -> Result<&mut [T]> {
        self.check::<T>()?;
        Ok(bytemuck::cast_slice_mut(self.as_bytes_mut()))
    }

    fn check<T: Sample>(&self) -> Result<()> {
        if T::TYPE != self.dtype {
            return Err(Error::invalid(format!(
                "the array holds {} but {} was asked for",
                self.dtype,
                T::TYPE
            )));
        }
        Ok(())
    }

    /// Changes the shape to one with at most as many bytes as the storage holds, keeping the
    /// storage (batch buffers are reused this way); new elements are not cleared.
    pub(crate) fn reshape_within(&mut self, shape: &[usize]) -> Result<()> {
        let bytes = element_count(shape)? * self.dtype.size();
        if bytes > self.words.len() * 8 {
            return Err(Error::invalid(format!(
                "shape {shape:?} does not fit the array's storage"
            )));
        }
        self.shape = shape.to_vec();
        Ok(())
    }

    /// The array as a NumPy `.npy` file (native byte order, C order), the header written by
    /// the npy codec's writer exactly as `numpy.save` lays it out (format 1.0, or 2.0 when the
    /// header needs it). 1-D and 2-D arrays (labels) keep their shape.
    pub fn to_npy(&self) -> Vec<u8> {
        let header = crate::codecs::npy::header_bytes(self.dtype, &self.shape);
        let mut out = Vec::with_capacity(header.len() + self.as_bytes().len());
        out.extend_from_slice(&header);
        out.extend_from_slice(self.as_bytes());
        out
    }

    /// Writes the bytes of [`Array::to_npy`] to `path` atomically: the header, then the
    /// samples straight from the array (no copy into one buffer first; a batch of 32 images
    /// of 224x224x3 `F32` is 19 MB).
    pub fn write_npy(&self, path: impl AsRef<Path>) -> Result<()> {
        let header = crate::codecs::npy::header_bytes(self.dtype, &self.shape);
        crate::io::write_atomic(path.as_ref(), |w| {
            w.write_all(&header)?;
            Ok(w.write_all(self.as_bytes())?)
        })
    }
}

/// Moves `C` channel planes between interleaved `(H, W, C)` and planar `(C, H, W)`, on
/// samples of `T` (used as plain bit containers of the sample size).
fn transpose<T: Copy>(src: &[T], dst: &mut [T], hw: usize, c: usize, to_planar: bool) {
    if to_planar {
        for (p, px) in src.chunks_exact(c).enumerate() {
            for (k, &v) in px.iter().enumerate() {
                dst[k * hw + p] = v;
            }
        }
    } else {
        for (p, px) in dst.chunks_exact_mut(c).enumerate() {
            for (k, v) in px.iter_mut().enumerate() {
                *v = src[k * hw + p];
            }
        }
    }
}

fn transpose_bytes(src: &[u8], dst: &mut [u8], size: usize, hw: usize, c: usize, to_planar: bool) {
    match size {
        1 => transpose::<u8>(src, dst, hw, c, to_planar),
        2 => transpose::<u16>(
            bytemuck::cast_slice(src),
            bytemuck::cast_slice_mut(dst),
            hw,
            c,
            to_planar,
        ),
        4 => transpose::<u32>(
            bytemuck::cast_slice(src),
            bytemuck::cast_slice_mut(dst),
            hw,
            c,
            to_planar,
        ),
        _ => transpose::<u64>(
            bytemuck::cast_slice(src),
            bytemuck::cast_slice_mut(dst),
            hw,
            c,
            to_planar,
        ),
    }
}

/// Keras' `img_to_array`: the image as an array of `dtype` (Keras uses `F32`), shape
/// `(H, W, C)` or `(C, H, W)` (Gray images have `C = 1`, as Keras). Values are carried over
/// exactly ([`convert::cast`]: `U8`/`U16` to `F32` always fits; an impossible cast fails
/// naming the first value); nothing is rescaled (Keras does not rescale either).
pub fn to_array(img: &ImageRef<'_>, dtype: SampleType, order: ChannelOrder) -> Result<Array> {
    let (w, h, c) = (img.width() as usize, img.height() as usize, img.format().channels());
    let cast;
    let src = if img.format().sample == dtype {
        img.contiguous_bytes()
    } else {
        cast = convert::cast(img, dtype)?;
        std::borrow::Cow::Borrowed(cast.as_bytes())
    };
    let shape = match order {
        ChannelOrder::Last => [h, w, c],
        ChannelOrder::First => [c, h, w],
    };
    let mut a = Array::zeros(&shape, dtype)?;
    match order {
        ChannelOrder::Last => a.as_bytes_mut().copy_from_slice(&src),
        ChannelOrder::First => transpose_bytes(&src, a.as_bytes_mut(), dtype.size(), w * h, c, true),
    }
    Ok(a)
}

/// How [`from_array`] and [`save`] get values into the target sample type.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ScalePolicy {
    /// No rescaling (the default): values are cast exactly, and the first value that the
    /// target type cannot hold is an error naming it and its position.
    #[default]
    None,
    /// Min-max: the smallest value maps to the low end of the target range, the largest to
    /// the high end (as [`Scale::MinMax`]). Keras' `scale=True` only shifts when the minimum
    /// is negative and divides by the maximum, then truncates; this maps min..max onto the
    /// whole range and rounds half to even. For data with minimum 0 (labels 0..5) the two agree.
    MinMax,
    /// A fixed input range `lo..hi` mapped onto the target type's range (`0..1` into `U8`
    /// gives 0..255); a value outside `lo..hi` is an error naming it.
    Range(f64, f64),
}

impl std::str::FromStr for ScalePolicy {
    type Err = Error;
    /// `none`, `minmax` (or `min-max`, `min_max`), or a range `LO..HI` of two finite numbers
    /// (`0..1`, `-1..1`).
    fn from_str(s: &str) -> Result<Self> {
        let range = s.split_once("..").and_then(|(lo, hi)| {
            let (lo, hi) = (lo.trim().parse::<f64>().ok()?, hi.trim().parse::<f64>().ok()?);
            (lo.is_finite() && hi.is_finite()).then_some(ScalePolicy::Range(lo, hi))
        });
        if let Some(range) = range {
            return Ok(range);
        }
        let names: &[(&[&str], ScalePolicy)] = &[
            (&["none"], ScalePolicy::None),
            (&["minmax", "min-max", "min_max"], ScalePolicy::MinMax),
        ];
        super::parse::choose("scale policy", s, names).map_err(|_| {
            Error::invalid(format!(
                "unknown scale policy '{s}' (none, minmax, or a range LO..HI such as 0..1)"
            ))
        })
    }
}

fn apply_policy(img: &ImageRef<'_>, dtype: SampleType, policy: ScalePolicy) -> Result<Image> {
    match policy {
        ScalePolicy::None => convert::cast(img, dtype),
        ScalePolicy::MinMax => convert::scale(img, dtype, Scale::MinMax),
        ScalePolicy::Range(lo, hi) => convert::scale(img, dtype, Scale::range(lo, hi)),
    }
}

/// Keras' `array_to_img` with the rescaling made explicit: an array of shape `(H, W)`,
/// `(H, W, C)` or `(C, H, W)` (per `order`; C in 1..=4) becomes an image of `dtype`, values
/// moved as `policy` says. The default [`ScalePolicy::None`] never changes a value.
pub fn from_array(arr: &Array, order: ChannelOrder, dtype: SampleType, policy: ScalePolicy) -> Result<Image> {
    let s = arr.shape();
    let (h, w, c) = match (s.len(), order) {
        (2, _) => (s[0], s[1], 1),
        (3, ChannelOrder::Last) => (s[0], s[1], s[2]),
        (3, ChannelOrder::First) => (s[1], s[2], s[0]),
        _ => {
            return Err(Error::invalid(format!(
                "an image array has shape (H, W), (H, W, C) or (C, H, W); got {s:?}"
            )))
        }
    };
    let layout = Layout::from_channels(c).ok_or_else(|| {
        Error::invalid(format!(
            "an image array has 1 to 4 channels (Gray, GrayAlpha, Rgb, Rgba), this one has {c}"
        ))
    })?;
    let (wu, hu) = (
        u32::try_from(w).map_err(|_| Error::invalid("array too wide"))?,
        u32::try_from(h).map_err(|_| Error::invalid("array too tall"))?,
    );
    let format = PixelFormat::new(layout, arr.dtype());
    let planar;
    let bytes = if order == ChannelOrder::First && c > 1 && s.len() == 3 {
        let mut t = vec![0u64; arr.as_bytes().len().div_ceil(8)];
        let tb: &mut [u8] = &mut bytemuck::cast_slice_mut(&mut t)[..arr.as_bytes().len()];
        transpose_bytes(arr.as_bytes(), tb, arr.dtype().size(), w * h, c, false);
        planar = t;
        &bytemuck::cast_slice(&planar)[..arr.as_bytes().len()]
    } else {
        arr.as_bytes()
    };
    let view = ImageRef::new(bytes, wu, hu, format, w * format.bytes_per_pixel())?;
    apply_policy(&view, dtype, policy)
}

/// What [`save`] does.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct SaveOptions {
    /// Format (codec name, format, extension or MIME type); `None` = the path's extension.
    pub format: Option<String>,
    /// Rescaling before encoding; [`ScalePolicy::None`] (default) encodes the values as they
    /// are, under the encode rules (an encoder that cannot hold them refuses, naming what it
    /// can hold).
    pub scale: ScalePolicy,
    /// Sample type to scale into when `scale` is not `None` (default `U8`, as Keras).
    pub dtype: Option<SampleType>,
    /// Encoder options (quality, require_exact, verify, …).
    pub encode: EncodeOptions,
}

impl SaveOptions {
    /// Defaults: format from the extension, no rescaling.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the format.
    pub fn format(mut self, f: &str) -> Self {
        self.format = Some(f.to_string());
        self
    }
    /// Sets the scale policy.
    pub fn scale(mut self, p: ScalePolicy) -> Self {
        self.scale = p;
        self
    }
    /// Sets the sample type to scale into.
    pub fn dtype(mut self, t: SampleType) -> Self {
        self.dtype = Some(t);
        self
    }
    /// Sets the encoder options.
    pub fn encode(mut self, e: EncodeOptions) -> Self {
        self.encode = e;
        self
    }
}

/// Keras' `save_img`, exact by default: writes `img` atomically with the format from the
/// extension (or [`SaveOptions::format`]). With [`ScalePolicy::None`] the pixels go to the
/// encoder unchanged and the encode rules apply: saving `F32` data to PNG fails, explaining
/// that PNG holds `U8`/`U16` and that a scale policy converts on purpose. With a policy the
/// image is first scaled into [`SaveOptions::dtype`] (default `U8`). Lossy formats (JPEG) are
/// used only when asked for by name or extension, and the report says so.
pub fn save(img: &ImageRef<'_>, path: impl AsRef<Path>, opts: &SaveOptions) -> Result<EncodeReport> {
    let path = path.as_ref();
    let registry = Registry::global();
    let scaled;
    let view = match opts.scale {
        ScalePolicy::None => *img,
        p => {
            scaled = apply_policy(img, opts.dtype.unwrap_or(SampleType::U8), p)?;
            scaled.as_ref()
        }
    };
    let result = match &opts.format {
        Some(f) => registry.write_as(view, path, f, &opts.encode),
        None => registry.write(view, path, &opts.encode),
    };
    result.map_err(|e| match e {
        Error::NotExact(m) if opts.scale == ScalePolicy::None => Error::NotExact(format!(
            "{m}. save never rescales implicitly: pass ScalePolicy::MinMax or ScalePolicy::Range(lo, hi) to \
             convert {} values into {} on purpose",
            view.format().sample,
            opts.dtype.unwrap_or(SampleType::U8)
        )),
        other => other,
    })
}

/// [`from_array`] in the array's own type followed by [`save`] (which applies the policy).
pub fn save_array(
    arr: &Array,
    order: ChannelOrder,
    path: impl AsRef<Path>,
    opts: &SaveOptions,
) -> Result<EncodeReport> {
    let img = from_array(arr, order, arr.dtype(), ScalePolicy::None)?;
    save(&img.as_ref(), path, opts)
}
