//! The TIFF encoder: one IFD per page, strips in the file's native byte order, lossless
//! compression, optional predictor (horizontal for integers, floating point for floats), BigTIFF.
//!
//! pixcodec lays the file out itself and writes it front to back, with no seeking and no
//! spooling: each page is its IFD (with the out-of-line tag values) followed by its strips,
//! and the header points at the first IFD, the layout tifffile writes too. Uncompressed
//! strips go from the caller's pixels straight to the output; compressed strips of a page are
//! coded independently and held until the page's IFD, which lists their sizes, is
//! written (so at most one page of coded strips is in memory). Whether the strips are coded
//! on rayon's pool or one after another on the calling thread is pixcodec's parallelism rule
//! ([`crate::parallel`], option `parallel`); the bytes are the same either way. Why not the
//! `tiff` crate's encoder: it needs `Write + Seek`, so pixcodec had to spool the file and copy
//! it out, several times slower (measured in `bench/README.md`).
//!
//! This file holds the encoder, its options and the page writer; the IFD and header bytes are
//! built by `ifd.rs`, and each strip is coded (predictor, then LZW, Deflate or PackBits) by
//! `strips.rs`, whose per-thread coders the encoder keeps between calls.

mod ifd;
pub(super) mod metadata;
mod packed;
mod strips;

use std::io::Write;

use rayon::prelude::*;

use super::NAME;
use crate::codec::Encoder;
use crate::error::{Error, Result};
use crate::format::Layout;
use crate::image::ImageRef;
use crate::metadata::Photometric;
use crate::options::ResolvedOptions;
use crate::sample::SampleType;
use ifd::{Ifd, Out};
use strips::{code_strip, StripCoders};

/// The ZSTD level when `level` is not given: libzstd's own default.
const ZSTD_DEFAULT_LEVEL: i32 = 3;

/// Target uncompressed bytes per strip: small enough that a 1920x1080 RGB page has a dozen
/// strips to spread over the cores, large enough that deflate and LZW lose nothing measurable.
const STRIP_BYTES: usize = 1 << 18;

/// Strip compression chosen by the `compression` and `level` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Lzw,
    Deflate(u32),
    Packbits,
    /// ZSTD at this level (1..=22).
    Zstd(i32),
}

impl Compression {
    fn tag(self) -> u16 {
        match self {
            Compression::None => 1,
            Compression::Lzw => 5,
            Compression::Deflate(_) => 8,
            Compression::Packbits => 32773,
            Compression::Zstd(_) => 50000,
        }
    }

    /// Upper bound of the compressed size of `raw` bytes made of `rows` rows in `strips` strips.
    fn worst_case(self, raw: u64, rows: u64, strips: u64) -> u64 {
        match self {
            Compression::None => raw,
            // 12-bit codes at most per input byte, plus clear and end codes.
            Compression::Lzw => raw.saturating_mul(3) / 2 + strips * 16,
            // libdeflate falls back to stored blocks: 5 bytes per 64 KiB block plus the zlib
            // header and checksum, far below this bound.
            Compression::Deflate(_) => raw + raw / 1000 + strips * 64,
            Compression::Packbits => raw + raw / 128 + rows * 2,
            // ZSTD_compressBound: raw + raw / 256 plus a small margin per frame.
            Compression::Zstd(_) => raw + raw / 128 + strips * 64,
        }
    }
}

/// The encoder. Options arrive with each call; what it keeps between calls are its buffers
/// (strip list, coded strips, IFD) and its strip coders, so a reused encoder writing into a
/// reused `Vec` makes no allocation per call once warm (`tests/alloc.rs`).
#[derive(Default)]
pub(super) struct TiffEncoder {
    page: PageBuffers,
    coders: StripCoders,
}

/// Buffers of one page, reused by the next page and the next call.
#[derive(Default)]
struct PageBuffers {
    /// (first row, rows) of each strip.
    strips: Vec<(u32, u32)>,
    /// Coded strips (compressed or predicted); unused for uncompressed pages.
    coded: Vec<Vec<u8>>,
    counts: Vec<u64>,
    offsets: Vec<u64>,
    ifd: Ifd,
    /// The IFD as written.
    ifd_bytes: Vec<u8>,
    /// The first page's metadata tags, kept for the next call with the same metadata.
    tags: metadata::TagCache,
}

/// File offset multiple the first strip of a page starts at (a cache line).
const STRIP_ALIGN: u64 = 64;

/// Coded strip buffers larger than this in total are freed after a call rather than kept,
/// so a cached encoder does not pin the memory of one huge image.
const KEEP_CODED_BYTES: usize = 64 << 20;

impl PageBuffers {
    fn trim(&mut self) {
        if self.coded.iter().map(Vec::capacity).sum::<usize>() > KEEP_CODED_BYTES {
            self.coded = Vec::new();
        }
    }
}

struct Settings {
    compression: Compression,
    predictor: bool,
    /// The `parallel` option.
    parallel: bool,
    /// The `significant_bits` option when it asks for packed samples (narrower than the type).
    packed_bits: Option<u32>,
    /// The metadata says [`Photometric::WhiteIsZero`]: unsigned gray pages are written with
    /// PhotometricInterpretation 0 (every page, as the CLI's conversions use the first page's
    /// metadata for all).
    white_is_zero: bool,
}

fn enc_err(e: impl std::fmt::Display) -> Error {
    Error::encode(NAME, e)
}

fn rows_per_strip(page: &ImageRef<'_>) -> u32 {
    let rb = page.row_bytes().max(1);
    (STRIP_BYTES / rb).clamp(1, page.height().max(1) as usize) as u32
}

impl Encoder for TiffEncoder {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> Result<Option<std::sync::Arc<str>>> {
        let compression = match options.str("compression")? {
            "none" => Compression::None,
            "lzw" => Compression::Lzw,
            "deflate" => Compression::Deflate(options.int("level")? as u32),
            "packbits" => Compression::Packbits,
            "zstd" => Compression::Zstd(if options.is_explicit("level") {
                options.int("level")? as i32
            } else {
                ZSTD_DEFAULT_LEVEL
            }),
            other => {
                return Err(Error::invalid(format!(
                    "option 'compression' of codec tiff: unknown '{other}'"
                )))
            }
        };
        if let Compression::Deflate(level) = compression {
            if level > 9 {
                return Err(Error::invalid(format!(
                    "option 'level' of codec tiff: deflate levels are 1..=9, got {level} (levels up to 22 are for compression=zstd)"
                )));
            }
        }
        // libtiff (and so tifffile) undoes a predictor only inside a compression scheme: an
        // uncompressed strip is read as stored, Predictor tag or not. So the predictor is
        // applied (and its tag written) only with compression; with `none` it has no effect.
        let predictor = options.bool("predictor")? && compression != Compression::None;
        if pages.is_empty() {
            return Err(Error::invalid("nothing to encode: no pages given"));
        }
        let geometry = pages
            .iter()
            .map(|p| (p.row_bytes() as u64, p.height(), rows_per_strip(p)));
        let big = options.bool("bigtiff")? || worst_case_size(geometry, compression) > u64::from(u32::MAX);
        let bits = options.int("significant_bits")? as u32;
        let mut packed_bits = None;
        if bits != 0 {
            for (i, p) in pages.iter().enumerate() {
                packed::check(p, i, bits)?;
            }
            // Pages of the full type width are written as usual.
            packed_bits = Some(bits).filter(|&b| b < pages[0].format().sample.bits());
        }
        let settings = Settings {
            compression,
            predictor,
            parallel: options.bool("parallel")?,
            packed_bits,
            white_is_zero: options
                .metadata()
                .is_some_and(|m| m.photometric == Some(Photometric::WhiteIsZero)),
        };
        let call = crate::parallel::Call::begin();

        let mut w = Out { w: out, pos: 0, big };
        w.header()?;
        let result = pages.iter().enumerate().try_for_each(|(i, page)| {
            let last = i + 1 == pages.len();
            let meta = options.metadata_shared().filter(|_| i == 0);
            write_page(
                &mut w,
                &mut self.page,
                &mut self.coders,
                &call,
                page,
                &settings,
                last,
                meta,
            )
        });
        self.page.trim();
        result?;
        w.w.flush()?;
        Ok(None)
    }
}

/// Worst-case file size for pages given as (row bytes, height, rows per strip), computed up
/// front: when it could pass 4 GiB the file is written as BigTIFF.
fn worst_case_size(pages: impl IntoIterator<Item = (u64, u32, u32)>, compression: Compression) -> u64 {
    let mut estimate: u64 = 16;
    for (row_bytes, height, rps) in pages {
        let raw = row_bytes.saturating_mul(u64::from(height));
        let strips = u64::from(height.div_ceil(rps.max(1)));
        estimate = estimate
            .saturating_add(compression.worst_case(raw, u64::from(height), strips))
            .saturating_add(strips * 16 + 1024);
    }
    estimate
}
#[allow(clippy::too_many_arguments)] // `meta`: the metadata tags, first page only
fn write_page(
    w: &mut Out<'_>,
    b: &mut PageBuffers,
    coders: &mut StripCoders,
    call: &crate::parallel::Call,
    page: &ImageRef<'_>,
    s: &Settings,
    last: bool,
    meta: Option<&std::sync::Arc<crate::metadata::Metadata>>,
) -> Result<()> {
    let format = page.format();
    let ch = format.channels();
    let rps = rows_per_strip(page);
    let rb = page.row_bytes();

    b.strips.clear();
    b.strips.extend(
        (0..page.height())
            .step_by(rps as usize)
            .map(|y| (y, rps.min(page.height() - y))),
    );
    // Uncompressed strips are the caller's rows themselves, written straight through; other
    // strips are independent, so they are coded on rayon's pool when the parallelism rule
    // allows it, else one after another on the calling thread.
    let direct = s.compression == Compression::None && !s.predictor && s.packed_bits.is_none();
    let n = b.strips.len();
    b.counts.clear();
    if direct {
        b.counts.extend(b.strips.iter().map(|&(_, n)| n as u64 * rb as u64));
    } else {
        if b.coded.len() < n {
            b.coded.resize_with(n, Vec::new);
        }
        coders.fit(rayon::current_num_threads());
        let coders = &*coders;
        let code =
            |(dst, &(y, rows)): (&mut Vec<u8>, &(u32, u32))| coders.with(|sc| code_strip(sc, page, y, rows, s, dst));
        let bytes = rb as u64 * u64::from(page.height());
        if n > 1 && call.split(s.parallel, bytes) {
            b.coded[..n]
                .par_iter_mut()
                .zip(b.strips.par_iter())
                .try_for_each(code)?;
        } else {
            b.coded[..n].iter_mut().zip(b.strips.iter()).try_for_each(code)?;
        }
        b.counts.extend(b.coded[..n].iter().map(|c| c.len() as u64));
    }

    let photometric: u16 = match format.layout {
        // WhiteIsZero only where pixcodec (and the tiff crate) read it back: unsigned gray
        // without alpha (metadata::fit reports the other cases).
        Layout::Gray if s.white_is_zero && !format.sample.is_float() && !format.sample.is_signed_int() => 0,
        Layout::Gray | Layout::GrayAlpha => 1,
        Layout::Rgb | Layout::Rgba => 2,
        Layout::Cmyk => 5,
    };
    let sample_format: u16 = match format.sample {
        SampleType::U8 | SampleType::U16 | SampleType::U32 | SampleType::U64 => 1,
        SampleType::I8 | SampleType::I16 | SampleType::I32 | SampleType::I64 => 2,
        SampleType::F16 | SampleType::F32 | SampleType::F64 => 3,
    };
    let ifd = &mut b.ifd;
    ifd.reset(w.big);
    ifd.long(256, page.width()); // ImageWidth
    ifd.long(257, page.height()); // ImageLength
    let bits = s.packed_bits.unwrap_or(format.sample.bits());
    ifd.shorts(258, bits as u16, ch); // BitsPerSample
    ifd.short(259, s.compression.tag()); // Compression
    ifd.short(262, photometric); // PhotometricInterpretation
    ifd.short(277, ch as u16); // SamplesPerPixel
    ifd.long(278, rps); // RowsPerStrip
    ifd.short(284, 1); // PlanarConfiguration: chunky
    ifd.shorts(339, sample_format, ch); // SampleFormat
    if format.layout.has_alpha() {
        ifd.short(338, 2); // ExtraSamples: 2 = unassociated (straight) alpha
    }
    if format.layout == Layout::Cmyk {
        ifd.short(332, 1); // InkSet: 1 = CMYK
    }
    if s.predictor {
        // Predictor: 2 horizontal differencing (integers), 3 floating point (floats).
        ifd.short(317, if format.sample.is_float() { 3 } else { 2 });
    }
    if let Some(m) = meta {
        metadata::add_tags(ifd, m, &mut b.tags)?;
    }
    // The offsets depend on the IFD's size, which depends only on how many there are.
    ifd.offsets(279, &b.counts)?; // StripByteCounts
    b.offsets.clear();
    b.offsets.resize(n, 0);
    ifd.offsets(273, &b.offsets)?; // StripOffsets (placeholder of the right size)
    let at = w.pos;
    // The strips start at a multiple of STRIP_ALIGN in the file (zero padding after the IFD),
    // so the speed of copying uncompressed rows into a buffer does not depend on how many
    // tag and metadata bytes precede them (see bench/README.md, "Writing metadata").
    let strips_at = (at + ifd.len()).next_multiple_of(STRIP_ALIGN);
    let mut end = strips_at;
    for (o, &c) in b.offsets.iter_mut().zip(&b.counts) {
        *o = end;
        end += c;
    }
    ifd.pop();
    ifd.offsets(273, &b.offsets)?;
    // The EXIF IFD (first page, metadata.rs) goes after the strips.
    let strips_end = end;
    let exif_at = end + end % 2;
    let exif = match meta {
        Some(_) => b.tags.exif_ifd_at(exif_at, w.big),
        None => None,
    };
    if let Some(sub) = &exif {
        if !w.big && u32::try_from(exif_at).is_err() {
            return Err(enc_err("the file passed 4 GiB; write it with bigtiff=true"));
        }
        ifd.set_offset(34665, exif_at);
        end = exif_at + sub.len() as u64;
    }
    let next = if last { 0 } else { end + end % 2 };
    if !w.big && u32::try_from(next).is_err() {
        return Err(enc_err("the file passed 4 GiB; write it with bigtiff=true"));
    }
    ifd.write(at, next, &mut b.ifd_bytes);
    let padding = strips_at - (at + b.ifd_bytes.len() as u64);
    b.ifd_bytes.resize(b.ifd_bytes.len() + padding as usize, 0);
    w.put(&b.ifd_bytes)?;

    if direct {
        let h = page.height() as usize;
        if page.is_contiguous() {
            w.put(&page.as_bytes()[..h * rb])?;
        } else {
            for y in 0..page.height() {
                w.put(page.row(y))?;
            }
        }
    } else {
        for c in &b.coded[..n] {
            w.put(c)?;
        }
    }
    if let Some(sub) = &exif {
        if strips_end % 2 == 1 {
            w.put(&[0])?;
        }
        w.put(sub)?;
    }
    if !last && end % 2 == 1 {
        // IFDs start on a word boundary.
        w.put(&[0])?;
    }
    Ok(())
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
            assert!(worst_case_size(pages.iter().copied(), c) > limit, "{c:?}");
        }
        // 3 GiB uncompressed fits a classic TIFF; LZW's worst case (x1.5) does not.
        let pages = vec![(8192u64, 8192u32, 128u32); 48];
        assert!(worst_case_size(pages.iter().copied(), Compression::None) < limit);
        assert!(worst_case_size(pages.iter().copied(), Compression::Lzw) > limit);
        // A small page is far below.
        assert!(worst_case_size([(21, 5, 5)], Compression::Packbits) < 2048);
    }
}
