//! Segmented deflate, as pigz does it: the rows are split into segments that are filtered and
//! deflated on rayon's pool, each primed with the 32 KiB of filtered data before it (so
//! matches reach back as far as one stream would) and ended by a sync flush; the segments
//! concatenate into one valid zlib stream whose Adler-32 is combined from the parts.
//!
//! Used for images of at least 768 KiB when the `parallel` option is on; the segments run on
//! rayon's pool when pixcodec's parallelism rule (`src/parallel.rs`) allows it, else one after
//! another, with the same bytes. The buffers of every segment belong to the encoder object,
//! so they are reused by its next call.

use rayon::prelude::*;

use super::encode::{compressor, deflate_err, EncodeParams};
use super::filter::filter_row;
use crate::error::Result;
use crate::image::ImageRef;

/// The deflate window: each segment is primed with this much of the data before it.
const WINDOW: usize = 32 * 1024;

/// Filtered bytes per segment the split aims at (before capping the count).
const SEGMENT_BYTES: usize = 256 * 1024;
/// Most segments per image: enough to share the work among eight cores. The count depends on
/// the image size only, so the stream's bytes never depend on the threads.
const MAX_SEGMENTS: usize = 8;
/// Segment buffers larger than this in total are freed after a call rather than kept, so a
/// cached encoder does not pin the memory of one huge image.
const KEEP_BYTES: usize = 64 << 20;

/// The buffers of one segment: its filtered rows (dictionary rows first), the current and
/// previous row, the filter candidates, a raw deflate stream and its output.
#[derive(Default)]
struct SegmentScratch {
    filtered: Vec<u8>,
    cur: Vec<u8>,
    prev: Vec<u8>,
    cand: [Vec<u8>; 5],
    deflate: Option<(u32, flate2::Compress)>,
    packed: Vec<u8>,
    /// Adler-32 and length of the segment's own (non-dictionary) filtered bytes.
    adler: (u32, usize),
}

/// The segments' buffers and the joined stream, kept by the encoder between calls.
#[derive(Default)]
pub(super) struct Segments {
    segments: Vec<SegmentScratch>,
    stream: Vec<u8>,
}

impl Segments {
    /// The whole zlib stream of the filtered image (valid until the next call); the segments
    /// are made on rayon's pool when `concurrent`, else one after another on this thread.
    pub(super) fn zlib(&mut self, image: &ImageRef<'_>, p: &EncodeParams, concurrent: bool) -> Result<&[u8]> {
        let h = image.height();
        let raw_len = (image.row_bytes() + 1) * h as usize;
        let segments = MAX_SEGMENTS.min(raw_len.div_ceil(SEGMENT_BYTES)).clamp(2, h as usize);
        let rows_per = h.div_ceil(segments as u32);
        let count = h.div_ceil(rows_per) as usize;
        if self.segments.len() < count {
            self.segments.resize_with(count, SegmentScratch::default);
        }
        let segment = |(i, sc): (usize, &mut SegmentScratch)| {
            let y0 = i as u32 * rows_per;
            sc.segment(image, p, y0, (y0 + rows_per).min(h), i == count - 1)
        };
        if concurrent {
            self.segments[..count]
                .par_iter_mut()
                .enumerate()
                .try_for_each(segment)?;
        } else {
            self.segments[..count].iter_mut().enumerate().try_for_each(segment)?;
        }
        let out = &mut self.stream;
        out.clear();
        out.push(0x78);
        out.push(match p.level {
            0 | 1 => 0x01,
            2..=5 => 0x5e,
            6 => 0x9c,
            _ => 0xda,
        });
        let mut adler = 1u32;
        for sc in &self.segments[..count] {
            out.extend_from_slice(&sc.packed);
            adler = adler32_combine(adler, sc.adler.0, sc.adler.1);
        }
        out.extend_from_slice(&adler.to_be_bytes());
        let kept: usize = self
            .segments
            .iter()
            .map(|s| s.filtered.capacity() + s.packed.capacity())
            .sum();
        if kept > KEEP_BYTES {
            self.segments = Vec::new();
        }
        Ok(&self.stream)
    }
}

impl SegmentScratch {
    /// Filters rows `y0..y1` (plus, as dictionary, enough rows before `y0` for one window) and
    /// deflates them as one raw segment into `packed`, with the Adler-32 and length of its
    /// input in `adler`.
    fn segment(&mut self, image: &ImageRef<'_>, p: &EncodeParams, y0: u32, y1: u32, last: bool) -> Result<()> {
        let rb = image.row_bytes();
        let bpp = image.format().bytes_per_pixel();
        let swap = p.swap();
        let dict_rows = (WINDOW.div_ceil(rb + 1) as u32).min(y0);
        let start = y0 - dict_rows;
        for v in self.cand.iter_mut() {
            v.resize(rb + 1, 0);
        }
        self.filtered.clear();
        self.cur.resize(rb, 0);
        self.prev.resize(rb, 0);
        let load = |dst: &mut Vec<u8>, y: u32| {
            let row = image.row(y);
            if swap {
                for (d, s) in dst.chunks_exact_mut(2).zip(row.chunks_exact(2)) {
                    d[0] = s[1];
                    d[1] = s[0];
                }
            } else {
                dst.copy_from_slice(row);
            }
        };
        if start > 0 {
            load(&mut self.prev, start - 1);
        }
        for y in start..y1 {
            load(&mut self.cur, y);
            let prev: &[u8] = if y == 0 { &[] } else { &self.prev };
            let chosen = filter_row(p.filter, &self.cur, prev, bpp, &mut self.cand);
            self.filtered.extend_from_slice(&self.cand[chosen]);
            std::mem::swap(&mut self.cur, &mut self.prev);
        }
        let dict_len = dict_rows as usize * (rb + 1);
        let (dict, data) = self.filtered.split_at(dict_len);
        let c = compressor(&mut self.deflate, p.level, false);
        if !dict.is_empty() {
            c.set_dictionary(&dict[dict.len().saturating_sub(WINDOW)..])
                .map_err(deflate_err)?;
        }
        let flush = if last {
            flate2::FlushCompress::Finish
        } else {
            flate2::FlushCompress::Sync
        };
        let packed = &mut self.packed;
        packed.clear();
        packed.reserve(data.len() + data.len() / 1000 + 1024);
        loop {
            let consumed = c.total_in() as usize;
            let before_out = packed.len();
            let st = c.compress_vec(&data[consumed..], packed, flush).map_err(deflate_err)?;
            let done = if last {
                st == flate2::Status::StreamEnd
            } else {
                c.total_in() as usize == data.len() && packed.len() < packed.capacity()
            };
            if done {
                break;
            }
            if packed.len() == packed.capacity() || packed.len() == before_out {
                packed.reserve(packed.capacity().max(4096));
            }
        }
        self.adler = (adler32(data), data.len());
        Ok(())
    }
}

/// Adler-32 of `data` (RFC 1950).
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// The Adler-32 of the concatenation of two inputs from their checksums and the second's
/// length (zlib's `adler32_combine`).
fn adler32_combine(adler1: u32, adler2: u32, len2: usize) -> u32 {
    const MOD: u64 = 65521;
    let rem = (len2 as u64) % MOD;
    let (a1, b1) = (u64::from(adler1 & 0xffff), u64::from(adler1 >> 16));
    let (a2, b2) = (u64::from(adler2 & 0xffff), u64::from(adler2 >> 16));
    let a = (a1 + a2 + MOD - 1) % MOD;
    let b = (b1 + b2 + rem * a1 + MOD * 2 - rem) % MOD;
    ((b << 16) | a) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler_combine_matches_one_pass() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 31 % 251) as u8).collect();
        for split in [0, 1, 5552, 65521, 100_000, 200_000] {
            let (x, y) = data.split_at(split);
            assert_eq!(
                adler32_combine(adler32(x), adler32(y), y.len()),
                adler32(&data),
                "{split}"
            );
        }
    }
}
