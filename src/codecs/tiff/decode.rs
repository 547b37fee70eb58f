//! The TIFF decoder: page classification, limits, and pixel readout into caller memory.

use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};

use rayon::prelude::*;
use tiff::decoder::Decoder as TDecoder;
use tiff::tags::Tag;

use super::{map_err, NAME};
use crate::codec::{Decoder, ReadSeek, Source};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::ImageMut;
use crate::info::{ImageInfo, Metadata};
use crate::limits::Limits;
use crate::sample::SampleType;

type Reader<'a> = Box<dyn ReadSeek + 'a>;

/// How the current page's stored samples map onto the output pixel format.
#[derive(Debug, Clone, Copy)]
struct Page {
    width: u32,
    height: u32,
    format: PixelFormat,
    /// Stored bits per sample (1..=7 for unpacked sub-byte gray, else the sample size).
    bits: u8,
    /// PlanarConfiguration = 2 with more than one sample.
    planar: bool,
    /// PhotometricInterpretation = 0: the tiff crate inverts, pixcodec restores the stored values.
    white_is_zero: bool,
    /// JPEG-compressed page.
    lossy: bool,
    /// The Compression tag.
    compression: u16,
}

/// Decoder over one TIFF file; pages follow the main IFD chain.
pub(super) struct TiffDecoder<'a> {
    dec: TDecoder<Reader<'a>>,
    /// The whole file when it was given in memory: strips are then decoded straight from it.
    bytes: Option<&'a [u8]>,
    limits: Limits,
    page: Page,
    info: ImageInfo,
}

fn unsupported(what: impl std::fmt::Display) -> Error {
    Error::Unsupported(format!("TIFF {what}"))
}

/// Runs a `tiff` crate call, turning a panic inside it into a decode error.
fn guarded<T>(f: impl FnOnce() -> tiff::TiffResult<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(map_err),
        Err(_) => Err(Error::decode(
            NAME,
            "the tiff crate failed on malformed data (internal panic)",
        )),
    }
}

fn crate_limits(limits: &Limits) -> tiff::decoder::Limits {
    let cap = usize::try_from(limits.max_alloc_bytes).unwrap_or(usize::MAX);
    let mut l = tiff::decoder::Limits::default();
    l.decoding_buffer_size = cap;
    l.intermediate_buffer_size = cap;
    l.ifd_value_size = cap.min(64 << 20);
    l
}

impl<'a> TiffDecoder<'a> {
    pub(super) fn new(source: Source<'a>, limits: &Limits) -> Result<Self> {
        let bytes = match source {
            Source::Bytes(b) => Some(b),
            Source::Reader(_) => None,
        };
        let mut reader = source.into_reader();
        reader.seek(SeekFrom::Start(0))?;
        let mut dec = guarded(|| TDecoder::new(reader))?.with_limits(crate_limits(limits));
        let pages = count_pages(&mut dec, limits)?;
        let page = classify(&mut dec)?;
        let mut info = ImageInfo::new(page.width, page.height, page.format, NAME, "tiff");
        info.pages = pages;
        info.lossy_source = page.lossy;
        info.metadata = metadata(&mut dec);
        Ok(TiffDecoder {
            dec,
            bytes,
            limits: *limits,
            page,
            info,
        })
    }
}

/// Counts the IFDs of the main chain (loops are a decode error, more than
/// `limits.max_pages` a limits error).
fn count_pages(dec: &mut TDecoder<Reader<'_>>, limits: &Limits) -> Result<u32> {
    let mut next = dec.ifd_pointer();
    let mut seen = HashSet::new();
    let mut n: u64 = 0;
    while let Some(ptr) = next {
        if !seen.insert(ptr.0) {
            return Err(Error::decode(
                NAME,
                format!("IFD chain loops back to offset {} after {n} pages", ptr.0),
            ));
        }
        n += 1;
        limits.check_pages(n)?;
        let dir = guarded(|| dec.read_directory(ptr))?;
        next = dir.next();
    }
    u32::try_from(n).map_err(|_| Error::Limits(format!("TIFF has {n} pages")))
}

fn tag_u16(dec: &mut TDecoder<Reader<'_>>, tag: Tag, default: u16) -> Result<u16> {
    Ok(guarded(|| dec.find_tag_unsigned::<u16>(tag))?.unwrap_or(default))
}

fn tag_u16_vec(dec: &mut TDecoder<Reader<'_>>, tag: Tag) -> Result<Option<Vec<u16>>> {
    guarded(|| dec.find_tag_unsigned_vec::<u16>(tag))
}

/// Works out the output format of the current page, or says exactly what is unsupported.
fn classify(dec: &mut TDecoder<Reader<'_>>) -> Result<Page> {
    let (width, height) = guarded(|| dec.dimensions())?;
    let photometric = tag_u16(dec, Tag::PhotometricInterpretation, u16::MAX)?;
    let samples = tag_u16(dec, Tag::SamplesPerPixel, 1)?;
    let bits_v = tag_u16_vec(dec, Tag::BitsPerSample)?.unwrap_or_else(|| vec![1]);
    let formats = tag_u16_vec(dec, Tag::SampleFormat)?.unwrap_or_else(|| vec![1]);
    let extra = tag_u16_vec(dec, Tag::ExtraSamples)?.unwrap_or_default();
    let planar_cfg = tag_u16(dec, Tag::PlanarConfiguration, 1)?;
    let compression = tag_u16(dec, Tag::Compression, 1)?;
    let fill_order = tag_u16(dec, Tag::FillOrder, 1)?;

    let bits = bits_v[0];
    if bits_v.iter().any(|&b| b != bits) {
        return Err(unsupported(format!("with differing bits per sample {bits_v:?}")));
    }
    let sf = formats[0];
    if formats.iter().any(|&f| f != sf) {
        return Err(unsupported(format!("with mixed sample formats {formats:?}")));
    }

    // Compression.
    let lossy = match compression {
        1 | 4 | 5 | 8 | 32946 | 32773 => false,
        7 => true,
        2 => return Err(unsupported("CCITT modified Huffman compression (2)")),
        3 => return Err(unsupported("CCITT Group 3 fax compression (3)")),
        6 => return Err(unsupported("old-style JPEG compression (6)")),
        34712 => return Err(unsupported("JPEG 2000 compression (34712)")),
        50000 => {
            return Err(unsupported(
                "ZSTD compression (50000): the tiff crate's zstd feature is not enabled",
            ))
        }
        50001 => return Err(unsupported("WebP compression (50001)")),
        c => return Err(unsupported(format!("compression method {c}"))),
    };

    // Channel layout.
    let extra_desc = |extra: &[u16]| {
        extra
            .iter()
            .map(|e| match e {
                0 => "unspecified",
                1 => "associated alpha",
                2 => "unassociated alpha",
                _ => "unknown",
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let with_alpha = |base: Layout, alpha: Layout, color: usize, what: &str| -> Result<Layout> {
        let n = usize::from(samples);
        if n == color {
            return Ok(base);
        }
        if n == color + 1 {
            return match extra.as_slice() {
                [2] => Ok(alpha),
                [1] => Err(unsupported(format!(
                    "{what} with associated (premultiplied) alpha: pixcodec's {alpha} holds straight alpha, un-premultiplying would change the values"
                ))),
                [] => Err(unsupported(format!("{what} with 1 extra sample (no ExtraSamples tag)"))),
                e => Err(unsupported(format!("{what} with an extra sample of kind: {}", extra_desc(e)))),
            };
        }
        if n < color {
            return Err(unsupported(format!("{what} with only {n} samples per pixel")));
        }
        Err(unsupported(format!(
            "{what} with {} extra samples ({})",
            n - color,
            if extra.is_empty() {
                "no ExtraSamples tag".to_string()
            } else {
                extra_desc(&extra)
            }
        )))
    };
    let layout = match photometric {
        0 | 1 => with_alpha(Layout::Gray, Layout::GrayAlpha, 1, "gray")?,
        2 => with_alpha(Layout::Rgb, Layout::Rgba, 3, "RGB")?,
        3 => return Err(unsupported(
            "palette (colour-mapped) image: expanding the indices through the colour map would be a colour conversion",
        )),
        4 => return Err(unsupported("transparency mask (PhotometricInterpretation 4)")),
        5 => {
            let inkset = tag_u16(dec, Tag::Unknown(332), 1)?;
            if inkset != 1 {
                return Err(unsupported(format!("separated image with InkSet {inkset} (not CMYK)")));
            }
            if samples > 4 {
                return Err(unsupported(format!(
                    "CMYK with {} extra samples ({}): pixcodec has no CMYK+alpha layout",
                    samples - 4,
                    extra_desc(&extra)
                )));
            }
            if samples < 4 {
                return Err(unsupported(format!("separated (CMYK) image with {samples} inks")));
            }
            Layout::Cmyk
        }
        6 => return Err(unsupported("YCbCr image: converting to RGB would change the values")),
        8..=10 => {
            return Err(unsupported(format!(
                "CIE Lab image (PhotometricInterpretation {photometric})"
            )))
        }
        32844 | 32845 => return Err(unsupported("LogL/LogLuv image")),
        p => return Err(unsupported(format!("photometric interpretation {p}"))),
    };

    // Sample type.
    let sample = match (sf, bits) {
        (1, 8) => SampleType::U8,
        (1, 16) => SampleType::U16,
        (1, 32) => SampleType::U32,
        (1, 64) => SampleType::U64,
        (2, 8) => SampleType::I8,
        (2, 16) => SampleType::I16,
        (2, 32) => SampleType::I32,
        (2, 64) => SampleType::I64,
        (3, 32) => SampleType::F32,
        (3, 64) => SampleType::F64,
        (1, 1..=7) if layout == Layout::Gray => {
            if fill_order == 2 {
                return Err(unsupported(
                    "FillOrder 2 (least significant bit first) for sub-byte samples",
                ));
            }
            SampleType::U8
        }
        (1, 1..=7) => {
            return Err(unsupported(format!(
                "{bits}-bit samples with {samples} channels (sub-byte depths are supported for one-channel gray only)"
            )))
        }
        (3, 16) => {
            return Err(unsupported(
                "16-bit float (half precision) samples: pixcodec has no F16 sample type",
            ))
        }
        (1 | 2, b) => {
            return Err(unsupported(format!(
                "{b}-bit {} integer samples (supported: 8, 16, 32, 64 bits, and 1 to 7-bit unsigned gray)",
                if sf == 1 { "unsigned" } else { "signed" }
            )))
        }
        (3, b) => {
            return Err(unsupported(format!(
                "{b}-bit float samples (supported: 32 and 64 bits)"
            )))
        }
        (4, _) => return Err(unsupported("samples of undefined data format (SampleFormat 4)")),
        (f, _) => return Err(unsupported(format!("sample format {f}"))),
    };

    let white_is_zero = photometric == 0;
    if white_is_zero {
        if sf != 1 {
            return Err(unsupported(
                "WhiteIsZero with signed or float samples: the tiff crate inverts them in a way that cannot be undone exactly",
            ));
        }
        if layout != Layout::Gray {
            return Err(unsupported("WhiteIsZero gray with alpha"));
        }
        if !matches!(bits, 1 | 2 | 4 | 8 | 16 | 32 | 64) {
            return Err(unsupported(format!("WhiteIsZero with {bits}-bit samples")));
        }
    }
    if compression == 4 {
        let (cw, ch) = dec.chunk_dimensions();
        let ch = ch.min(height);
        if cw > u32::from(u16::MAX) || ch > u32::from(u16::MAX) {
            return Err(unsupported(format!(
                "CCITT Group 4 strip or tile of {cw}x{ch} pixels: the fax decoder handles at most 65535 pixels per side"
            )));
        }
    }
    let planar = planar_cfg == 2 && samples > 1;
    Ok(Page {
        width,
        height,
        format: PixelFormat::new(layout, sample),
        bits: bits as u8,
        planar,
        white_is_zero,
        lossy,
        compression,
    })
}

/// ICC profile and resolution of the current page (best effort: unreadable tags are skipped).
fn metadata(dec: &mut TDecoder<Reader<'_>>) -> Metadata {
    let mut m = Metadata::default();
    if let Ok(Some(v)) = guarded(|| dec.find_tag(Tag::IccProfile)) {
        m.icc_profile = v.into_u8_vec().ok().filter(|v| !v.is_empty());
    }
    let unit = tag_u16(dec, Tag::ResolutionUnit, 2).unwrap_or(1);
    let factor = match unit {
        2 => Some(1.0),
        3 => Some(2.54),
        _ => None,
    };
    if let Some(factor) = factor {
        let x = guarded(|| dec.find_tag(Tag::XResolution))
            .ok()
            .flatten()
            .and_then(|v| v.into_f64().ok());
        let y = guarded(|| dec.find_tag(Tag::YResolution))
            .ok()
            .flatten()
            .and_then(|v| v.into_f64().ok());
        if let (Some(x), Some(y)) = (x, y) {
            if x.is_finite() && y.is_finite() && x > 0.0 && y > 0.0 {
                m.dpi = Some((x * factor, y * factor));
            }
        }
    }
    m
}

impl TiffDecoder<'_> {
    fn refresh_info(&mut self) {
        let p = self.page;
        self.info.width = p.width;
        self.info.height = p.height;
        self.info.format = p.format;
        self.info.lossy_source = p.lossy;
        self.info.metadata = metadata(&mut self.dec);
    }

    /// Reads the whole page in the crate's layout into `buf` (planes one after another,
    /// sub-byte rows packed), then restores stored WhiteIsZero values.
    fn read_raw(&mut self, buf: &mut [u8]) -> Result<()> {
        let dec = &mut self.dec;
        if let Err(e) = guarded(|| dec.read_image_bytes(buf)) {
            if self.page.compression == 5 && self.is_old_style_lzw() {
                return Err(unsupported(
                    "old-style LZW compression (pre-1992 libtiff 'compat' LZW with LSB-first codes)",
                ));
            }
            return Err(e);
        }
        if self.page.white_is_zero {
            // The tiff crate wrote max - v (== !v for unsigned samples); !(!v) is the stored v.
            buf.iter_mut().for_each(|b| *b = !*b);
        }
        Ok(())
    }
}

/// Where the strips of a plain chunky page are and how they are coded: what the fast path
/// of [`TiffDecoder::read_strips`] needs.
struct StripPlan {
    offsets: Vec<u64>,
    counts: Vec<u64>,
    rows_per_strip: u32,
    predictor: bool,
    swap: bool,
}

/// Per-thread LZW decoder and deflate decoders, reused across strips and calls.
#[derive(Default)]
struct InflateScratch {
    lzw: Option<super::lzw::Decoder>,
    /// libdeflate: the fast path for whole zlib streams.
    libdeflate: Option<libdeflater::Decompressor>,
    /// zlib-rs streaming inflate: the fallback for strips libdeflate refuses (see [`inflate`]).
    inflate: Option<flate2::Decompress>,
}

thread_local! {
    static INFLATE: std::cell::RefCell<InflateScratch> = std::cell::RefCell::new(InflateScratch::default());
}

impl TiffDecoder<'_> {
    /// The strip layout of the current page when pixcodec's own parallel strip reader handles
    /// it (chunky, strips, 8..64-bit samples, no or LZW or Deflate compression, predictor 1 or 2,
    /// not WhiteIsZero), else `None` and the `tiff` crate reads the page.
    fn strip_plan(&mut self) -> Result<Option<StripPlan>> {
        let p = self.page;
        if p.planar || p.bits < 8 || p.white_is_zero || self.dec.get_chunk_type() != tiff::decoder::ChunkType::Strip {
            return Ok(None);
        }
        let predictor = match tag_u16(&mut self.dec, Tag::Predictor, 1)? {
            1 => false,
            2 if !p.format.sample.is_float() => true,
            _ => return Ok(None),
        };
        let rows_per_strip = guarded(|| self.dec.find_tag_unsigned::<u32>(Tag::RowsPerStrip))?
            .unwrap_or(p.height)
            .clamp(1, p.height.max(1));
        let offsets = guarded(|| self.dec.find_tag_unsigned_vec::<u64>(Tag::StripOffsets))?;
        let counts = guarded(|| self.dec.find_tag_unsigned_vec::<u64>(Tag::StripByteCounts))?;
        let (Some(offsets), Some(counts)) = (offsets, counts) else {
            return Ok(None);
        };
        let strips = p.height.div_ceil(rows_per_strip) as usize;
        if offsets.len() != strips || counts.len() != strips {
            return Ok(None);
        }
        if p.compression == 5 && self.is_old_style_lzw() {
            return Err(unsupported(
                "old-style LZW compression (pre-1992 libtiff 'compat' LZW with LSB-first codes)",
            ));
        }
        let native_le = cfg!(target_endian = "little");
        let file_le = self.dec.byte_order() == tiff::tags::ByteOrder::LittleEndian;
        let swap = p.format.sample.size() > 1 && native_le != file_le;
        Ok(Some(StripPlan {
            offsets,
            counts,
            rows_per_strip,
            predictor,
            swap,
        }))
    }

    /// Reads every strip of the page into `buf` (the packed page in native byte order).
    /// Uncompressed strips are copied straight into `buf`. Compressed strips are decoded each
    /// into its own rows of `buf` (on rayon's pool when pixcodec's parallelism rule allows it,
    /// [`crate::parallel`]), straight from the caller's bytes when the file is in memory (else
    /// the strips are read into one buffer first); the byte swap and the predictor are undone
    /// inside each strip's job while its rows are in cache.
    fn read_strips(&mut self, plan: &StripPlan, buf: &mut [u8]) -> Result<()> {
        let call = crate::parallel::Call::begin();
        let split = call.split(true, buf.len() as u64);
        let p = self.page;
        let row_bytes = p.width as usize * p.format.bytes_per_pixel();
        let strip_bytes = row_bytes * plan.rows_per_strip as usize;
        let compression = p.compression;
        let file_len = match self.bytes {
            Some(b) => b.len() as u64,
            None => self.dec.inner().seek(SeekFrom::End(0))?,
        };
        // Every strip must lie inside the file: a strip that claims more bytes than the file
        // holds means a corrupt or truncated file, even when fewer bytes would be enough.
        for (i, (&off, &count)) in plan.offsets.iter().zip(&plan.counts).enumerate() {
            if off.checked_add(count).is_none_or(|end| end > file_len) {
                return Err(Error::decode(
                    NAME,
                    format!("strip {i} claims {count} bytes at offset {off}, past the end of the {file_len}-byte file"),
                ));
            }
        }
        if compression == 1 {
            // One thread: the copy is memory-bound, and splitting it over threads measured slower.
            for (i, dst) in buf.chunks_mut(strip_bytes.max(1)).enumerate() {
                if plan.counts[i] < dst.len() as u64 {
                    return Err(Error::decode(
                        NAME,
                        format!("strip {i} holds {} bytes, {} expected", plan.counts[i], dst.len()),
                    ));
                }
                match self.bytes {
                    Some(b) => {
                        let at = plan.offsets[i] as usize;
                        crate::memcopy::copy(dst, &b[at..at + dst.len()]);
                    }
                    None => {
                        let reader = self.dec.inner();
                        reader.seek(SeekFrom::Start(plan.offsets[i]))?;
                        reader
                            .read_exact(dst)
                            .map_err(|e| Error::decode(NAME, format!("truncated TIFF data in strip {i}: {e}")))?;
                    }
                }
            }
            if plan.swap || plan.predictor {
                let finish = |rows: &mut [u8]| finish_rows(rows, row_bytes, p.format, plan);
                if split {
                    buf.par_chunks_mut(strip_bytes.max(1)).for_each(finish);
                } else {
                    buf.chunks_mut(strip_bytes.max(1)).for_each(finish);
                }
            }
            return Ok(());
        }
        let packed;
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
                let total = total.ok_or_else(|| Error::decode(NAME, "strip byte counts overflow"))?;
                self.limits.check_alloc(total)?;
                let total = usize::try_from(total).map_err(|_| Error::Limits("strips too large".into()))?;
                let mut v = Vec::new();
                v.try_reserve_exact(total)
                    .map_err(|_| Error::Limits(format!("cannot allocate {total} bytes for the TIFF strips")))?;
                v.resize(total, 0u8);
                let mut ranges = Vec::with_capacity(plan.counts.len());
                let mut at = 0usize;
                let reader = self.dec.inner();
                for (i, (&off, &count)) in plan.offsets.iter().zip(&plan.counts).enumerate() {
                    let c = count as usize;
                    reader.seek(SeekFrom::Start(off))?;
                    reader
                        .read_exact(&mut v[at..at + c])
                        .map_err(|e| Error::decode(NAME, format!("truncated TIFF data in strip {i}: {e}")))?;
                    ranges.push(at..at + c);
                    at += c;
                }
                packed = v;
                (&packed[..], ranges)
            }
        };
        let strip = |(i, (dst, range)): (usize, (&mut [u8], std::ops::Range<usize>))| {
            INFLATE.with(|sc| decode_strip(&mut sc.borrow_mut(), compression, &file[range], dst, i))?;
            finish_rows(dst, row_bytes, p.format, plan);
            Ok(())
        };
        if split {
            buf.par_chunks_mut(strip_bytes.max(1))
                .zip(ranges.into_par_iter())
                .enumerate()
                .try_for_each(strip)
        } else {
            buf.chunks_mut(strip_bytes.max(1))
                .zip(ranges)
                .enumerate()
                .try_for_each(strip)
        }
    }
}

/// Restores native byte order and undoes the horizontal predictor on whole rows of a strip.
fn finish_rows(rows: &mut [u8], row_bytes: usize, format: PixelFormat, plan: &StripPlan) {
    let size = format.sample.size();
    if plan.swap {
        match size {
            2 => rows.chunks_exact_mut(2).for_each(|s| s.swap(0, 1)),
            _ => rows.chunks_exact_mut(size).for_each(|s| s.reverse()),
        }
    }
    if plan.predictor {
        rows.chunks_mut(row_bytes.max(1))
            .for_each(|r| unpredict_row(r, format.channels(), size));
    }
}

/// Decompresses one strip into `dst`, which it must fill exactly (a short strip is an error,
/// extra data after the strip's rows is ignored, as libtiff does).
fn decode_strip(sc: &mut InflateScratch, compression: u16, src: &[u8], dst: &mut [u8], i: usize) -> Result<()> {
    let filled = if compression == 5 {
        let dec = sc.lzw.get_or_insert_with(super::lzw::Decoder::new);
        dec.decode(src, dst)
            .map_err(|e| Error::decode(NAME, format!("corrupt LZW data in strip {i}: {e}")))?
    } else {
        inflate(sc, src, dst, i)?
    };
    if filled < dst.len() {
        return Err(Error::decode(
            NAME,
            format!("strip {i} decodes to {filled} bytes, {} expected", dst.len()),
        ));
    }
    Ok(())
}

/// Inflates one zlib strip into `dst` and returns how many bytes it filled.
///
/// libdeflate decodes a whole stream in one call (the fast path). It refuses a stream that
/// decodes to more than `dst` (writers that pad the last strip to full height) or that lacks
/// its end or checksum; such strips go through zlib-rs's streaming inflate, which stops when
/// `dst` is full and so reads them exactly as before libdeflate was added.
fn inflate(sc: &mut InflateScratch, src: &[u8], dst: &mut [u8], i: usize) -> Result<usize> {
    let fast = sc.libdeflate.get_or_insert_with(libdeflater::Decompressor::new);
    if let Ok(n) = fast.zlib_decompress(src, dst) {
        return Ok(n);
    }
    let z = sc.inflate.get_or_insert_with(|| flate2::Decompress::new(true));
    z.reset(true);
    match z.decompress(src, dst, flate2::FlushDecompress::Finish) {
        Ok(_) => Ok(z.total_out() as usize),
        Err(e) => Err(Error::decode(NAME, format!("corrupt Deflate data in strip {i}: {e}"))),
    }
}

/// Undoes horizontal differencing (TIFF predictor 2) on one row of native-endian samples.
fn unpredict_row(row: &mut [u8], channels: usize, size: usize) {
    use super::predict::{undo, undo_any, Wrapping};
    fn by_channels<T: Wrapping>(row: &mut [u8], channels: usize) {
        match channels {
            1 => undo::<T, 1>(row),
            2 => undo::<T, 2>(row),
            3 => undo::<T, 3>(row),
            4 => undo::<T, 4>(row),
            _ => undo_any::<T>(row, channels),
        }
    }
    match size {
        1 => by_channels::<u8>(row, channels),
        2 => by_channels::<u16>(row, channels),
        4 => by_channels::<u32>(row, channels),
        _ => by_channels::<u64>(row, channels),
    }
}

impl TiffDecoder<'_> {
    /// True when the first chunk starts like libtiff's old-style LZW (a zero byte followed by
    /// a byte with its low bit set), the test libtiff itself uses.
    fn is_old_style_lzw(&mut self) -> bool {
        let tag = match self.dec.get_chunk_type() {
            tiff::decoder::ChunkType::Strip => Tag::StripOffsets,
            tiff::decoder::ChunkType::Tile => Tag::TileOffsets,
        };
        let Ok(Some(offsets)) = guarded(|| self.dec.find_tag_unsigned_vec::<u64>(tag)) else {
            return false;
        };
        let Some(&first) = offsets.first() else {
            return false;
        };
        let r = self.dec.inner();
        let mut head = [0u8; 2];
        r.seek(SeekFrom::Start(first)).is_ok() && r.read_exact(&mut head).is_ok() && head[0] == 0 && head[1] & 1 == 1
    }
}

impl Decoder for TiffDecoder<'_> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn decode_into(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        let p = self.page;
        out.expect_shape(p.width, p.height, p.format)?;
        self.limits.check_image(p.width, p.height, p.format)?;
        let sub_byte = p.bits < 8;
        if !p.planar && !sub_byte && out.is_contiguous() {
            if p.compression != 1 && p.compression != 5 && p.compression != 8 && p.compression != 32946 {
                // Straight into caller memory; the crate converts to native byte order.
                return self.read_raw(out.as_bytes_mut());
            }
            if let Some(plan) = self.strip_plan()? {
                return self.read_strips(&plan, out.as_bytes_mut());
            }
            return self.read_raw(out.as_bytes_mut());
        }
        let layout = guarded(|| self.dec.image_buffer_layout())?;
        let total = layout.complete_len;
        self.limits.check_alloc(total as u64)?;
        let mut tmp = Vec::new();
        tmp.try_reserve_exact(total)
            .map_err(|_| Error::Limits(format!("cannot allocate {total} bytes to decode a TIFF page")))?;
        tmp.resize(total, 0u8);
        self.read_raw(&mut tmp)?;

        let (w, h) = (p.width as usize, p.height as usize);
        if sub_byte {
            let bits = usize::from(p.bits);
            let packed_row = (w * bits).div_ceil(8);
            let mask = (1u16 << bits) - 1;
            for y in 0..h {
                let src = &tmp[y * packed_row..(y + 1) * packed_row];
                let row = out.row_mut(y as u32);
                for (x, dst) in row.iter_mut().enumerate() {
                    let pos = x * bits;
                    let i = pos / 8;
                    let hi = u16::from(src[i]) << 8;
                    let lo = src.get(i + 1).copied().map_or(0, u16::from);
                    let shift = 16 - bits - pos % 8;
                    *dst = (((hi | lo) >> shift) & mask) as u8;
                }
            }
        } else if p.planar {
            let size = p.format.sample.size();
            let ch = p.format.channels();
            let plane = w * h * size;
            for y in 0..h {
                let row = out.row_mut(y as u32);
                for c in 0..ch {
                    let src = &tmp[c * plane + y * w * size..][..w * size];
                    for (x, s) in src.chunks_exact(size).enumerate() {
                        row[(x * ch + c) * size..][..size].copy_from_slice(s);
                    }
                }
            }
        } else {
            out.copy_from_packed(&tmp)?;
        }
        Ok(())
    }

    fn next_page(&mut self) -> Result<bool> {
        if !self.dec.more_images() {
            return Ok(false);
        }
        let dec = &mut self.dec;
        guarded(|| dec.next_image())?;
        self.page = classify(&mut self.dec)?;
        self.refresh_info();
        Ok(true)
    }
}
