//! The `significant_bits` encode option: samples of fewer bits than their type, written as
//! 1, 2 or 4-bit gray (`Gray U8` with 1, 2 or 4 bits) or bit-replicated to the full depth with
//! an `sBIT` chunk (every other width below the type's). The decoder reads both back to the
//! same values with `ImageInfo::significant_bits` set (`decode.rs`).

use super::decode::replicate;
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::ImageRef;
use crate::sample::SampleType;

/// How an image is written for a `significant_bits` value of `n` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stored {
    /// The samples as they are (`n` is 0 or the type's width).
    Full,
    /// Packed `n`-bit gray (1, 2 or 4), MSB first, rows padded to a byte.
    SubByte(u32),
    /// Samples bit-replicated from `n` bits to the type's width, plus `sBIT` = `n`.
    Replicated(u32),
}

/// Checks `bits` against the image (a width of the sample type; every sample fits) and says
/// how it is stored. The error names the first sample that does not fit.
pub(super) fn plan(image: &ImageRef<'_>, bits: i64) -> Result<Stored> {
    let format = image.format();
    let width = format.sample.bits() as i64;
    if bits == 0 || bits == width {
        return Ok(Stored::Full);
    }
    if !(1..width).contains(&bits) {
        return Err(Error::invalid(format!(
            "option 'significant_bits' of codec png: {bits} bits for {} samples; use 1..={width} (0 = the type's width)",
            format.sample
        )));
    }
    let n = bits as u32;
    let max = (1u32 << n) - 1;
    let ch = format.channels();
    for y in 0..image.height() {
        let row = image.row(y);
        let first = match format.sample {
            SampleType::U16 => row
                .chunks_exact(2)
                .map(|c| u32::from(u16::from_ne_bytes([c[0], c[1]])))
                .position(|v| v > max)
                .map(|k| (k, u32::from(u16::from_ne_bytes([row[2 * k], row[2 * k + 1]])))),
            _ => row
                .iter()
                .position(|&v| u32::from(v) > max)
                .map(|k| (k, u32::from(row[k]))),
        };
        if let Some((k, v)) = first {
            return Err(Error::invalid(format!(
                "option 'significant_bits' of codec png: sample {v} at pixel ({}, {y}) channel {} does not fit {n} bits (0..={max})",
                k / ch,
                k % ch
            )));
        }
    }
    Ok(match (format.layout, format.sample, n) {
        (Layout::Gray, SampleType::U8, 1 | 2 | 4) => Stored::SubByte(n),
        _ => Stored::Replicated(n),
    })
}

/// Writes the image's rows as stored into `buf` and returns a view of them: for
/// [`Stored::SubByte`] a `Gray U8` view whose "pixels" are the packed bytes (PNG filters
/// sub-byte rows with a distance of one byte), for [`Stored::Replicated`] the replicated
/// samples in the image's own format.
pub(super) fn convert<'b>(image: &ImageRef<'_>, stored: Stored, buf: &'b mut Vec<u8>) -> Result<ImageRef<'b>> {
    let (w, h) = (image.width(), image.height());
    buf.clear();
    match stored {
        Stored::Full => unreachable!("full-width images are written as they are"),
        Stored::SubByte(n) => {
            let per_byte = (8 / n) as usize;
            let rb = (w as usize).div_ceil(per_byte);
            buf.reserve(rb * h as usize);
            for row in image.rows() {
                for chunk in row.chunks(per_byte) {
                    let mut b = 0u8;
                    for (i, &v) in chunk.iter().enumerate() {
                        b |= v << (8 - n as usize * (i + 1));
                    }
                    buf.push(b);
                }
            }
            ImageRef::new(buf, rb as u32, h, PixelFormat::new(Layout::Gray, SampleType::U8), rb)
        }
        Stored::Replicated(n) => {
            let format = image.format();
            let depth = format.sample.bits();
            let table: Vec<u32> = (0..1u32 << n).map(|x| replicate(x, n, depth)).collect();
            buf.reserve(image.row_bytes() * h as usize);
            for row in image.rows() {
                match format.sample {
                    SampleType::U16 => row.chunks_exact(2).for_each(|c| {
                        let v = table[usize::from(u16::from_ne_bytes([c[0], c[1]]))] as u16;
                        buf.extend_from_slice(&v.to_ne_bytes());
                    }),
                    _ => buf.extend(row.iter().map(|&v| table[usize::from(v)] as u8)),
                }
            }
            ImageRef::new(buf, w, h, format, image.row_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replication_examples() {
        assert_eq!(replicate(1, 1, 8), 255);
        assert_eq!(replicate(2, 2, 8), 0xaa);
        assert_eq!(replicate(0xabc, 12, 16), 0xabca);
        assert_eq!(replicate(0b101, 3, 8), 0b1011_0110);
        assert_eq!(replicate(0b101, 3, 4), 0b1011);
        for v in 0..4096u32 {
            assert_eq!(replicate(v, 12, 16), (v << 4) | (v >> 8));
        }
    }

    #[test]
    fn sub_byte_rows_are_packed_msb_first_and_padded() {
        let px = [1u8, 0, 1, 1, 0, 0, 0, 0, 1, 1];
        let img = ImageRef::from_samples(&px[..], 10, 1, Layout::Gray).unwrap();
        let mut buf = Vec::new();
        let v = convert(&img, Stored::SubByte(1), &mut buf).unwrap();
        assert_eq!(v.as_bytes(), &[0b1011_0000, 0b1100_0000]);
        let px = [3u8, 0, 2];
        let img = ImageRef::from_samples(&px[..], 3, 1, Layout::Gray).unwrap();
        let v = convert(&img, Stored::SubByte(2), &mut buf).unwrap();
        assert_eq!(v.as_bytes(), &[0b1100_1000]);
    }
}
