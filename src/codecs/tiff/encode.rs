//! The TIFF encoder: one IFD per page, strips in the file's native byte order, lossless
//! compression, optional horizontal predictor, BigTIFF.
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

use std::io::Write;

use rayon::prelude::*;

use super::predict::{apply_into, Wrapping};
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
            // libdeflate falls back to stored blocks: 5 bytes per 64 KiB block plus the zlib
            // header and checksum, far below this bound.
            Compression::Deflate(_) => raw + raw / 1000 + strips * 64,
            Compression::Packbits => raw + raw / 128 + rows * 2,
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
}

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
        let geometry = pages
            .iter()
            .map(|p| (p.row_bytes() as u64, p.height(), rows_per_strip(p)));
        let big = options.bool("bigtiff")? || worst_case_size(geometry, compression) > u64::from(u32::MAX);
        let settings = Settings {
            compression,
            predictor,
            parallel: options.bool("parallel")?,
        };
        let call = crate::parallel::Call::begin();

        let mut w = Out { w: out, pos: 0, big };
        w.header()?;
        let result = pages.iter().enumerate().try_for_each(|(i, page)| {
            let last = i + 1 == pages.len();
            write_page(&mut w, &mut self.page, &mut self.coders, &call, page, &settings, last)
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

/// The output stream and the file offset reached.
struct Out<'w> {
    w: &'w mut dyn Write,
    pos: u64,
    big: bool,
}

impl Out<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.w.write_all(bytes)?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    /// The header in native byte order, pointing at the first IFD right after it.
    fn header(&mut self) -> Result<()> {
        let order = if cfg!(target_endian = "little") { b"II" } else { b"MM" };
        let mut h = [0u8; 16];
        h[..2].copy_from_slice(order);
        let len = if self.big {
            h[2..4].copy_from_slice(&43u16.to_ne_bytes());
            h[4..6].copy_from_slice(&8u16.to_ne_bytes());
            h[6..8].copy_from_slice(&0u16.to_ne_bytes());
            h[8..16].copy_from_slice(&16u64.to_ne_bytes());
            16
        } else {
            h[2..4].copy_from_slice(&42u16.to_ne_bytes());
            h[4..8].copy_from_slice(&8u32.to_ne_bytes());
            8
        };
        self.put(&h[..len])
    }
}

/// TIFF field types used by the encoder.
const SHORT: u16 = 3;
const LONG: u16 = 4;
const LONG8: u16 = 16;

/// One IFD entry: tag, field type, count and where its native-endian value bytes are in
/// [`Ifd::values`].
#[derive(Clone, Copy)]
struct Entry {
    tag: u16,
    ty: u16,
    count: u64,
    start: usize,
    len: usize,
}

/// One IFD under construction; its buffers are reused from page to page.
#[derive(Default)]
struct Ifd {
    big: bool,
    entries: Vec<Entry>,
    values: Vec<u8>,
    /// Out-of-line values while writing.
    extra: Vec<u8>,
}

impl Ifd {
    fn reset(&mut self, big: bool) {
        self.big = big;
        self.entries.clear();
        self.values.clear();
    }

    fn push(&mut self, tag: u16, ty: u16, count: u64, start: usize) {
        let len = self.values.len() - start;
        self.entries.push(Entry {
            tag,
            ty,
            count,
            start,
            len,
        });
    }

    /// `n` SHORT values all equal to `v`.
    fn shorts(&mut self, tag: u16, v: u16, n: usize) {
        let start = self.values.len();
        for _ in 0..n {
            self.values.extend_from_slice(&v.to_ne_bytes());
        }
        self.push(tag, SHORT, n as u64, start);
    }

    fn short(&mut self, tag: u16, v: u16) {
        self.shorts(tag, v, 1);
    }

    fn long(&mut self, tag: u16, v: u32) {
        let start = self.values.len();
        self.values.extend_from_slice(&v.to_ne_bytes());
        self.push(tag, LONG, 1, start);
    }

    /// Strip offsets or byte counts: LONG in classic TIFF, LONG8 in BigTIFF.
    fn offsets(&mut self, tag: u16, v: &[u64]) -> Result<()> {
        let start = self.values.len();
        if self.big {
            for &x in v {
                self.values.extend_from_slice(&x.to_ne_bytes());
            }
        } else {
            for &x in v {
                let x = u32::try_from(x).map_err(|_| enc_err("the file passed 4 GiB; write it with bigtiff=true"))?;
                self.values.extend_from_slice(&x.to_ne_bytes());
            }
        }
        self.push(tag, if self.big { LONG8 } else { LONG }, v.len() as u64, start);
        Ok(())
    }

    /// Removes the last entry (and its value bytes).
    fn pop(&mut self) {
        if let Some(e) = self.entries.pop() {
            self.values.truncate(e.start);
        }
    }

    /// Bytes of the value field inside an entry (values up to this size are stored inline).
    fn inline(&self) -> usize {
        if self.big {
            8
        } else {
            4
        }
    }

    /// Size of the IFD with its out-of-line values (each padded to an even length).
    fn len(&self) -> u64 {
        let (head, entry, next) = if self.big { (8, 20, 8) } else { (2, 12, 4) };
        let extra: usize = self
            .entries
            .iter()
            .filter(|e| e.len > self.inline())
            .map(|e| e.len.next_multiple_of(2))
            .sum();
        (head + entry * self.entries.len() + next + extra) as u64
    }

    /// Writes into `out` the IFD as placed at file offset `at` (even), followed by its
    /// out-of-line values; `next` is the offset of the next IFD (0 for the last).
    fn write(&mut self, at: u64, next: u64, out: &mut Vec<u8>) {
        self.entries.sort_unstable_by_key(|e| e.tag);
        let inline = self.inline();
        let big = self.big;
        let (head, entry, next_len) = if big { (8, 20, 8) } else { (2, 12, 4) };
        let mut extra_at = at + (head + entry * self.entries.len() + next_len) as u64;
        out.clear();
        self.extra.clear();
        let word = |out: &mut Vec<u8>, v: u64| {
            if big {
                out.extend_from_slice(&v.to_ne_bytes());
            } else {
                // Counts and offsets of a classic file were checked to fit 32 bits.
                out.extend_from_slice(&(v as u32).to_ne_bytes());
            }
        };
        if big {
            out.extend_from_slice(&(self.entries.len() as u64).to_ne_bytes());
        } else {
            out.extend_from_slice(&(self.entries.len() as u16).to_ne_bytes());
        }
        for e in &self.entries {
            let value = &self.values[e.start..e.start + e.len];
            out.extend_from_slice(&e.tag.to_ne_bytes());
            out.extend_from_slice(&e.ty.to_ne_bytes());
            word(out, e.count);
            if value.len() <= inline {
                out.extend_from_slice(value);
                out.resize(out.len() + inline - value.len(), 0);
            } else {
                word(out, extra_at);
                self.extra.extend_from_slice(value);
                if value.len() % 2 == 1 {
                    self.extra.push(0);
                }
                extra_at += value.len().next_multiple_of(2) as u64;
            }
        }
        word(out, next);
        out.extend_from_slice(&self.extra);
    }
}

fn write_page(
    w: &mut Out<'_>,
    b: &mut PageBuffers,
    coders: &mut StripCoders,
    call: &crate::parallel::Call,
    page: &ImageRef<'_>,
    s: &Settings,
    last: bool,
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
    let direct = s.compression == Compression::None && !s.predictor;
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
        Layout::Gray | Layout::GrayAlpha => 1,
        Layout::Rgb | Layout::Rgba => 2,
        Layout::Cmyk => 5,
    };
    let sample_format: u16 = match format.sample {
        SampleType::U8 | SampleType::U16 | SampleType::U32 | SampleType::U64 => 1,
        SampleType::I8 | SampleType::I16 | SampleType::I32 | SampleType::I64 => 2,
        SampleType::F32 | SampleType::F64 => 3,
    };
    let ifd = &mut b.ifd;
    ifd.reset(w.big);
    ifd.long(256, page.width()); // ImageWidth
    ifd.long(257, page.height()); // ImageLength
    ifd.shorts(258, format.sample.bits() as u16, ch); // BitsPerSample
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
        ifd.short(317, 2); // Predictor: horizontal differencing
    }
    // The offsets depend on the IFD's size, which depends only on how many there are.
    ifd.offsets(279, &b.counts)?; // StripByteCounts
    b.offsets.clear();
    b.offsets.resize(n, 0);
    ifd.offsets(273, &b.offsets)?; // StripOffsets (placeholder of the right size)
    let at = w.pos;
    let mut end = at + ifd.len();
    for (o, &c) in b.offsets.iter_mut().zip(&b.counts) {
        *o = end;
        end += c;
    }
    ifd.pop();
    ifd.offsets(273, &b.offsets)?;
    let next = if last { 0 } else { end + end % 2 };
    if !w.big && u32::try_from(next).is_err() {
        return Err(enc_err("the file passed 4 GiB; write it with bigtiff=true"));
    }
    ifd.write(at, next, &mut b.ifd_bytes);
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
    if !last && end % 2 == 1 {
        // IFDs start on a word boundary.
        w.put(&[0])?;
    }
    Ok(())
}

/// A strip buffer and compressors, reused across strips and calls.
#[derive(Default)]
struct StripScratch {
    raw: Vec<u8>,
    deflate: Option<(u32, libdeflater::Compressor)>,
    lzw: Option<super::lzw::Encoder>,
}

/// The encoder's strip coders: one [`StripScratch`] per rayon pool thread, plus one for the
/// calling thread when it is not a pool thread. A strip job takes the one of the thread it
/// runs on, so the coders follow rayon's scheduling and each is used by one job at a time.
#[derive(Default)]
struct StripCoders(Vec<std::sync::Mutex<StripScratch>>);

impl StripCoders {
    /// Makes room for a pool of `threads` threads (and the calling thread).
    fn fit(&mut self, threads: usize) {
        if self.0.len() < threads + 1 {
            self.0.resize_with(threads + 1, Default::default);
        }
    }

    /// Runs `f` with the coders of the current thread: its pool index, or the last slot for
    /// a thread outside the pool. A job never waits: should the slot be busy (a strip job
    /// that re-entered the pool) or missing, it gets a fresh set.
    fn with<R>(&self, f: impl FnOnce(&mut StripScratch) -> R) -> R {
        let i = rayon::current_thread_index().unwrap_or(self.0.len().saturating_sub(1));
        match self.0.get(i).and_then(|m| m.try_lock().ok()) {
            Some(mut sc) => f(&mut sc),
            None => f(&mut StripScratch::default()),
        }
    }
}

/// The libdeflate level for pixcodec's `level` option: the same number. libdeflate's levels
/// 1..=9 correspond to zlib's in speed/size trade-off while compressing smaller and faster
/// (on the 1920x1080 RGB8 bench image level 6 writes a file the size of tifffile's, which
/// uses libdeflate level 6 as well); libdeflate's levels 10..=12 (near-optimal parsing, many
/// times slower) are not used.
fn libdeflate_level(level: u32) -> libdeflater::CompressionLvl {
    libdeflater::CompressionLvl::new(level.clamp(1, 9) as i32).unwrap_or_default()
}

/// Codes rows `y..y + n` of `page` into one strip (predictor, then compression), replacing
/// the contents of `dst` and reusing its capacity.
fn code_strip(
    sc: &mut StripScratch,
    page: &ImageRef<'_>,
    y: u32,
    n: u32,
    s: &Settings,
    dst: &mut Vec<u8>,
) -> Result<()> {
    let format = page.format();
    let (ch, size) = (format.channels(), format.sample.size());
    let rb = page.row_bytes();
    let StripScratch { raw: buf, deflate, lzw } = sc;
    if s.compression == Compression::None {
        // Predicted but uncompressed: the predicted rows are the strip itself.
        strip_rows(page, y, n, s.predictor, ch, size, dst);
        return Ok(());
    }
    let raw: &[u8] = if !s.predictor && page.is_contiguous() {
        // The rows are already one packed strip in the caller's memory.
        &page.as_bytes()[y as usize * rb..(y + n) as usize * rb]
    } else {
        strip_rows(page, y, n, s.predictor, ch, size, buf);
        buf
    };
    dst.clear();
    match s.compression {
        // Written straight into `dst` above.
        Compression::None => {}
        Compression::Lzw => lzw.get_or_insert_with(super::lzw::Encoder::new).encode(raw, dst),
        Compression::Deflate(level) => {
            let c = match deflate {
                Some((l, c)) if *l == level => c,
                slot => {
                    &mut slot
                        .insert((level, libdeflater::Compressor::new(libdeflate_level(level))))
                        .1
                }
            };
            dst.resize(c.zlib_compress_bound(raw.len()), 0);
            let len = c
                .zlib_compress(raw, dst)
                .map_err(|e| enc_err(format!("deflate: {e}")))?;
            dst.truncate(len);
        }
        Compression::Packbits => {
            // Each row is packed on its own, as TIFF requires.
            dst.reserve(raw.len() + raw.len() / 128 + 2 * n as usize);
            for row in raw.chunks(rb.max(1)) {
                packbits_row(row, dst);
            }
        }
    }
    Ok(())
}

/// Replaces the contents of `out` with rows `y..y + n` of `page`, packed, with the predictor
/// differences when `predictor` is set.
fn strip_rows(page: &ImageRef<'_>, y: u32, n: u32, predictor: bool, ch: usize, size: usize, out: &mut Vec<u8>) {
    let rb = page.row_bytes();
    out.clear();
    out.resize(n as usize * rb, 0);
    for (r, row) in (y..y + n).zip(out.chunks_exact_mut(rb.max(1))) {
        if predictor {
            predict_row(page.row(r), row, ch, size);
        } else {
            row.copy_from_slice(page.row(r));
        }
    }
}

/// Appends the PackBits coding of one row to `out`: runs of 2..=128 equal bytes as
/// (1 - length, byte), everything else as literal packets of up to 128 bytes, which end where
/// a run of three starts. Hand-written (a dozen lines) because the `tiff` crate's encoder
/// allocates a buffer per row, and a warm encode here allocates nothing.
fn packbits_row(row: &[u8], out: &mut Vec<u8>) {
    let n = row.len();
    let mut i = 0;
    while i < n {
        let run = row[i..n.min(i + 128)].iter().take_while(|&&b| b == row[i]).count();
        if run >= 2 {
            out.push((1 - run as i32) as u8);
            out.push(row[i]);
            i += run;
            continue;
        }
        let start = i;
        i += 1;
        while i < n && i - start < 128 && !(i + 2 < n && row[i] == row[i + 1] && row[i] == row[i + 2]) {
            i += 1;
        }
        out.push((i - start - 1) as u8);
        out.extend_from_slice(&row[start..i]);
    }
}

/// Horizontal differencing (TIFF predictor 2) of the row `src` of native-endian samples into
/// `dst`.
fn predict_row(src: &[u8], dst: &mut [u8], channels: usize, size: usize) {
    fn go<T: Wrapping>(src: &[u8], dst: &mut [u8], channels: usize) {
        apply_into::<T>(src, dst, channels);
    }
    match size {
        1 => go::<u8>(src, dst, channels),
        2 => go::<u16>(src, dst, channels),
        4 => go::<u32>(src, dst, channels),
        _ => go::<u64>(src, dst, channels),
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
            assert!(worst_case_size(pages.iter().copied(), c) > limit, "{c:?}");
        }
        // 3 GiB uncompressed fits a classic TIFF; LZW's worst case (x1.5) does not.
        let pages = vec![(8192u64, 8192u32, 128u32); 48];
        assert!(worst_case_size(pages.iter().copied(), Compression::None) < limit);
        assert!(worst_case_size(pages.iter().copied(), Compression::Lzw) > limit);
        // A small page is far below.
        assert!(worst_case_size([(21, 5, 5)], Compression::Packbits) < 2048);
    }

    /// PackBits decoding as TIFF 6.0 section 9 gives it.
    fn unpackbits(mut src: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some((&h, rest)) = src.split_first() {
            let h = h as i8;
            if h >= 0 {
                let n = h as usize + 1;
                out.extend_from_slice(&rest[..n]);
                src = &rest[n..];
            } else if h != -128 {
                out.extend(std::iter::repeat_n(rest[0], (1 - h as isize) as usize));
                src = &rest[1..];
            } else {
                src = rest;
            }
        }
        out
    }

    #[test]
    fn packbits_rows_decode_back_and_compress_runs() {
        let mut state = 1u32;
        let mut rows: Vec<Vec<u8>> = vec![
            vec![],
            vec![7],
            vec![7, 7],
            vec![1, 2],
            vec![5; 300],
            (0..=255).collect(),
        ];
        for _ in 0..200 {
            let len = (state >> 20) as usize % 700;
            let row = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    // Short alphabets make runs of every length.
                    (state >> 28) as u8 % 3
                })
                .collect();
            rows.push(row);
        }
        for row in &rows {
            let mut packed = Vec::new();
            packbits_row(row, &mut packed);
            assert_eq!(unpackbits(&packed), *row);
            assert!(packed.len() <= row.len() + row.len().div_ceil(128));
        }
        let mut packed = Vec::new();
        packbits_row(&[9; 300], &mut packed);
        assert_eq!(packed, [129, 9, 129, 9, 213, 9]);
    }

    #[test]
    fn predictor_differences_wrap_per_channel() {
        let src: Vec<u8> = [10u16, 20, 5, 30, 65535, 0]
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect();
        let mut row = vec![0u8; src.len()];
        predict_row(&src, &mut row, 2, 2);
        let got: Vec<u16> = row.chunks(2).map(|c| u16::from_ne_bytes([c[0], c[1]])).collect();
        assert_eq!(got, [10, 20, 65531, 10, 65530, 65506]);
    }
}
