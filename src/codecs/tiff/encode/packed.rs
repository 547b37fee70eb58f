//! Packed samples for the `significant_bits` option: integer samples written at a stored
//! width narrower than their type (e.g. 12-bit samples of a `U16` image), MSB-first and back
//! to back as TIFF stores them, each row padded to a whole byte, with the horizontal
//! predictor taken on the samples modulo 2^bits. The decoder reads them back into the same
//! type (`decode/packed.rs`), so a 12-bit file round-trips as 12-bit.

use crate::error::{Error, Result};
use crate::image::ImageRef;
use crate::sample::SampleType;

/// The widths a sample type can be packed to so that it decodes back as the same type:
/// `U8`/`I8` 1..=8 bits, `U16`/`I16` 9..=16, `U32`/`I32` 17..=32.
fn widths(sample: SampleType) -> Option<std::ops::RangeInclusive<u32>> {
    match sample {
        SampleType::U8 | SampleType::I8 => Some(1..=8),
        SampleType::U16 | SampleType::I16 => Some(9..=16),
        SampleType::U32 | SampleType::I32 => Some(17..=32),
        _ => None,
    }
}

/// Checks that page `i` can be written with `bits` bits per sample: its type is an integer
/// type of 8..=32 bits whose width band holds `bits`, and every sample fits (`0..2^bits` or
/// `-2^(bits-1)..2^(bits-1)`). The error names the first value that does not fit.
pub(super) fn check(page: &ImageRef<'_>, i: usize, bits: u32) -> Result<()> {
    let format = page.format();
    let sample = format.sample;
    let Some(range) = widths(sample) else {
        return Err(Error::invalid(format!(
            "option 'significant_bits' of codec tiff: page {i} is {format}; packed widths are for 8, 16 and 32-bit integer samples"
        )));
    };
    if !range.contains(&bits) {
        return Err(Error::invalid(format!(
            "option 'significant_bits' of codec tiff: {bits} bits for {sample} samples of page {i} would decode as another type; use {}..={} for {sample}",
            range.start(),
            range.end()
        )));
    }
    let (lo, hi): (i64, i64) = if sample.is_signed_int() {
        (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1)
    } else {
        (0, (1i64 << bits) - 1)
    };
    let ch = format.channels();
    for y in 0..page.height() {
        let row = page.row(y);
        if let Some(k) = first_outside(row, sample, lo, hi) {
            return Err(Error::invalid(format!(
                "option 'significant_bits' of codec tiff: sample {} at pixel ({}, {y}) channel {} of page {i} does not fit {bits} bits ({lo}..={hi})",
                value(row, sample, k),
                k / ch,
                k % ch
            )));
        }
    }
    Ok(())
}

/// Sample `k` of a row of native-endian samples, widened to `i64`.
fn value(row: &[u8], sample: SampleType, k: usize) -> i64 {
    let s = sample.size();
    let b = &row[k * s..(k + 1) * s];
    match sample {
        SampleType::U8 => i64::from(b[0]),
        SampleType::I8 => i64::from(b[0] as i8),
        SampleType::U16 => i64::from(u16::from_ne_bytes([b[0], b[1]])),
        SampleType::I16 => i64::from(i16::from_ne_bytes([b[0], b[1]])),
        SampleType::U32 => i64::from(u32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
        _ => i64::from(i32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
    }
}

/// Index of the first sample of `row` outside `lo..=hi`.
fn first_outside(row: &[u8], sample: SampleType, lo: i64, hi: i64) -> Option<usize> {
    fn find<const N: usize>(row: &[u8], lo: i64, hi: i64, conv: impl Fn([u8; N]) -> i64) -> Option<usize> {
        row.chunks_exact(N).position(|c| {
            let v = conv(c.try_into().unwrap_or([0; N]));
            v < lo || v > hi
        })
    }
    match sample {
        SampleType::U8 => find::<1>(row, lo, hi, |b| i64::from(b[0])),
        SampleType::I8 => find::<1>(row, lo, hi, |b| i64::from(b[0] as i8)),
        SampleType::U16 => find::<2>(row, lo, hi, |b| i64::from(u16::from_ne_bytes(b))),
        SampleType::I16 => find::<2>(row, lo, hi, |b| i64::from(i16::from_ne_bytes(b))),
        SampleType::U32 => find::<4>(row, lo, hi, |b| i64::from(u32::from_ne_bytes(b))),
        _ => find::<4>(row, lo, hi, |b| i64::from(i32::from_ne_bytes(b))),
    }
}

/// Loads a row of native-endian samples into `vals` as their two's complement bit patterns.
fn load_row(row: &[u8], sample: SampleType, vals: &mut [u32]) {
    fn load<const N: usize>(row: &[u8], vals: &mut [u32], conv: impl Fn([u8; N]) -> u32) {
        for (v, c) in vals.iter_mut().zip(row.chunks_exact(N)) {
            *v = conv(c.try_into().unwrap_or([0; N]));
        }
    }
    match sample {
        SampleType::U8 => load::<1>(row, vals, |b| u32::from(b[0])),
        SampleType::I8 => load::<1>(row, vals, |b| i32::from(b[0] as i8) as u32),
        SampleType::U16 => load::<2>(row, vals, |b| u32::from(u16::from_ne_bytes(b))),
        SampleType::I16 => load::<2>(row, vals, |b| i32::from(i16::from_ne_bytes(b)) as u32),
        _ => load::<4>(row, vals, u32::from_ne_bytes),
    }
}

/// Bytes of one packed row of `samples` samples.
pub(super) fn row_bytes(samples: usize, bits: u32) -> usize {
    (samples * bits as usize).div_ceil(8)
}

/// Replaces the contents of `out` with rows `y..y + n` of `page` packed to `bits` bits per
/// sample (values already checked by [`check`]), predicted first when `predictor` is set.
pub(super) fn pack_rows(page: &ImageRef<'_>, y: u32, n: u32, bits: u32, predictor: bool, out: &mut Vec<u8>) {
    let format = page.format();
    let ch = format.channels();
    let samples = page.width() as usize * ch;
    let rb = row_bytes(samples, bits);
    let mask = if bits == 32 { u32::MAX } else { (1u32 << bits) - 1 };
    out.clear();
    out.resize(rb * n as usize, 0);
    let mut vals = vec![0u32; samples];
    for (r, dst) in (y..y + n).zip(out.chunks_exact_mut(rb.max(1))) {
        // Two's complement truncated to `bits`: signed values keep their stored pattern.
        load_row(page.row(r), format.sample, &mut vals);
        vals.iter_mut().for_each(|v| *v &= mask);
        if predictor {
            for k in (ch..samples).rev() {
                vals[k] = vals[k].wrapping_sub(vals[k - ch]) & mask;
            }
        }
        pack_row(&vals, bits, dst);
    }
}

/// Packs samples of `bits` bits MSB-first into `dst` (zeroed, [`row_bytes`] long).
fn pack_row(vals: &[u32], bits: u32, dst: &mut [u8]) {
    if bits == 12 {
        // Two samples in every three bytes.
        let mut pairs = vals.chunks_exact(2);
        for (v, d) in (&mut pairs).zip(dst.chunks_exact_mut(3)) {
            d[0] = (v[0] >> 4) as u8;
            d[1] = ((v[0] & 0xF) << 4 | v[1] >> 8) as u8;
            d[2] = v[1] as u8;
        }
        if let [last] = pairs.remainder() {
            let at = (vals.len() - 1) / 2 * 3;
            dst[at] = (last >> 4) as u8;
            dst[at + 1] = ((last & 0xF) << 4) as u8;
        }
        return;
    }
    let mut acc: u64 = 0;
    let mut have: u32 = 0;
    let mut o = 0;
    for &v in vals {
        acc = (acc << bits) | u64::from(v);
        have += bits;
        while have >= 8 {
            have -= 8;
            dst[o] = (acc >> have) as u8;
            o += 1;
        }
    }
    if have > 0 {
        dst[o] = (acc << (8 - have)) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Layout;
    use crate::image::Image;

    #[test]
    fn rows_pack_msb_first_and_pad_to_a_byte() {
        let mut dst = [0u8; 3];
        pack_row(&[0xABC, 0x123], 12, &mut dst);
        assert_eq!(dst, [0xAB, 0xC1, 0x23]);
        let mut dst = [0u8; 5];
        pack_row(&[0xABC, 0x123, 0xFED], 12, &mut dst);
        assert_eq!(dst, [0xAB, 0xC1, 0x23, 0xFE, 0xD0]);
        let mut dst = [0u8; 2];
        pack_row(&[1, 0, 1, 1, 0, 0, 0, 1, 1], 1, &mut dst);
        assert_eq!(dst, [0b1011_0001, 0b1000_0000]);
    }

    #[test]
    fn values_outside_the_width_are_named() {
        let img = Image::from_samples::<i16>(2, 1, Layout::Gray, &[-2048, 2048]).unwrap();
        let err = check(&img.as_ref(), 0, 12).unwrap_err().to_string();
        assert!(err.contains("sample 2048 at pixel (1, 0)"), "{err}");
        assert!(check(&img.as_ref(), 0, 13).is_ok());
        let err = check(&img.as_ref(), 0, 8).unwrap_err().to_string();
        assert!(err.contains("use 9..=16"), "{err}");
    }
}
