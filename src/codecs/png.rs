//! PNG through the [`png`](https://crates.io/crates/png) crate (image-rs), codec name `png`.
//!
//! # Decoding: which pixel format a PNG file becomes
//!
//! Samples keep the file's own depth; only the expansions PNG itself requires are made:
//!
//! | file (colour type, depth)            | decoded [`PixelFormat`]                        |
//! |--------------------------------------|------------------------------------------------|
//! | gray 8 / 16                          | `Gray U8` / `Gray U16`                          |
//! | gray 1, 2, 4                         | `Gray U8`, scaled to 0..=255 (see below)        |
//! | gray + tRNS                          | `GrayAlpha` at the depth above (U8 or U16)      |
//! | gray-alpha 8 / 16                    | `GrayAlpha U8` / `GrayAlpha U16`                |
//! | RGB 8 / 16                           | `Rgb U8` / `Rgb U16`                            |
//! | RGB + tRNS                           | `Rgba U8` / `Rgba U16`                          |
//! | RGBA 8 / 16                          | `Rgba U8` / `Rgba U16`                          |
//! | palette 1, 2, 4, 8                   | `Rgb U8` (the palette entries)                  |
//! | palette + tRNS                       | `Rgba U8` (palette entries plus tRNS alpha)     |
//!
//! * **Sub-byte gray rule.** Gray samples of 1, 2 or 4 bits are scaled to the full 8-bit range
//!   by bit replication, as libpng's `png_set_expand_gray_1_2_4_to_8` does: a 1-bit sample `v`
//!   becomes `v * 255`, a 2-bit sample `v * 85`, a 4-bit sample `v * 17` (so 0 stays 0 and the
//!   largest value becomes 255). The original value is `byte >> (8 - bits)`.
//! * **tRNS** on gray or RGB becomes an alpha channel at the file's depth: 0 where the pixel
//!   equals the tRNS colour, the maximum (255 or 65535) elsewhere.
//! * **16-bit** samples are stored big-endian in the file and returned native-endian.
//! * **sBIT** is ignored: samples are returned as stored, not shifted down.
//! * **gAMA, cHRM, sRGB, bKGD** are not applied; pixels are never colour-converted.
//! * **APNG**: only the default image (the `IDAT` data) is decoded; files have one page.
//! * Interlaced (Adam7) files decode to the same pixels as non-interlaced ones.
//!
//! Metadata read from the chunks before the image data: the ICC profile (`iCCP`), the
//! resolution (`pHYs` with the metre unit, converted to dots per inch) and raw EXIF (`eXIf`).
//! Decoding reads the whole file up to `IEND`: a file cut anywhere (even inside the trailing
//! `IEND` chunk) or with a damaged chunk after the image data is an [`Error::Decode`] error,
//! so a truncated download is never mistaken for a complete image.
//!
//! [`Limits`] are checked against the `IHDR` size before anything is allocated, and the `png`
//! crate's own allocation limit is set to `Limits::max_alloc_bytes`, so its internal buffers
//! (rows, compressed metadata chunks) are bounded too.
//!
//! # Encoding
//!
//! `Gray`, `GrayAlpha`, `Rgb` and `Rgba` at `U8` and `U16` are written exactly (8- and 16-bit
//! PNG colour types 0, 4, 2 and 6, never palette or sub-byte). Rows are streamed to the
//! compressor; 16-bit rows are converted to big-endian one row at a time in a reused buffer.
//! Options:
//!
//! * `level` (int 0..=9, default 6): the zlib/deflate level passed to the compressor
//!   (`flate2`); 0 stores the data uncompressed (rows are still filtered).
//! * `filter` (`none|sub|up|avg|paeth|adaptive`, default `adaptive`): the PNG row filter;
//!   `adaptive` picks the best of the five filters for each row.

use std::io::{BufRead, BufReader, Cursor, Seek, Write};

use png::{BitDepth, ColorType};

use crate::codec::{Capabilities, Codec, CodecDescriptor, Decoder, Encoder, Fidelity, Source};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::{ImageMut, ImageRef};
use crate::info::{ImageInfo, Metadata};
use crate::limits::Limits;
use crate::options::{OptionSpec, ResolvedOptions};
use crate::sample::SampleType;

const NAME: &str = "png";
const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const LAYOUTS: [Layout; 4] = [Layout::Gray, Layout::GrayAlpha, Layout::Rgb, Layout::Rgba];
const SAMPLES: [SampleType; 2] = [SampleType::U8, SampleType::U16];
const FILTERS: [&str; 6] = ["none", "sub", "up", "avg", "paeth", "adaptive"];
/// Size of the IDAT chunks the encoder writes.
const IDAT_CHUNK: usize = 1 << 18;

/// The PNG codec (`png` crate backend).
#[derive(Debug)]
pub struct PngCodec {
    descriptor: CodecDescriptor,
    capabilities: Capabilities,
    options: Vec<OptionSpec>,
}

impl Default for PngCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl PngCodec {
    /// The codec with its descriptor, capability table and option list.
    pub fn new() -> Self {
        PngCodec {
            descriptor: CodecDescriptor::new(
                NAME,
                "png",
                "PNG via the png crate: 1..16-bit gray, gray-alpha, RGB, RGBA and palette; writes 8/16-bit exactly",
                &["png"],
                &["image/png"],
                &[SIGNATURE],
                100,
            ),
            capabilities: Capabilities {
                decode: Capabilities::grid(&LAYOUTS, &SAMPLES, Fidelity::Exact),
                encode: Capabilities::grid(&LAYOUTS, &SAMPLES, Fidelity::Exact),
                multi_page_encode: false,
                multi_page_decode: false,
            },
            options: vec![
                OptionSpec::int(
                    "level",
                    0,
                    9,
                    6,
                    "deflate (zlib) compression level: 0 stores uncompressed, 9 is smallest and slowest",
                ),
                OptionSpec::choice(
                    "filter",
                    &FILTERS,
                    "adaptive",
                    "PNG row filter; adaptive picks the best filter for each row",
                ),
            ],
        }
    }
}

impl Codec for PngCodec {
    fn descriptor(&self) -> &CodecDescriptor {
        &self.descriptor
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn encode_options(&self) -> &[OptionSpec] {
        &self.options
    }

    fn decoder<'a>(&self, source: Source<'a>, limits: &Limits) -> Result<Box<dyn Decoder + 'a>> {
        Ok(Box::new(PngDecoder::new(source, limits)?))
    }

    fn encoder(&self) -> Result<Box<dyn Encoder>> {
        Ok(Box::new(PngEncoder))
    }

    fn reusable_encoder(&self) -> bool {
        true
    }
}

/// A buffered, seekable input for the `png` crate.
trait BufReadSeek: BufRead + Seek {}
impl<T: BufRead + Seek> BufReadSeek for T {}

type PngReader<'a> = png::Reader<Box<dyn BufReadSeek + 'a>>;

/// Converts a `png` crate decoding error into a pixcodec error.
fn decode_error(e: png::DecodingError) -> Error {
    match e {
        png::DecodingError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::decode(NAME, format!("the file is truncated ({io})"))
        }
        png::DecodingError::IoError(io) => Error::Io(io),
        png::DecodingError::Format(f) => Error::decode(NAME, format!("invalid PNG: {f}")),
        png::DecodingError::LimitsExceeded => Error::Limits(
            "the PNG decoder needs more memory than Limits::max_alloc_bytes allows; raise it if the input is trusted"
                .to_string(),
        ),
        other => Error::decode(NAME, other),
    }
}

/// The pixel format of rows with this (colour type, depth): 8- and 16-bit samples as they are,
/// sub-byte samples and palette indices as U8 (they are expanded to 8 bits).
fn expanded_format(color: ColorType, depth: BitDepth) -> PixelFormat {
    let sample = if depth == BitDepth::Sixteen {
        SampleType::U16
    } else {
        SampleType::U8
    };
    let layout = match color {
        ColorType::Grayscale => Layout::Gray,
        ColorType::GrayscaleAlpha => Layout::GrayAlpha,
        ColorType::Rgb | ColorType::Indexed => Layout::Rgb,
        ColorType::Rgba => Layout::Rgba,
    };
    PixelFormat::new(layout, sample)
}

/// Reads a PNG: header and pre-image chunks at construction, pixels on `decode_into`.
struct PngDecoder<'a> {
    reader: PngReader<'a>,
    info: ImageInfo,
    decoded: bool,
}

impl<'a> PngDecoder<'a> {
    fn new(source: Source<'a>, limits: &Limits) -> Result<Self> {
        let input: Box<dyn BufReadSeek + 'a> = match source {
            Source::Bytes(b) => Box::new(Cursor::new(b)),
            Source::Reader(r) => Box::new(BufReader::with_capacity(1 << 16, r)),
        };
        let png_limits = png::Limits {
            bytes: usize::try_from(limits.max_alloc_bytes).unwrap_or(usize::MAX),
        };
        let mut decoder = png::Decoder::new_with_limits(input, png_limits);
        decoder.set_transformations(png::Transformations::EXPAND);
        // Only IHDR so far: check the geometry before the decoder allocates anything for the
        // image. tRNS (an extra alpha channel) is not known yet; the final format is checked below.
        let header = decoder.read_header_info().map_err(decode_error)?;
        let pre = expanded_format(header.color_type, header.bit_depth);
        limits.check_image(header.width, header.height, pre)?;

        let reader = decoder.read_info().map_err(decode_error)?;
        let png_info = reader.info();
        // The format after EXPAND: palette → RGB(A), tRNS → alpha, sub-byte gray → 8 bits.
        let (color, depth) = reader.output_color_type();
        if depth != BitDepth::Eight && depth != BitDepth::Sixteen {
            return Err(Error::decode(
                NAME,
                format!("unexpected output depth {depth:?} after expansion"),
            ));
        }
        let format = expanded_format(color, depth);
        limits.check_image(png_info.width, png_info.height, format)?;

        let mut info = ImageInfo::new(png_info.width, png_info.height, format, NAME, "png");
        info.metadata = metadata(png_info);
        Ok(PngDecoder {
            reader,
            info,
            decoded: false,
        })
    }
}

/// ICC, dpi and EXIF from the chunks read so far.
fn metadata(info: &png::Info<'_>) -> Metadata {
    let mut m = Metadata {
        icc_profile: info.icc_profile.as_ref().map(|p| p.to_vec()),
        // Some writers keep the JPEG APP1 prefix; pixcodec stores the bare TIFF structure.
        exif: info
            .exif_metadata
            .as_ref()
            .map(|e| e.strip_prefix(b"Exif\0\0").unwrap_or(e).to_vec()),
        ..Metadata::default()
    };
    if let Some(d) = info.pixel_dims {
        if d.unit == png::Unit::Meter && d.xppu > 0 && d.yppu > 0 {
            m.dpi = Some((d.xppu as f64 * 0.0254, d.yppu as f64 * 0.0254));
        }
    }
    m
}

impl Decoder for PngDecoder<'_> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn decode_into(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        out.expect_shape(self.info.width, self.info.height, self.info.format)?;
        if self.decoded {
            return Err(Error::invalid(
                "this PNG decoder has already decoded its image; open a new decoder to decode again",
            ));
        }
        self.decoded = true;
        let stride = out.stride();
        if out.is_contiguous() {
            // Straight into the caller's memory (the png crate de-interlaces in place).
            self.reader.next_frame(out.as_bytes_mut()).map_err(decode_error)?;
        } else if !self.reader.info().interlaced {
            for y in 0..self.info.height {
                match self.reader.read_row(out.row_mut(y)).map_err(decode_error)? {
                    Some(_) => {}
                    None => return Err(Error::decode(NAME, format!("image data ended at row {y}"))),
                }
            }
            // Consumes the end of the image data (and checks it).
            self.reader.read_row(&mut []).map_err(decode_error)?;
        } else {
            // Adam7 pass rows are scattered straight into the caller's rows at its stride;
            // only pixel bytes are written (samples are at least one byte after expansion).
            let bits = (self.info.format.bytes_per_pixel() * 8) as u8;
            let buf = out.as_bytes_mut();
            while let Some(row) = self.reader.next_interlaced_row().map_err(decode_error)? {
                if let png::InterlaceInfo::Adam7(pass) = row.interlace() {
                    png::expand_interlaced_row(buf, stride, row.data(), pass, bits);
                }
            }
        }
        // Read the chunks after the image up to IEND: a file cut short or with a damaged
        // trailer is an error, never a silent success.
        self.reader.finish().map_err(decode_error)?;
        if self.info.format.sample == SampleType::U16 && cfg!(target_endian = "little") {
            for y in 0..self.info.height {
                be_to_native_u16(out.row_mut(y));
            }
        }
        Ok(())
    }
}

/// Converts each 2-byte big-endian sample of `row` to native byte order, in place.
fn be_to_native_u16(row: &mut [u8]) {
    match bytemuck::try_cast_slice_mut::<u8, u16>(row) {
        Ok(words) => words.iter_mut().for_each(|w| *w = u16::from_be(*w)),
        Err(_) => row
            .chunks_exact_mut(2)
            .for_each(|c| c.copy_from_slice(&u16::from_be_bytes([c[0], c[1]]).to_ne_bytes())),
    }
}

/// Writes one image as PNG.
struct PngEncoder;

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
    ) -> Result<Option<std::sync::Arc<str>>> {
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
        let params = EncodeParams {
            color,
            depth,
            level: level as u32,
            filter,
        };
        // One scratch per thread, reused across calls: after the first image of a given row
        // size no allocation happens. A writer that re-enters the encoder gets a fresh one.
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => scratch.encode(image, &params, out),
            Err(_) => Scratch::default().encode(image, &params, out),
        })
    }
}

/// What one encode call writes.
struct EncodeParams {
    color: ColorType,
    depth: BitDepth,
    level: u32,
    filter: png::Filter,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Reused encoder state: the deflate stream (zlib-rs through `flate2`), the previous and current
/// rows, one buffer per candidate filter and the IDAT staging buffer.
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
fn write_chunk(out: &mut dyn Write, kind: &[u8; 4], data: &[u8]) -> Result<()> {
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

fn deflate_err(e: impl std::fmt::Display) -> Error {
    Error::encode(NAME, format!("deflate failed: {e}"))
}

impl Scratch {
    fn encode(
        &mut self,
        image: &ImageRef<'_>,
        p: &EncodeParams,
        out: &mut dyn Write,
    ) -> Result<Option<std::sync::Arc<str>>> {
        let rb = image.row_bytes();
        let bpp = image.format().bytes_per_pixel();
        out.write_all(SIGNATURE)?;
        let mut ihdr = [0u8; 13];
        ihdr[0..4].copy_from_slice(&image.width().to_be_bytes());
        ihdr[4..8].copy_from_slice(&image.height().to_be_bytes());
        ihdr[8] = p.depth as u8;
        ihdr[9] = p.color as u8;
        write_chunk(out, b"IHDR", &ihdr)?;
        let raw_len = (rb as u64 + 1) * u64::from(image.height());
        if raw_len >= PARALLEL_MIN_BYTES && rayon::current_num_threads() > 1 && image.height() > 1 {
            self.idat.clear();
            parallel_zlib(image, p, &mut self.idat)?;
            for chunk in self.idat.chunks(IDAT_CHUNK) {
                write_chunk(out, b"IDAT", chunk)?;
            }
            self.idat.clear();
            write_chunk(out, b"IEND", &[])?;
            return Ok(None);
        }

        let compress = match &mut self.deflate {
            Some((level, c)) if *level == p.level => {
                c.reset();
                c
            }
            slot => {
                let c = flate2::Compress::new(flate2::Compression::new(p.level), true);
                &mut slot.insert((p.level, c)).1
            }
        };
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
        let swap = p.depth == BitDepth::Sixteen && cfg!(target_endian = "little");
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
        write_chunk(out, b"IEND", &[])?;
        Ok(None)
    }
}

/// Images with at least this many filtered bytes are deflated in parallel segments.
const PARALLEL_MIN_BYTES: u64 = 1 << 20;
/// The deflate window: each segment is primed with this much of the data before it.
const WINDOW: usize = 32 * 1024;

/// Per-thread buffers of the parallel path: filtered rows and one raw deflate stream.
#[derive(Default)]
struct SegmentScratch {
    filtered: Vec<u8>,
    cur: Vec<u8>,
    prev: Vec<u8>,
    deflate: Option<(u32, flate2::Compress)>,
}

thread_local! {
    static SEGMENT: std::cell::RefCell<SegmentScratch> = std::cell::RefCell::new(SegmentScratch::default());
}

/// The whole zlib stream of the filtered image in `out`, made as pigz does: rows are split into
/// segments filtered and deflated on all cores, each primed with the 32 KiB of filtered data
/// before it (so matches reach back as far as one stream would) and ended by a sync flush;
/// the segments concatenate into one valid stream whose Adler-32 is combined from the parts.
fn parallel_zlib(image: &ImageRef<'_>, p: &EncodeParams, out: &mut Vec<u8>) -> Result<()> {
    use rayon::prelude::*;
    let h = image.height();
    let rb = image.row_bytes();
    let raw_len = (rb + 1) * h as usize;
    let threads = rayon::current_num_threads();
    let segments = (threads * 2).min(raw_len.div_ceil(256 * 1024)).clamp(2, h as usize);
    let rows_per = h.div_ceil(segments as u32);
    let bounds: Vec<(u32, u32)> = (0..h)
        .step_by(rows_per as usize)
        .map(|y| (y, (y + rows_per).min(h)))
        .collect();
    let last = bounds.len() - 1;
    let parts: Vec<Result<(Vec<u8>, u32, usize)>> = bounds
        .par_iter()
        .enumerate()
        .map(|(i, &(y0, y1))| {
            SEGMENT.with(|cell| {
                let mut sc = cell.borrow_mut();
                segment(&mut sc, image, p, y0, y1, i == last)
            })
        })
        .collect();
    let level = p.level;
    out.push(0x78);
    out.push(match level {
        0 | 1 => 0x01,
        2..=5 => 0x5e,
        6 => 0x9c,
        _ => 0xda,
    });
    let mut adler = 1u32;
    for part in parts {
        let (data, part_adler, len) = part?;
        out.extend_from_slice(&data);
        adler = adler32_combine(adler, part_adler, len);
    }
    out.extend_from_slice(&adler.to_be_bytes());
    Ok(())
}

/// Filters rows `y0..y1` (plus, as dictionary, enough rows before `y0` for one window) and
/// deflates them as one raw segment; returns it with the Adler-32 and length of its input.
fn segment(
    sc: &mut SegmentScratch,
    image: &ImageRef<'_>,
    p: &EncodeParams,
    y0: u32,
    y1: u32,
    last: bool,
) -> Result<(Vec<u8>, u32, usize)> {
    let rb = image.row_bytes();
    let bpp = image.format().bytes_per_pixel();
    let swap = p.depth == BitDepth::Sixteen && cfg!(target_endian = "little");
    let dict_rows = (WINDOW.div_ceil(rb + 1) as u32).min(y0);
    let start = y0 - dict_rows;
    let mut cand: [Vec<u8>; 5] = Default::default();
    for v in cand.iter_mut() {
        v.resize(rb + 1, 0);
    }
    sc.filtered.clear();
    sc.cur.resize(rb, 0);
    sc.prev.resize(rb, 0);
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
        load(&mut sc.prev, start - 1);
    }
    for y in start..y1 {
        load(&mut sc.cur, y);
        let prev: &[u8] = if y == 0 { &[] } else { &sc.prev };
        let chosen = filter_row(p.filter, &sc.cur, prev, bpp, &mut cand);
        sc.filtered.extend_from_slice(&cand[chosen]);
        std::mem::swap(&mut sc.cur, &mut sc.prev);
    }
    let dict_len = dict_rows as usize * (rb + 1);
    let (dict, data) = sc.filtered.split_at(dict_len);
    let c = match &mut sc.deflate {
        Some((l, c)) if *l == p.level => {
            c.reset();
            c
        }
        slot => {
            &mut slot
                .insert((p.level, flate2::Compress::new(flate2::Compression::new(p.level), false)))
                .1
        }
    };
    if !dict.is_empty() {
        c.set_dictionary(&dict[dict.len().saturating_sub(WINDOW)..])
            .map_err(deflate_err)?;
    }
    let flush = if last {
        flate2::FlushCompress::Finish
    } else {
        flate2::FlushCompress::Sync
    };
    let mut packed = Vec::with_capacity(data.len() + data.len() / 1000 + 1024);
    loop {
        let consumed = c.total_in() as usize;
        let before_out = packed.len();
        let st = c
            .compress_vec(&data[consumed..], &mut packed, flush)
            .map_err(deflate_err)?;
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
    Ok((packed, adler32(data), data.len()))
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

/// Fills the candidate buffers needed by `filter` for `row` and returns the index of the one
/// to write (0 none, 1 sub, 2 up, 3 average, 4 Paeth). `prev` is empty on the first row.
/// Adaptive picks the smallest sum of absolute values (bytes as signed), as libpng does.
fn filter_row(filter: png::Filter, row: &[u8], prev: &[u8], bpp: usize, cand: &mut [Vec<u8>; 5]) -> usize {
    let which: &[usize] = match filter {
        png::Filter::NoFilter => &[0],
        png::Filter::Sub => &[1],
        png::Filter::Up => &[2],
        png::Filter::Avg => &[3],
        png::Filter::Paeth => &[4],
        _ => &[0, 1, 2, 3, 4],
    };
    let mut best = (u64::MAX, 0);
    for &f in which {
        let dst = &mut cand[f];
        dst[0] = f as u8;
        let d = &mut dst[1..];
        apply_filter(f, row, prev, bpp, d);
        if which.len() > 1 {
            let score: u64 = d.iter().map(|&b| u64::from((b as i8).unsigned_abs())).sum();
            if score < best.0 {
                best = (score, f);
            }
        } else {
            best = (0, f);
        }
    }
    best.1
}

/// Writes filter `f` of `row` into `d` (same length); an empty `prev` is the all-zero row.
fn apply_filter(f: usize, row: &[u8], prev: &[u8], bpp: usize, d: &mut [u8]) {
    let n = row.len();
    let bpp = bpp.min(n);
    match (f, prev.is_empty()) {
        (0, _) | (2, true) => d.copy_from_slice(row),
        (1, _) | (4, true) => {
            // Paeth with a zero row above is Sub.
            d[..bpp].copy_from_slice(&row[..bpp]);
            for i in bpp..n {
                d[i] = row[i].wrapping_sub(row[i - bpp]);
            }
        }
        (2, false) => {
            for ((o, &a), &b) in d.iter_mut().zip(row).zip(prev) {
                *o = a.wrapping_sub(b);
            }
        }
        (3, true) => {
            d[..bpp].copy_from_slice(&row[..bpp]);
            for i in bpp..n {
                d[i] = row[i].wrapping_sub(row[i - bpp] >> 1);
            }
        }
        (3, false) => {
            for i in 0..bpp {
                d[i] = row[i].wrapping_sub(prev[i] >> 1);
            }
            for i in bpp..n {
                let avg = ((u16::from(row[i - bpp]) + u16::from(prev[i])) >> 1) as u8;
                d[i] = row[i].wrapping_sub(avg);
            }
        }
        _ => {
            for i in 0..bpp {
                d[i] = row[i].wrapping_sub(prev[i]);
            }
            for i in bpp..n {
                d[i] = row[i].wrapping_sub(paeth(row[i - bpp], prev[i], prev[i - bpp]));
            }
        }
    }
}

/// The Paeth predictor (PNG specification, section 9.4).
#[inline(always)]
fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let (ia, ib, ic) = (i16::from(a), i16::from(b), i16::from(c));
    let p = ia + ib - ic;
    let (pa, pb, pc) = ((p - ia).abs(), (p - ib).abs(), (p - ic).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_byte_scaling_is_bit_replication() {
        // The png crate's EXPAND multiplies by 255 / (2^bits - 1); check it equals replication.
        for bits in [1u32, 2, 4] {
            let max = (1u32 << bits) - 1;
            for v in 0..=max {
                let mut rep = 0u32;
                let mut filled = 0;
                while filled < 8 {
                    rep = (rep << bits) | v;
                    filled += bits;
                }
                assert_eq!(v * (255 / max), rep, "bits {bits} value {v}");
            }
        }
    }

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

    #[test]
    fn swap_handles_unaligned_rows() {
        let mut buf = [0u8, 0x12, 0x34, 0xab, 0xcd];
        be_to_native_u16(&mut buf[1..]);
        let expect_first = u16::from_be_bytes([0x12, 0x34]).to_ne_bytes();
        assert_eq!(&buf[1..3], &expect_first);
        assert_eq!(buf[0], 0);
    }
}
