//! The TIFF encoder: one IFD per page, strips written by pixcodec (exact bytes in the file's
//! native byte order), lossless compression, optional horizontal predictor, BigTIFF.

use std::io::{Read, Seek, SeekFrom, Write};

use rayon::prelude::*;
use tiff::encoder::compression::{CompressionAlgorithm, Packbits};
use tiff::encoder::{DirectoryEncoder, TiffEncoder as TEncoder, TiffKind, TiffKindBig, TiffKindStandard};
use tiff::tags::Tag;

use super::NAME;
use crate::codec::Encoder;
use crate::error::{Error, Result};
use crate::format::Layout;
use crate::image::ImageRef;
use crate::options::ResolvedOptions;
use crate::sample::SampleType;

/// Target uncompressed bytes per strip: small enough that a 1920x1080 RGB page has a dozen
/// strips to spread over the cores, large enough that deflate and LZW lose nothing measurable.
const STRIP_BYTES: usize = 1 << 18;
/// Output larger than this stays in memory only up to here, then spills to a temporary file.
const SPOOL_BYTES: usize = 64 << 20;

/// Strip compression chosen by the `compression` and `level` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Lzw,
    Deflate(u32),
    Packbits,
}

impl Compression {
    fn tag(self) -> u16 {
        match self {
            Compression::None => 1,
            Compression::Lzw => 5,
            Compression::Deflate(_) => 8,
            Compression::Packbits => 32773,
        }
    }

    /// Upper bound of the compressed size of `raw` bytes made of `rows` rows in `strips` strips.
    fn worst_case(self, raw: u64, rows: u64, strips: u64) -> u64 {
        match self {
            Compression::None => raw,
            // 12-bit codes at most per input byte, plus clear and end codes.
            Compression::Lzw => raw.saturating_mul(3) / 2 + strips * 16,
            Compression::Deflate(_) => raw + raw / 1000 + strips * 64,
            Compression::Packbits => raw + raw / 128 + rows * 2,
        }
    }
}

/// The encoder; stateless, options arrive with each call.
pub(super) struct TiffEncoder;

struct Settings {
    compression: Compression,
    predictor: bool,
}

fn enc_err(e: impl std::fmt::Display) -> Error {
    Error::encode(NAME, e)
}

fn rows_per_strip(page: &ImageRef<'_>) -> u32 {
    let rb = page.row_bytes().max(1);
    (STRIP_BYTES / rb).clamp(1, page.height() as usize) as u32
}

impl Encoder for TiffEncoder {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> Result<Option<String>> {
        let compression = match options.str("compression")? {
            "none" => Compression::None,
            "lzw" => Compression::Lzw,
            "deflate" => Compression::Deflate(options.int("level")? as u32),
            "packbits" => Compression::Packbits,
            other => {
                return Err(Error::invalid(format!(
                    "option 'compression' of codec tiff: unknown '{other}'"
                )))
            }
        };
        let predictor = options.bool("predictor")?;
        if pages.is_empty() {
            return Err(Error::invalid("nothing to encode: no pages given"));
        }
        if predictor {
            if let Some((i, p)) = pages.iter().enumerate().find(|(_, p)| p.format().sample.is_float()) {
                return Err(Error::invalid(format!(
                    "option 'predictor' of codec tiff: the horizontal predictor is for integer samples, but page {i} is {}; leave predictor off for float data",
                    p.format()
                )));
            }
        }
        let geometry: Vec<(u64, u32, u32)> = pages
            .iter()
            .map(|p| (p.row_bytes() as u64, p.height(), rows_per_strip(p)))
            .collect();
        let big = options.bool("bigtiff")? || worst_case_size(&geometry, compression) > u64::from(u32::MAX);
        let settings = Settings { compression, predictor };

        let mut file = tempfile::SpooledTempFile::new(SPOOL_BYTES);
        if big {
            write_all::<TiffKindBig, _>(TEncoder::new_big(&mut file).map_err(enc_err)?, pages, &settings)?;
        } else {
            write_all::<TiffKindStandard, _>(TEncoder::new(&mut file).map_err(enc_err)?, pages, &settings)?;
        }
        file.seek(SeekFrom::Start(0))?;
        std::io::copy(&mut (&mut file).take(u64::MAX), out)?;
        Ok(None)
    }
}

/// Worst-case file size for pages given as (row bytes, height, rows per strip), computed up
/// front: when it could pass 4 GiB the file is written as BigTIFF.
fn worst_case_size(pages: &[(u64, u32, u32)], compression: Compression) -> u64 {
    let mut estimate: u64 = 16;
    for &(row_bytes, height, rps) in pages {
        let raw = row_bytes.saturating_mul(u64::from(height));
        let strips = u64::from(height.div_ceil(rps.max(1)));
        estimate = estimate
            .saturating_add(compression.worst_case(raw, u64::from(height), strips))
            .saturating_add(strips * 16 + 1024);
    }
    estimate
}

/// Writes the offsets of strips with the offset type of the TIFF kind.
trait OffsetTag: TiffKind + Sized {
    fn write_offsets<W: Write + Seek>(dir: &mut DirectoryEncoder<'_, W, Self>, tag: Tag, v: &[u64]) -> Result<()>;
}

impl OffsetTag for TiffKindStandard {
    fn write_offsets<W: Write + Seek>(dir: &mut DirectoryEncoder<'_, W, Self>, tag: Tag, v: &[u64]) -> Result<()> {
        let v32: Vec<u32> = v
            .iter()
            .map(|&x| u32::try_from(x))
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| enc_err("the file passed 4 GiB; write it with bigtiff=true"))?;
        dir.write_tag(tag, &v32[..]).map_err(enc_err)
    }
}

impl OffsetTag for TiffKindBig {
    fn write_offsets<W: Write + Seek>(dir: &mut DirectoryEncoder<'_, W, Self>, tag: Tag, v: &[u64]) -> Result<()> {
        dir.write_tag(tag, v).map_err(enc_err)
    }
}

fn write_all<K: OffsetTag, W: Write + Seek>(
    mut enc: TEncoder<W, K>,
    pages: &[ImageRef<'_>],
    s: &Settings,
) -> Result<()> {
    for page in pages {
        let mut dir = enc.image_directory().map_err(enc_err)?;
        write_page(&mut dir, page, s)?;
        dir.finish().map_err(enc_err)?;
    }
    Ok(())
}

fn write_page<K: OffsetTag, W: Write + Seek>(
    dir: &mut DirectoryEncoder<'_, W, K>,
    page: &ImageRef<'_>,
    s: &Settings,
) -> Result<()> {
    let format = page.format();
    let ch = format.channels();
    let rps = rows_per_strip(page);
    let rb = page.row_bytes();

    let mut offsets = Vec::new();
    let mut counts = Vec::new();
    let strips: Vec<(u32, u32)> = (0..page.height())
        .step_by(rps as usize)
        .map(|y| (y, rps.min(page.height() - y)))
        .collect();
    if s.compression == Compression::None && !s.predictor && page.is_contiguous() {
        // Uncompressed strips are the image bytes themselves: written straight from the caller.
        for &(y, n) in &strips {
            let data = &page.as_bytes()[y as usize * rb..(y + n) as usize * rb];
            offsets.push(dir.write_data(data).map_err(enc_err)?);
            counts.push(data.len() as u64);
        }
    } else {
        // Strips are independent: coded in parallel on all cores, then written in order. Each
        // batch holds at most a few strips per thread so the coded data in memory stays bounded.
        let batch = rayon::current_num_threads().max(1) * 4;
        for group in strips.chunks(batch) {
            let coded: Vec<Result<Vec<u8>>> = group
                .par_iter()
                .map(|&(y, n)| STRIP_SCRATCH.with(|c| code_strip(&mut c.borrow_mut(), page, y, n, s)))
                .collect();
            for data in coded {
                let data = data?;
                offsets.push(dir.write_data(&data[..]).map_err(enc_err)?);
                counts.push(data.len() as u64);
            }
        }
    }

    let photometric: u16 = match format.layout {
        Layout::Gray | Layout::GrayAlpha => 1,
        Layout::Rgb | Layout::Rgba => 2,
        Layout::Cmyk => 5,
    };
    let sample_format: u16 = match format.sample {
        SampleType::U8 | SampleType::U16 | SampleType::U32 | SampleType::U64 => 1,
        SampleType::I8 | SampleType::I16 | SampleType::I32 | SampleType::I64 => 2,
        SampleType::F32 | SampleType::F64 => 3,
    };
    let bits = vec![format.sample.bits() as u16; ch];
    let formats = vec![sample_format; ch];
    let t = |r: tiff::TiffResult<()>| r.map_err(enc_err);
    t(dir.write_tag(Tag::ImageWidth, page.width()))?;
    t(dir.write_tag(Tag::ImageLength, page.height()))?;
    t(dir.write_tag(Tag::BitsPerSample, &bits[..]))?;
    t(dir.write_tag(Tag::Compression, s.compression.tag()))?;
    t(dir.write_tag(Tag::PhotometricInterpretation, photometric))?;
    t(dir.write_tag(Tag::SamplesPerPixel, ch as u16))?;
    t(dir.write_tag(Tag::RowsPerStrip, rps))?;
    t(dir.write_tag(Tag::PlanarConfiguration, 1u16))?;
    t(dir.write_tag(Tag::SampleFormat, &formats[..]))?;
    if format.layout.has_alpha() {
        // 2 = unassociated (straight) alpha.
        t(dir.write_tag(Tag::ExtraSamples, &[2u16][..]))?;
    }
    if format.layout == Layout::Cmyk {
        // InkSet 1 = CMYK.
        t(dir.write_tag(Tag::Unknown(332), 1u16))?;
    }
    if s.predictor {
        t(dir.write_tag(Tag::Predictor, 2u16))?;
    }
    K::write_offsets(dir, Tag::StripOffsets, &offsets)?;
    K::write_offsets(dir, Tag::StripByteCounts, &counts)?;
    Ok(())
}

/// Per-thread strip buffers and deflate stream, reused across strips and calls.
#[derive(Default)]
struct StripScratch {
    raw: Vec<u8>,
    deflate: Option<(u32, flate2::Compress)>,
    lzw: Option<super::lzw::Encoder>,
}

thread_local! {
    static STRIP_SCRATCH: std::cell::RefCell<StripScratch> = std::cell::RefCell::new(StripScratch::default());
}

/// Codes rows `y..y + n` of `page` into one strip (predictor, then compression).
fn code_strip(sc: &mut StripScratch, page: &ImageRef<'_>, y: u32, n: u32, s: &Settings) -> Result<Vec<u8>> {
    let format = page.format();
    let (ch, size) = (format.channels(), format.sample.size());
    let rb = page.row_bytes();
    let raw = &mut sc.raw;
    raw.clear();
    for r in y..y + n {
        let start = raw.len();
        raw.extend_from_slice(page.row(r));
        if s.predictor {
            predict_row(&mut raw[start..], ch, size);
        }
    }
    let raw: &[u8] = raw;
    Ok(match s.compression {
        Compression::None => raw.to_vec(),
        Compression::Lzw => {
            let mut packed = Vec::new();
            sc.lzw
                .get_or_insert_with(super::lzw::Encoder::new)
                .encode(raw, &mut packed);
            packed
        }
        Compression::Deflate(level) => {
            let c = match &mut sc.deflate {
                Some((l, c)) if *l == level => {
                    c.reset();
                    c
                }
                slot => {
                    &mut slot
                        .insert((level, flate2::Compress::new(flate2::Compression::new(level), true)))
                        .1
                }
            };
            // zlib's deflateBound: the stream always fits, so one call finishes it.
            let mut packed = Vec::with_capacity(raw.len() + (raw.len() >> 12) + (raw.len() >> 14) + 64);
            loop {
                let consumed = c.total_in() as usize;
                let st = c
                    .compress_vec(&raw[consumed..], &mut packed, flate2::FlushCompress::Finish)
                    .map_err(|e| enc_err(format!("deflate: {e}")))?;
                if st == flate2::Status::StreamEnd {
                    break;
                }
                packed.reserve(packed.capacity().max(4096));
            }
            packed
        }
        Compression::Packbits => {
            // Each row is packed on its own, as TIFF requires.
            let mut packed = Vec::with_capacity(raw.len() + raw.len() / 128 + 2 * n as usize);
            for row in raw.chunks(rb) {
                Packbits.write_to(&mut packed, row)?;
            }
            packed
        }
    })
}

/// Horizontal differencing (TIFF predictor 2) of one row of native-endian samples, in place.
fn predict_row(row: &mut [u8], channels: usize, size: usize) {
    macro_rules! diff {
        ($t:ty) => {{
            let n = row.len() / size;
            for i in (channels..n).rev() {
                let cur = <$t>::from_ne_bytes(row[i * size..][..size].try_into().expect("sample size"));
                let prev = <$t>::from_ne_bytes(row[(i - channels) * size..][..size].try_into().expect("sample size"));
                row[i * size..][..size].copy_from_slice(&cur.wrapping_sub(prev).to_ne_bytes());
            }
        }};
    }
    match size {
        1 => diff!(u8),
        2 => diff!(u16),
        4 => diff!(u32),
        _ => diff!(u64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigtiff_is_chosen_from_the_worst_case_size() {
        let limit = u64::from(u32::MAX);
        // 64 pages of 8192 x 8192 U8 = 4 GiB of pixels: BigTIFF for every compression.
        let pages = vec![(8192u64, 8192u32, 128u32); 64];
        for c in [
            Compression::None,
            Compression::Lzw,
            Compression::Deflate(6),
            Compression::Packbits,
        ] {
            assert!(worst_case_size(&pages, c) > limit, "{c:?}");
        }
        // 3 GiB uncompressed fits a classic TIFF; LZW's worst case (x1.5) does not.
        let pages = vec![(8192u64, 8192u32, 128u32); 48];
        assert!(worst_case_size(&pages, Compression::None) < limit);
        assert!(worst_case_size(&pages, Compression::Lzw) > limit);
        // A small page is far below.
        assert!(worst_case_size(&[(21, 5, 5)], Compression::Packbits) < 2048);
    }

    #[test]
    fn predictor_differences_wrap_per_channel() {
        let mut row: Vec<u8> = [10u16, 20, 5, 30, 65535, 0]
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect();
        predict_row(&mut row, 2, 2);
        let got: Vec<u16> = row.chunks(2).map(|c| u16::from_ne_bytes([c[0], c[1]])).collect();
        assert_eq!(got, [10, 20, 65531, 10, 65530, 65506]);
    }
}
