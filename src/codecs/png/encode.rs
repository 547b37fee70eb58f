//! The PNG encoder: pixcodec writes the chunks itself (signature, IHDR, IDAT, IEND), filters
//! the rows ([`super::filter`]) and deflates them with zlib-rs through `flate2`, as one stream
//! on the calling thread or, for large images when the parallelism rule allows, in segments
//! on rayon's pool ([`super::parallel`]).
//!
//! The encoder owns all its buffers and compressors: the registry keeps one encoder per codec
//! and thread, so after the first image of a given size an encode allocates nothing.

use std::io::Write;
use std::sync::Arc;

use png::{BitDepth, ColorType};

use super::filter::filter_row;
use super::parallel::Segments;
use super::sbit::Stored;
use super::{FILTERS, NAME, SIGNATURE};
use crate::codec::Encoder;
use crate::error::{Error, Result};
use crate::format::Layout;
use crate::image::ImageRef;
use crate::options::ResolvedOptions;
use crate::sample::SampleType;

/// Size of the IDAT chunks the encoder writes.
const IDAT_CHUNK: usize = 1 << 18;
/// The `significant_bits` row buffer is freed after a call when larger than this.
const KEEP_STORED_BYTES: usize = 64 << 20;

/// Writes one image as PNG; reused by the registry for the next call on the same thread.
#[derive(Default)]
pub(super) struct PngEncoder {
    /// Buffers of the sequential path.
    scratch: Scratch,
    /// Buffers of the segmented (parallel) path, one set per segment.
    segments: Segments,
    /// The rows as stored for the `significant_bits` option (packed or bit-replicated).
    stored: Vec<u8>,
}

fn png_color(layout: Layout) -> Option<ColorType> {
    match layout {
        Layout::Gray => Some(ColorType::Grayscale),
        Layout::GrayAlpha => Some(ColorType::GrayscaleAlpha),
        Layout::Rgb => Some(ColorType::Rgb),
        Layout::Rgba => Some(ColorType::Rgba),
        Layout::Cmyk => None,
    }
}

fn filter_from_name(name: &str) -> Result<png::Filter> {
    Ok(match name {
        "none" => png::Filter::NoFilter,
        "sub" => png::Filter::Sub,
        "up" => png::Filter::Up,
        "avg" => png::Filter::Avg,
        "paeth" => png::Filter::Paeth,
        "adaptive" => png::Filter::Adaptive,
        other => {
            return Err(Error::invalid(format!(
                "option 'filter' of codec png: '{other}' is not one of {}",
                FILTERS.join("|")
            )))
        }
    })
}

impl Encoder for PngEncoder {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> Result<Option<Arc<str>>> {
        let image = match pages {
            [one] => one,
            [] => return Err(Error::invalid("nothing to encode: no pages given")),
            _ => {
                return Err(Error::Unsupported(format!(
                    "png stores one image per file but {} pages were given",
                    pages.len()
                )))
            }
        };
        let format = image.format();
        let format_width = image.width();
        let color = png_color(format.layout);
        let depth = match format.sample {
            SampleType::U8 => Some(BitDepth::Eight),
            SampleType::U16 => Some(BitDepth::Sixteen),
            _ => None,
        };
        let (Some(color), Some(depth)) = (color, depth) else {
            return Err(Error::NotExact(format!(
                "png cannot store {format} pixels exactly; it can hold: Gray, GrayAlpha, Rgb, Rgba at U8 or U16"
            )));
        };
        let level = options.int("level")?;
        if !(0..=9).contains(&level) {
            return Err(Error::invalid(format!(
                "option 'level' of codec png: {level} is out of range (expected int 0..=9)"
            )));
        }
        let filter = filter_from_name(options.str("filter")?)?;
        let stored = super::sbit::plan(image, options.int("significant_bits")?)?;
        let view;
        let (image, depth, sbit) = match stored {
            Stored::Full => (image, depth as u8, None),
            Stored::SubByte(n) => {
                view = super::sbit::convert(image, stored, &mut self.stored)?;
                (&view, n as u8, None)
            }
            Stored::Replicated(n) => {
                view = super::sbit::convert(image, stored, &mut self.stored)?;
                (&view, depth as u8, Some(vec![n as u8; format.channels()]))
            }
        };
        let params = EncodeParams {
            color,
            depth: BitDepth::from_u8(depth).unwrap_or(BitDepth::Eight),
            level: level as u32,
            filter,
        };
        let call = crate::parallel::Call::begin();
        let raw_len = (image.row_bytes() as u64 + 1) * u64::from(image.height());
        let parallel = options.bool("parallel")?;
        // The layout (segments or one stream) depends on the option and the size only; the
        // parallelism rule decides whether the segments run on the pool.
        let segmented = parallel && raw_len >= crate::parallel::MIN_BYTES && image.height() > 1;

        out.write_all(SIGNATURE)?;
        let mut ihdr = [0u8; 13];
        ihdr[0..4].copy_from_slice(&format_width.to_be_bytes());
        ihdr[4..8].copy_from_slice(&image.height().to_be_bytes());
        ihdr[8] = params.depth as u8;
        ihdr[9] = params.color as u8;
        write_chunk(out, b"IHDR", &ihdr)?;
        if let Some(sbit) = &sbit {
            write_chunk(out, b"sBIT", sbit)?;
        }
        if let Some(m) = options.metadata() {
            super::metadata::write(out, m)?;
        }
        if segmented {
            let stream = self.segments.zlib(image, &params, call.split(parallel, raw_len))?;
            for chunk in stream.chunks(IDAT_CHUNK) {
                write_chunk(out, b"IDAT", chunk)?;
            }
        } else {
            self.scratch.idat_stream(image, &params, out)?;
        }
        write_chunk(out, b"IEND", &[])?;
        if self.stored.capacity() > KEEP_STORED_BYTES {
            // A cached encoder does not pin the rows of one huge image.
            self.stored = Vec::new();
        }
        Ok(None)
    }
}

/// What one encode call writes.
pub(super) struct EncodeParams {
    pub(super) color: ColorType,
    pub(super) depth: BitDepth,
    pub(super) level: u32,
    pub(super) filter: png::Filter,
}

impl EncodeParams {
    /// Whether samples are 16-bit and must be swapped to the file's big-endian order.
    pub(super) fn swap(&self) -> bool {
        self.depth == BitDepth::Sixteen && cfg!(target_endian = "little")
    }
}

/// Buffers of the sequential path: the deflate stream (zlib-rs through `flate2`), the previous
/// and current rows, one buffer per candidate filter and the IDAT staging buffer (of
/// `IDAT_CHUNK` bytes, so the chunks, and the file, do not depend on earlier calls).
#[derive(Default)]
struct Scratch {
    deflate: Option<(u32, flate2::Compress)>,
    prev: Vec<u8>,
    cur: Vec<u8>,
    /// Filtered candidates, each with its filter-type byte first.
    cand: [Vec<u8>; 5],
    idat: Vec<u8>,
}

/// Writes one PNG chunk (length, type, data, CRC).
pub(super) fn write_chunk(out: &mut dyn Write, kind: &[u8; 4], data: &[u8]) -> Result<()> {
    let len = u32::try_from(data.len()).map_err(|_| Error::encode(NAME, "PNG chunk larger than 4 GiB"))?;
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.write_all(&len.to_be_bytes())?;
    out.write_all(kind)?;
    out.write_all(data)?;
    out.write_all(&crc.finalize().to_be_bytes())?;
    Ok(())
}

pub(super) fn deflate_err(e: impl std::fmt::Display) -> Error {
    Error::encode(NAME, format!("deflate failed: {e}"))
}

/// The reused compressor for `level`, reset; a new one when there is none or the level changed.
pub(super) fn compressor(
    slot: &mut Option<(u32, flate2::Compress)>,
    level: u32,
    zlib_header: bool,
) -> &mut flate2::Compress {
    let new = || flate2::Compress::new(flate2::Compression::new(level), zlib_header);
    let (kept, c) = slot.get_or_insert_with(|| (level, new()));
    if *kept == level {
        c.reset();
    } else {
        (*kept, *c) = (level, new());
    }
    c
}

impl Scratch {
    /// Filters and deflates every row on this thread as one zlib stream, written as IDAT
    /// chunks as the staging buffer fills.
    fn idat_stream(&mut self, image: &ImageRef<'_>, p: &EncodeParams, out: &mut dyn Write) -> Result<()> {
        let rb = image.row_bytes();
        let bpp = image.format().bytes_per_pixel();
        let compress = compressor(&mut self.deflate, p.level, true);
        for v in [&mut self.prev, &mut self.cur] {
            v.clear();
            v.resize(rb, 0);
        }
        for v in self.cand.iter_mut() {
            v.clear();
            v.resize(rb + 1, 0);
        }
        self.idat.clear();
        self.idat.reserve(IDAT_CHUNK);
        let swap = p.swap();
        for (y, row) in image.rows().enumerate() {
            let row: &[u8] = if swap {
                for (d, s) in self.cur.chunks_exact_mut(2).zip(row.chunks_exact(2)) {
                    d[0] = s[1];
                    d[1] = s[0];
                }
                &self.cur
            } else {
                row
            };
            let prev: &[u8] = if y == 0 { &[] } else { &self.prev };
            let chosen = filter_row(p.filter, row, prev, bpp, &mut self.cand);
            feed(
                compress,
                &self.cand[chosen],
                &mut self.idat,
                out,
                flate2::FlushCompress::None,
            )?;
            if swap {
                std::mem::swap(&mut self.prev, &mut self.cur);
            } else {
                self.prev.copy_from_slice(row);
            }
        }
        feed(compress, &[], &mut self.idat, out, flate2::FlushCompress::Finish)?;
        if !self.idat.is_empty() {
            write_chunk(out, b"IDAT", &self.idat)?;
            self.idat.clear();
        }
        Ok(())
    }
}

/// Compresses `input` into the IDAT staging buffer, writing a chunk whenever it fills; with
/// `Finish`, runs until the zlib stream ends.
fn feed(
    c: &mut flate2::Compress,
    mut input: &[u8],
    idat: &mut Vec<u8>,
    out: &mut dyn Write,
    flush: flate2::FlushCompress,
) -> Result<()> {
    let finish = flush == flate2::FlushCompress::Finish;
    loop {
        if idat.len() == idat.capacity() {
            write_chunk(out, b"IDAT", idat)?;
            idat.clear();
        }
        let before = c.total_in();
        let status = c.compress_vec(input, idat, flush).map_err(deflate_err)?;
        input = &input[(c.total_in() - before) as usize..];
        if finish {
            if status == flate2::Status::StreamEnd {
                return Ok(());
            }
        } else if input.is_empty() {
            return Ok(());
        }
    }
}
