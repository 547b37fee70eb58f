//! TensorFlow's `resize_bilinear` with half-pixel centres and no antialias: what
//! `tf.image.resize(..., "bilinear", antialias=False)` and so Keras'
//! `image_dataset_from_directory` compute. It reads 8-bit, 16-bit or `f32` samples and writes
//! `f32` straight into the destination, so a dataset never makes a full-size `f32` copy of a
//! decoded image. The arithmetic is TensorFlow's, in its order, in `f32`: for each output
//! position `in = (i + 0.5) * (in_size / out_size) - 0.5`, the taps `max(floor(in), 0)` and
//! `min(ceil(in), in_size - 1)`, the weight `in - floor(in)`; then
//! `top = tl + (tr - tl) * x`, `bottom = bl + (br - bl) * x`, `top + (bottom - top) * y`.

use crate::error::{Error, Result};
use crate::format::PixelFormat;
use crate::image::{ImageMut, ImageRef};
use crate::sample::SampleType;

use super::resize::{Geometry, Interpolation, ResizeOptions};

/// Whether [`resize_to_f32`] computes this resize: bilinear without antialias into `F32` of
/// the same layout, from `U8`, `U16` or `F32`, with the source crop cut out before filtering
/// (or no crop at all).
pub(crate) fn applies(
    src: PixelFormat,
    dst: PixelFormat,
    opts: &ResizeOptions,
    g: &Geometry,
    full: (u32, u32),
) -> bool {
    opts.interpolation == Interpolation::Bilinear
        && !opts.antialias
        && dst.sample == SampleType::F32
        && src.layout == dst.layout
        && matches!(src.sample, SampleType::U8 | SampleType::U16 | SampleType::F32)
        && (g.slice || g.crop == (0, 0, full.0, full.1))
}

/// One output position's source taps and the weight of the upper one.
#[derive(Debug, Clone, Copy)]
struct Tap {
    lower: usize,
    upper: usize,
    lerp: f32,
}

/// TensorFlow's `compute_interpolation_weights` with its `HalfPixelScaler`.
fn taps(out: u32, input: u32) -> Vec<Tap> {
    let scale = input as f32 / out as f32;
    (0..out)
        .map(|i| {
            let x = (i as f32 + 0.5) * scale - 0.5;
            let f = x.floor();
            Tap {
                lower: (f as i64).max(0) as usize,
                upper: (x.ceil() as i64).min(i64::from(input) - 1).max(0) as usize,
                lerp: x - f,
            }
        })
        .collect()
}

/// Pixels of one source row as `f32` samples.
trait Row: Copy {
    /// The `C` samples from sample index `i` on.
    fn pixel<const C: usize>(self, i: usize) -> [f32; C];
}

impl Row for &[u8] {
    #[inline(always)]
    fn pixel<const C: usize>(self, i: usize) -> [f32; C] {
        let p: &[u8; C] = self[i..i + C].try_into().expect("C samples");
        p.map(f32::from)
    }
}

/// A row of native-endian 16-bit or 32-bit samples read through its bytes (the source may
/// be unaligned).
#[derive(Clone, Copy)]
struct Wide<'a, const N: usize>(&'a [u8]);

impl Row for Wide<'_, 2> {
    #[inline(always)]
    fn pixel<const C: usize>(self, i: usize) -> [f32; C] {
        let b = &self.0[2 * i..2 * (i + C)];
        std::array::from_fn(|k| f32::from(u16::from_ne_bytes([b[2 * k], b[2 * k + 1]])))
    }
}

impl Row for Wide<'_, 4> {
    #[inline(always)]
    fn pixel<const C: usize>(self, i: usize) -> [f32; C] {
        let b = &self.0[4 * i..4 * (i + C)];
        std::array::from_fn(|k| f32::from_ne_bytes([b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3]]))
    }
}

/// TensorFlow's horizontal step for one source row: `out[x * C + k] = l + (r - l) * lerp`
/// (its `top` or `bottom`), `xs` holding each output column's sample offsets and weight.
#[inline(always)]
fn horizontal<const C: usize>(row: impl Row, xs: &[(usize, usize, f32)], out: &mut [f32]) {
    for (o, &(l, u, w)) in out.chunks_exact_mut(C).zip(xs) {
        let (left, right) = (row.pixel::<C>(l), row.pixel::<C>(u));
        for k in 0..C {
            o[k] = left[k] + (right[k] - left[k]) * w;
        }
    }
}

/// [`horizontal`] for the row's sample type and `c` channels (1 to 4), in AVX2 code where the
/// CPU has it (the same operations in the same order: no FMA, so the results are equal).
fn horizontal_any(src: &ImageRef<'_>, y: u32, xs: &[(usize, usize, f32)], c: usize, out: &mut [f32]) -> Result<()> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { horizontal_avx2(src, y, xs, c, out) };
    }
    horizontal_portable(src, y, xs, c, out)
}

/// [`horizontal_portable`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn horizontal_avx2(
    src: &ImageRef<'_>,
    y: u32,
    xs: &[(usize, usize, f32)],
    c: usize,
    out: &mut [f32],
) -> Result<()> {
    horizontal_portable(src, y, xs, c, out)
}

/// [`horizontal`] for the row's sample type and `c` channels (1 to 4).
#[inline(always)]
fn horizontal_portable(
    src: &ImageRef<'_>,
    y: u32,
    xs: &[(usize, usize, f32)],
    c: usize,
    out: &mut [f32],
) -> Result<()> {
    let row = src.row(y);
    macro_rules! by_channels {
        ($r:expr) => {
            match c {
                1 => horizontal::<1>($r, xs, out),
                2 => horizontal::<2>($r, xs, out),
                3 => horizontal::<3>($r, xs, out),
                4 => horizontal::<4>($r, xs, out),
                _ => return Err(Error::invalid(format!("bilinear resize of {c} channels"))),
            }
        };
    }
    match src.format().sample {
        SampleType::U8 => by_channels!(row),
        SampleType::U16 => by_channels!(Wide::<2>(row)),
        SampleType::F32 => by_channels!(Wide::<4>(row)),
        other => return Err(Error::invalid(format!("bilinear resize of {other} samples"))),
    }
    Ok(())
}

/// Resizes the crop `g.crop` of `src` into the rectangle `g.content` of the `F32` image
/// `dst` (same layout) with TensorFlow's bilinear arithmetic; the rest of `dst` is zeros.
/// Separable: each source row a output row needs is interpolated horizontally once (kept
/// while consecutive output rows share it), then each output row is the vertical step
/// between two of them; the operations and their order are TensorFlow's, so the result is
/// the same to the bit. Check [`applies`] first.
pub(crate) fn resize_to_f32(src: &ImageRef<'_>, dst: &mut ImageMut<'_>, g: &Geometry) -> Result<()> {
    let (sf, df) = (src.format(), dst.format());
    if df.sample != SampleType::F32 || sf.layout != df.layout {
        return Err(Error::invalid(format!("bilinear resize from {sf} into {df}")));
    }
    let c = sf.channels();
    let (cl, ct, cw, ch) = g.crop;
    let (dl, dt, dw, dh) = g.content;
    if cw == 0 || ch == 0 || cl + cw > src.width() || ct + ch > src.height() {
        return Err(Error::invalid("bilinear resize: the crop lies outside the source"));
    }
    if dl + dw > dst.width() || dt + dh > dst.height() {
        return Err(Error::invalid(
            "bilinear resize: the content lies outside the destination",
        ));
    }
    let xs: Vec<(usize, usize, f32)> = taps(dw, cw)
        .into_iter()
        .map(|t| ((cl as usize + t.lower) * c, (cl as usize + t.upper) * c, t.lerp))
        .collect();
    let ys = taps(dh, ch);
    let n = dw as usize * c;
    let dst_w = dst.width() as usize;
    // The horizontal results of two source rows (which ones: `held`).
    let (mut a, mut b) = (vec![0f32; n], vec![0f32; n]);
    let mut held: [Option<usize>; 2] = [None, None];
    let mut line = Vec::new();
    let (first, last) = (dl as usize * c, dl as usize * c + n);
    for y in 0..dst.height() {
        let bytes = &mut dst.row_mut(y)[..dst_w * c * 4];
        // Written in place when the row is f32-aligned, else through `line`.
        let direct = bytemuck::try_cast_slice_mut::<u8, f32>(bytes).is_ok();
        if !direct {
            line.resize(dst_w * c, 0f32);
        }
        let row: &mut [f32] = match bytemuck::try_cast_slice_mut::<u8, f32>(bytes) {
            Ok(f) => f,
            Err(_) => &mut line,
        };
        if !(dt..dt + dh).contains(&y) {
            row.fill(0.0);
        } else {
            let t = ys[(y - dt) as usize];
            // Moving down, the previous lower row often becomes the upper one.
            if held[0] != Some(t.lower) && held[1] == Some(t.lower) {
                std::mem::swap(&mut a, &mut b);
                held.swap(0, 1);
            }
            if held[0] != Some(t.lower) {
                horizontal_any(src, ct + t.lower as u32, &xs, c, &mut a)?;
                held[0] = Some(t.lower);
            }
            if held[1] != Some(t.upper) {
                if t.upper == t.lower {
                    b.copy_from_slice(&a);
                } else {
                    horizontal_any(src, ct + t.upper as u32, &xs, c, &mut b)?;
                }
                held[1] = Some(t.upper);
            }
            row[..first].fill(0.0);
            row[last..].fill(0.0);
            for ((o, &top), &bottom) in row[first..last].iter_mut().zip(&a).zip(&b) {
                *o = top + (bottom - top) * t.lerp;
            }
        }
        if !direct {
            for (d, v) in dst.row_mut(y).chunks_exact_mut(4).zip(&line) {
                d.copy_from_slice(&v.to_ne_bytes());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taps_are_tensorflows_half_pixel_weights() {
        // 4 -> 2: in = (i + 0.5) * 2 - 0.5 = 0.5, 2.5.
        let t = taps(2, 4);
        assert_eq!((t[0].lower, t[0].upper, t[0].lerp), (0, 1, 0.5));
        assert_eq!((t[1].lower, t[1].upper, t[1].lerp), (2, 3, 0.5));
        // 2 -> 4: in = -0.25 (clamped to 0 with weight 0.75 on the same pixel), 0.25, 0.75, 1.25.
        let t = taps(4, 2);
        assert_eq!((t[0].lower, t[0].upper, t[0].lerp), (0, 0, 0.75));
        assert_eq!((t[3].lower, t[3].upper, t[3].lerp), (1, 1, 0.25));
    }

    /// The AVX2 build of the horizontal pass (what runs on this machine) and the portable one
    /// (what runs without AVX2) give the same bits.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_portable_and_avx2_horizontal_passes_agree() {
        use crate::format::Layout;
        if !std::arch::is_x86_feature_detected!("avx2") {
            return; // no AVX2 build to compare with on this CPU
        }
        use crate::image::Image;
        for layout in [Layout::Gray, Layout::GrayAlpha, Layout::Rgb, Layout::Rgba] {
            for sample in [SampleType::U8, SampleType::U16, SampleType::F32] {
                let c = layout.channels();
                let mut img = Image::new(97, 2, PixelFormat::new(layout, sample)).unwrap();
                for (i, b) in img.as_bytes_mut().iter_mut().enumerate() {
                    *b = (i * 37 % 251) as u8 ^ 0x15;
                }
                let xs: Vec<(usize, usize, f32)> = taps(41, 97)
                    .into_iter()
                    .map(|t| (t.lower * c, t.upper * c, t.lerp))
                    .collect();
                let mut portable = vec![0f32; 41 * c];
                horizontal_portable(&img.as_ref(), 1, &xs, c, &mut portable).unwrap();
                let mut avx2 = vec![0f32; 41 * c];
                // SAFETY: the CPU supports AVX2 (checked above).
                unsafe { horizontal_avx2(&img.as_ref(), 1, &xs, c, &mut avx2) }.unwrap();
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&portable), bits(&avx2), "{layout} {sample}");
            }
        }
    }

    /// TensorFlow's formula pixel by pixel, straight from the source samples.
    fn reference(
        src: &[f32],
        sw: usize,
        c: usize,
        crop: (usize, usize, usize, usize),
        out: (usize, usize),
    ) -> Vec<f32> {
        let (cl, ct, cw, ch) = crop;
        let (xs, ys) = (taps(out.0 as u32, cw as u32), taps(out.1 as u32, ch as u32));
        let at = |x: usize, y: usize, k: usize| src[((ct + y) * sw + cl + x) * c + k];
        let mut v = Vec::new();
        for ty in &ys {
            for tx in &xs {
                for k in 0..c {
                    let top =
                        at(tx.lower, ty.lower, k) + (at(tx.upper, ty.lower, k) - at(tx.lower, ty.lower, k)) * tx.lerp;
                    let bottom =
                        at(tx.lower, ty.upper, k) + (at(tx.upper, ty.upper, k) - at(tx.lower, ty.upper, k)) * tx.lerp;
                    v.push(top + (bottom - top) * ty.lerp);
                }
            }
        }
        v
    }

    #[test]
    fn every_channel_count_and_sample_type_equals_the_formula_bit_for_bit() {
        use crate::format::Layout;
        use crate::image::Image;
        let (sw, sh) = (37usize, 23usize);
        let mut seed = 0x2545_f491_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for layout in [Layout::Gray, Layout::GrayAlpha, Layout::Rgb, Layout::Rgba] {
            let c = layout.channels();
            let values: Vec<u32> = (0..sw * sh * c).map(|_| next()).collect();
            for sample in [SampleType::U8, SampleType::U16, SampleType::F32] {
                let format = PixelFormat::new(layout, sample);
                let mut img = Image::new(sw as u32, sh as u32, format).unwrap();
                let src: Vec<f32> = match sample {
                    SampleType::U8 => {
                        let v: Vec<u8> = values.iter().map(|&x| x as u8).collect();
                        img.as_bytes_mut().copy_from_slice(&v);
                        v.iter().map(|&x| f32::from(x)).collect()
                    }
                    SampleType::U16 => {
                        let v: Vec<u16> = values.iter().map(|&x| x as u16).collect();
                        img.as_bytes_mut().copy_from_slice(bytemuck::cast_slice(&v));
                        v.iter().map(|&x| f32::from(x)).collect()
                    }
                    _ => {
                        let v: Vec<f32> = values.iter().map(|&x| (x % 100_000) as f32 / 7.0).collect();
                        img.as_bytes_mut().copy_from_slice(bytemuck::cast_slice(&v));
                        v
                    }
                };
                // Down, up and mixed, with and without a crop offset.
                for (crop, (ow, oh)) in [
                    ((0, 0, sw, sh), (11, 7)),
                    ((0, 0, sw, sh), (80, 51)),
                    ((5, 3, 20, 17), (9, 40)),
                    ((36, 22, 1, 1), (3, 2)),
                ] {
                    let g = Geometry {
                        crop: (crop.0 as u32, crop.1 as u32, crop.2 as u32, crop.3 as u32),
                        content: (0, 0, ow as u32, oh as u32),
                        slice: true,
                    };
                    let mut dst = Image::new(ow as u32, oh as u32, PixelFormat::new(layout, SampleType::F32)).unwrap();
                    resize_to_f32(&img.as_ref(), &mut dst.as_mut(), &g).unwrap();
                    let got: Vec<u32> = dst.as_slice::<f32>().unwrap().iter().map(|v| v.to_bits()).collect();
                    let want: Vec<u32> = reference(&src, sw, c, crop, (ow, oh))
                        .iter()
                        .map(|v| v.to_bits())
                        .collect();
                    assert_eq!(got, want, "{layout} {sample} crop {crop:?} to {ow}x{oh}");
                }
            }
        }
    }
}
