//! Pixel comparison: bit-exact equality, largest difference and PSNR.

use crate::codec::Verification;
use crate::error::{Error, Result};
use crate::image::ImageRef;
use crate::sample::SampleType;

/// Calls `f` with each sample of a row of pixel bytes, as f64.
pub fn for_each_sample_f64(row: &[u8], sample: SampleType, mut f: impl FnMut(f64)) {
    macro_rules! each {
        ($t:ty) => {
            for c in row.chunks_exact(std::mem::size_of::<$t>()) {
                f(bytemuck::pod_read_unaligned::<$t>(c) as f64)
            }
        };
    }
    match sample {
        SampleType::U8 => row.iter().for_each(|&b| f(b as f64)),
        SampleType::U16 => each!(u16),
        SampleType::U32 => each!(u32),
        SampleType::U64 => each!(u64),
        SampleType::I8 => each!(i8),
        SampleType::I16 => each!(i16),
        SampleType::I32 => each!(i32),
        SampleType::I64 => each!(i64),
        SampleType::F32 => each!(f32),
        SampleType::F64 => each!(f64),
        SampleType::F16 => {
            for c in row.chunks_exact(2) {
                f(bytemuck::pod_read_unaligned::<half::f16>(c).to_f64())
            }
        }
    }
}

/// Compares two images of equal size and format. `identical` is bit equality; the
/// PSNR uses the sample type's full range (0..1 for floats).
pub fn compare(a: &ImageRef<'_>, b: &ImageRef<'_>) -> Result<Verification> {
    if (a.width(), a.height(), a.format()) != (b.width(), b.height(), b.format()) {
        return Err(Error::invalid(format!(
            "cannot compare {}x{} {} with {}x{} {}",
            a.width(),
            a.height(),
            a.format(),
            b.width(),
            b.height(),
            b.format()
        )));
    }
    if a.pixels_eq(b) {
        return Ok(Verification {
            identical: true,
            max_abs_diff: 0.0,
            psnr_db: f64::INFINITY,
        });
    }
    let sample = a.format().sample;
    let (mut max, mut sum_sq, mut n) = (0f64, 0f64, 0u64);
    let mut va = Vec::with_capacity(a.row_bytes() / sample.size());
    for y in 0..a.height() {
        va.clear();
        for_each_sample_f64(a.row(y), sample, |x| va.push(x));
        let mut i = 0;
        for_each_sample_f64(b.row(y), sample, |x| {
            let d = (va[i] - x).abs();
            let d = if d.is_nan() { f64::INFINITY } else { d };
            max = max.max(d);
            sum_sq += d * d;
            i += 1;
        });
        n += i as u64;
    }
    let peak = if sample.is_float() {
        1.0
    } else {
        sample.range().1 - sample.range().0
    };
    let mse = sum_sq / n.max(1) as f64;
    Ok(Verification {
        identical: false,
        max_abs_diff: max,
        psnr_db: 10.0 * (peak * peak / mse).log10(),
    })
}
