//! Packed integer samples of any width 1..=32 bits that is not a whole byte type (2, 4, 10,
//! 12, 14, 24-bit, ...), read by pixcodec itself because the `tiff` crate refuses them; also
//! planar tiles of 8/16/32-bit integers, which the crate misreads when they overhang the
//! image.
//!
//! TIFF stores such samples MSB-first, back to back, each row of a strip or tile padded to a
//! whole byte. This reader takes the page's strips or tiles (chunky or planar) straight from
//! the file, decompresses each (none, LZW, Deflate, PackBits, ZSTD: `strips::decompress`),
//! unpacks every row into whole integers, undoes the horizontal predictor on the unpacked
//! samples (modulo 2^bits, per channel), sign-extends `SampleFormat` 2 and writes the values
//! into the next wider pixcodec type (8, 16 or 32 bits) in the caller's buffer. Bands of
//! chunks (a strip, or a row of tiles) own disjoint output rows, so they are decoded on
//! rayon's pool when pixcodec's parallelism rule allows it.

use std::io::{Read, Seek, SeekFrom};

use rayon::prelude::*;
use tiff::tags::Tag;

use super::ifd::tag_u16;
use super::strips::decompress;
use super::{guarded, unsupported, TiffDecoder};
use crate::codecs::tiff::NAME;
use crate::error::{Error, Result};
use crate::image::ImageMut;
use crate::sample::SampleType;

/// The pixcodec sample type that holds `bits`-bit samples exactly (`signed` for
/// `SampleFormat` 2): the next wider of 8, 16 and 32 bits; `None` above 32 bits.
pub(super) fn wider_type(bits: u16, signed: bool) -> Option<SampleType> {
    Some(match (bits, signed) {
        (1..=8, false) => SampleType::U8,
        (1..=8, true) => SampleType::I8,
        (9..=16, false) => SampleType::U16,
        (9..=16, true) => SampleType::I16,
        (17..=32, false) => SampleType::U32,
        (17..=32, true) => SampleType::I32,
        _ => return None,
    })
}

/// Whether pixcodec's packed reader decodes a page with this compression.
pub(super) fn compression_supported(compression: u16) -> bool {
    matches!(compression, 1 | 5 | 8 | 32946 | 32773 | 50000)
}

/// Geometry of a packed page: chunk size, how many chunks, and where their bytes are.
struct Plan {
    /// Chunk (strip or tile) width and height in pixels.
    chunk_w: usize,
    chunk_h: usize,
    /// Chunks per band (across) and bands (down).
    across: usize,
    down: usize,
    /// Samples per pixel inside one chunk (1 for planar pages).
    spp: usize,
    /// Planes (the channel count for planar pages, else 1).
    planes: usize,
    /// Bytes of one packed chunk row.
    row_bytes: usize,
    tiles: bool,
    predictor: bool,
    offsets: Vec<u64>,
    counts: Vec<u64>,
}

impl TiffDecoder<'_> {
    /// Decodes the current packed page into `out` (shape already checked by the caller).
    pub(super) fn read_packed(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        let plan = self.packed_plan()?;
        let p = self.page;
        let (w, h) = (p.width as usize, p.height as usize);
        let file_len = match self.bytes {
            Some(b) => b.len() as u64,
            None => self.dec.inner().seek(SeekFrom::End(0))?,
        };
        let what = if plan.tiles { "tile" } else { "strip" };
        for (i, (&off, &count)) in plan.offsets.iter().zip(&plan.counts).enumerate() {
            if off.checked_add(count).is_none_or(|end| end > file_len) {
                return Err(Error::decode(
                    NAME,
                    format!(
                        "{what} {i} claims {count} bytes at offset {off}, past the end of the {file_len}-byte file"
                    ),
                ));
            }
        }
        // One decompressed chunk and one row of unpacked samples per band job.
        let chunk_bytes = (plan.row_bytes as u64).saturating_mul(plan.chunk_h as u64);
        let row_vals = (plan.chunk_w as u64).saturating_mul(plan.spp as u64 * 4);
        self.limits.check_alloc(chunk_bytes.saturating_add(row_vals))?;

        let held;
        let (file, ranges): (&[u8], Vec<std::ops::Range<usize>>) = match self.bytes {
            Some(b) => {
                let ranges = plan
                    .offsets
                    .iter()
                    .zip(&plan.counts)
                    .map(|(&off, &count)| off as usize..(off + count) as usize)
                    .collect();
                (b, ranges)
            }
            None => {
                let total = plan.counts.iter().try_fold(0u64, |a, &c| a.checked_add(c));
                let total = total.ok_or_else(|| Error::decode(NAME, format!("{what} byte counts overflow")))?;
                self.limits.check_alloc(total)?;
                let total = usize::try_from(total).map_err(|_| Error::Limits(format!("{what}s too large")))?;
                let mut v = Vec::new();
                v.try_reserve_exact(total)
                    .map_err(|_| Error::Limits(format!("cannot allocate {total} bytes for the TIFF {what}s")))?;
                v.resize(total, 0u8);
                let mut ranges = Vec::with_capacity(plan.counts.len());
                let mut at = 0usize;
                let reader = self.dec.inner();
                for (i, (&off, &count)) in plan.offsets.iter().zip(&plan.counts).enumerate() {
                    let c = count as usize;
                    reader.seek(SeekFrom::Start(off))?;
                    reader
                        .read_exact(&mut v[at..at + c])
                        .map_err(|e| Error::decode(NAME, format!("truncated TIFF data in {what} {i}: {e}")))?;
                    ranges.push(at..at + c);
                    at += c;
                }
                held = v;
                (&held[..], ranges)
            }
        };

        let job = Job {
            plan: &plan,
            file,
            ranges: &ranges,
            width: w,
            height: h,
            bits: u32::from(p.bits),
            little_endian: self.dec.byte_order() == tiff::tags::ByteOrder::LittleEndian,
            signed: p.format.sample.is_signed_int(),
            size: p.format.sample.size(),
            channels: p.format.channels(),
            stride: out.stride(),
            compression: p.compression,
        };
        let band_bytes = out.stride() * plan.chunk_h;
        let data = out.as_bytes_mut();
        let call = crate::parallel::Call::begin();
        let run = |(band, dst): (usize, &mut [u8])| job.band(band, dst);
        if plan.down > 1 && call.split(true, (w * h * job.size * job.channels) as u64) {
            data.par_chunks_mut(band_bytes.max(1)).enumerate().try_for_each(run)
        } else {
            data.chunks_mut(band_bytes.max(1)).enumerate().try_for_each(run)
        }
    }

    /// Reads the chunk layout and predictor of the current packed page.
    fn packed_plan(&mut self) -> Result<Plan> {
        let p = self.page;
        let (w, h) = (p.width as usize, p.height as usize);
        let channels = p.format.channels();
        let (spp, planes) = if p.planar { (1, channels) } else { (channels, 1) };
        let predictor = match tag_u16(&mut self.dec, Tag::Predictor, 1)? {
            1 => false,
            2 => true,
            3 => return Err(unsupported("floating-point predictor (3) on integer samples")),
            v => return Err(unsupported(format!("predictor {v}"))),
        };
        let tiles = self.dec.get_chunk_type() == tiff::decoder::ChunkType::Tile;
        let (chunk_w, chunk_h, offsets_tag, counts_tag) = if tiles {
            let tw = guarded(|| self.dec.find_tag_unsigned::<u32>(Tag::TileWidth))?;
            let tl = guarded(|| self.dec.find_tag_unsigned::<u32>(Tag::TileLength))?;
            let (Some(tw), Some(tl)) = (tw, tl) else {
                return Err(Error::decode(NAME, "tiled page without TileWidth or TileLength"));
            };
            if tw == 0 || tl == 0 {
                return Err(Error::decode(NAME, format!("tiles of {tw}x{tl} pixels")));
            }
            (tw as usize, tl as usize, Tag::TileOffsets, Tag::TileByteCounts)
        } else {
            let rps = guarded(|| self.dec.find_tag_unsigned::<u32>(Tag::RowsPerStrip))?
                .unwrap_or(p.height)
                .clamp(1, p.height.max(1));
            (w, rps as usize, Tag::StripOffsets, Tag::StripByteCounts)
        };
        let what = if tiles { "tile" } else { "strip" };
        let offsets = guarded(|| self.dec.find_tag_unsigned_vec::<u64>(offsets_tag))?;
        let counts = guarded(|| self.dec.find_tag_unsigned_vec::<u64>(counts_tag))?;
        let (Some(offsets), Some(counts)) = (offsets, counts) else {
            return Err(Error::decode(
                NAME,
                format!("page without {what} offsets or byte counts"),
            ));
        };
        let across = w.div_ceil(chunk_w);
        let down = h.div_ceil(chunk_h);
        let chunks = across * down * planes;
        if offsets.len() < chunks || counts.len() < chunks {
            return Err(Error::decode(
                NAME,
                format!(
                    "{} {what} offsets and {} byte counts for {chunks} {what}s",
                    offsets.len(),
                    counts.len()
                ),
            ));
        }
        let row_bits = (chunk_w as u64)
            .checked_mul(spp as u64 * u64::from(p.bits))
            .ok_or_else(|| Error::Limits(format!("{what} rows of {chunk_w} pixels")))?;
        let row_bytes = usize::try_from(row_bits.div_ceil(8))
            .map_err(|_| Error::Limits(format!("{what} rows of {chunk_w} pixels")))?;
        Ok(Plan {
            chunk_w,
            chunk_h,
            across,
            down,
            spp,
            planes,
            row_bytes,
            tiles,
            predictor,
            offsets,
            counts,
        })
    }
}

/// What every band job needs: the plan, the chunk bytes and the output geometry.
struct Job<'p> {
    plan: &'p Plan,
    file: &'p [u8],
    ranges: &'p [std::ops::Range<usize>],
    width: usize,
    height: usize,
    bits: u32,
    /// The file's byte order: whole 16 and 32-bit samples are stored in it.
    little_endian: bool,
    signed: bool,
    /// Output sample size in bytes.
    size: usize,
    channels: usize,
    stride: usize,
    compression: u16,
}

impl Job<'_> {
    /// Decodes band `band` (a strip, or a row of tiles, in every plane) into `dst`, the
    /// output rows of that band (`stride` apart).
    fn band(&self, band: usize, dst: &mut [u8]) -> Result<()> {
        let plan = self.plan;
        let y0 = band * plan.chunk_h;
        let rows = plan.chunk_h.min(self.height - y0);
        // Tiles are always whole; the last strip holds only the rows left.
        let coded_rows = if plan.tiles { plan.chunk_h } else { rows };
        let mut chunk = vec![0u8; plan.row_bytes * coded_rows];
        let mut vals = vec![0u32; plan.chunk_w * plan.spp];
        let what = if plan.tiles { "tile" } else { "strip" };
        for plane in 0..plan.planes {
            for col in 0..plan.across {
                let i = (plane * plan.down + band) * plan.across + col;
                let src = &self.file[self.ranges[i].clone()];
                decompress(self.compression, src, &mut chunk, what, i)?;
                let x0 = col * plan.chunk_w;
                let cols = plan.chunk_w.min(self.width - x0);
                for r in 0..rows {
                    let src = &chunk[r * plan.row_bytes..][..plan.row_bytes];
                    match self.bits {
                        16 if self.little_endian => {
                            for (v, b) in vals.iter_mut().zip(src.chunks_exact(2)) {
                                *v = u32::from(u16::from_le_bytes([b[0], b[1]]));
                            }
                        }
                        32 if self.little_endian => {
                            for (v, b) in vals.iter_mut().zip(src.chunks_exact(4)) {
                                *v = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                            }
                        }
                        // Any other width is a big-endian bit stream (MSB-first).
                        bits => unpack_row(src, bits, &mut vals),
                    }
                    if plan.predictor {
                        undo_predictor(&mut vals, plan.spp, self.bits);
                    }
                    let row = &mut dst[r * self.stride..];
                    self.store(&vals[..cols * plan.spp], row, x0, plane);
                }
            }
        }
        Ok(())
    }

    /// Writes one chunk row's unpacked samples into an output row, starting at pixel `x0`
    /// (channel `plane` of each pixel for planar pages, all channels for chunky ones).
    fn store(&self, vals: &[u32], row: &mut [u8], x0: usize, plane: usize) {
        let ch = self.channels;
        // Chunky rows are contiguous runs of samples; planar ones every `ch`-th sample.
        let (base, step) = if self.plan.spp == 1 && ch > 1 {
            (x0 * ch + plane, ch)
        } else {
            (x0 * ch, 1)
        };
        let shift = if self.signed { 32 - self.bits } else { 0 };
        match self.size {
            1 => put::<1>(vals, row, base, step, shift),
            2 => put::<2>(vals, row, base, step, shift),
            _ => put::<4>(vals, row, base, step, shift),
        }
    }
}

/// Stores samples as `N`-byte native-endian integers at sample indices `base + k * step` of
/// `row`; `shift` > 0 sign-extends from bit `32 - shift` (the stored top bit becomes bit 31).
fn put<const N: usize>(vals: &[u32], row: &mut [u8], base: usize, step: usize, shift: u32) {
    let row = &mut row[base * N..];
    for (k, &v) in vals.iter().enumerate() {
        let v = if shift > 0 {
            (((v << shift) as i32) >> shift) as u32
        } else {
            v
        };
        let at = k * step * N;
        let bytes = v.to_ne_bytes();
        let bytes = if cfg!(target_endian = "little") {
            &bytes[..N]
        } else {
            &bytes[4 - N..]
        };
        row[at..at + N].copy_from_slice(bytes);
    }
}

/// Unpacks `vals.len()` samples of `bits` bits (1..=32), MSB-first, from one packed row.
fn unpack_row(src: &[u8], bits: u32, vals: &mut [u32]) {
    if bits == 12 {
        // The common camera depth: two samples in every three bytes.
        let n = vals.len();
        let mut pairs = vals.chunks_exact_mut(2);
        let mut bytes = src.chunks_exact(3);
        for (v, b) in (&mut pairs).zip(&mut bytes) {
            v[0] = u32::from(b[0]) << 4 | u32::from(b[1]) >> 4;
            v[1] = (u32::from(b[1]) & 0xF) << 8 | u32::from(b[2]);
        }
        if let [last] = pairs.into_remainder() {
            let at = (n - 1) / 2 * 3;
            *last = u32::from(src[at]) << 4 | u32::from(src.get(at + 1).copied().unwrap_or(0)) >> 4;
        }
        return;
    }
    let mask = if bits == 32 { u32::MAX } else { (1u32 << bits) - 1 };
    let mut acc: u64 = 0;
    let mut have: u32 = 0;
    let mut bytes = src.iter();
    for v in vals.iter_mut() {
        while have < bits {
            acc = (acc << 8) | u64::from(bytes.next().copied().unwrap_or(0));
            have += 8;
        }
        have -= bits;
        *v = (acc >> have) as u32 & mask;
    }
}

/// Undoes horizontal differencing (TIFF predictor 2) on one row of unpacked samples:
/// each sample adds the one `spp` before it, modulo 2^bits.
fn undo_predictor(vals: &mut [u32], spp: usize, bits: u32) {
    let mask = if bits == 32 { u32::MAX } else { (1u32 << bits) - 1 };
    for i in spp..vals.len() {
        vals[i] = vals[i].wrapping_add(vals[i - spp]) & mask;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_unpack_msb_first_for_every_width() {
        for bits in 1..=32u32 {
            let n = 13;
            let mask = if bits == 32 { u32::MAX } else { (1u32 << bits) - 1 };
            let want: Vec<u32> = (0..n as u32)
                .map(|i| i.wrapping_mul(0x9E37_79B9).rotate_left(i) & mask)
                .collect();
            // Pack bit by bit, most significant first.
            let mut packed = vec![0u8; (n * bits as usize).div_ceil(8)];
            for (i, &v) in want.iter().enumerate() {
                for b in 0..bits {
                    if v >> (bits - 1 - b) & 1 == 1 {
                        let pos = i * bits as usize + b as usize;
                        packed[pos / 8] |= 0x80 >> (pos % 8);
                    }
                }
            }
            let mut got = vec![0u32; n];
            unpack_row(&packed, bits, &mut got);
            assert_eq!(got, want, "{bits} bits");
        }
    }

    #[test]
    fn predictor_wraps_modulo_the_width_per_channel() {
        let mut v = vec![4095, 10, 1, 4095, 4095, 2];
        undo_predictor(&mut v, 2, 12);
        assert_eq!(v, [4095, 10, 0, 9, 4095, 11]);
    }

    #[test]
    fn wider_types() {
        assert_eq!(wider_type(12, false), Some(SampleType::U16));
        assert_eq!(wider_type(24, true), Some(SampleType::I32));
        assert_eq!(wider_type(3, true), Some(SampleType::I8));
        assert_eq!(wider_type(33, false), None);
    }
}
