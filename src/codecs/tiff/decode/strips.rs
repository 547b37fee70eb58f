//! pixcodec's own strip reader for plain chunky strip pages (no, LZW, Deflate or ZSTD
//! compression, 8 to 64-bit samples, no predictor, predictor 2 on integers or 3 on floats):
//! strips decoded straight from the caller's bytes into the caller's buffer, on rayon's pool
//! when the parallelism rule allows it, with the byte swap and the
//! predictor undone in the same per-strip job. Other pages are read by the `tiff` crate.

use std::io::{Read, Seek, SeekFrom};

use rayon::prelude::*;
use tiff::tags::Tag;

use super::ifd::tag_u16;
use super::{guarded, unsupported, TiffDecoder};
use crate::codecs::tiff::NAME;
use crate::error::{Error, Result};
use crate::format::PixelFormat;

/// Where the strips of a plain chunky page are and how they are coded: what the fast path
/// of [`TiffDecoder::read_strips`] needs.
pub(super) struct StripPlan {
    offsets: Vec<u64>,
    counts: Vec<u64>,
    rows_per_strip: u32,
    predictor: bool,
    /// Predictor 3 (floating point): the stored rows are byte planes, never byte-swapped.
    float_predictor: bool,
    swap: bool,
}

/// Per-thread LZW decoder and deflate decoders, reused across strips and calls.
#[derive(Default)]
struct InflateScratch {
    lzw: Option<crate::codecs::tiff::lzw::Decoder>,
    /// libdeflate: the fast path for whole zlib streams.
    libdeflate: Option<libdeflater::Decompressor>,
    /// zlib-rs streaming inflate: the fallback for strips libdeflate refuses (see [`inflate`]).
    inflate: Option<flate2::Decompress>,
    /// libzstd one-shot decompression context (see [`unzstd`]).
    zstd: Option<zstd::bulk::Decompressor<'static>>,
}

thread_local! {
    static INFLATE: std::cell::RefCell<InflateScratch> = std::cell::RefCell::new(InflateScratch::default());
}

impl TiffDecoder<'_> {
    /// The strip layout of the current page when pixcodec's own parallel strip reader handles
    /// it (chunky, strips, 8..64-bit samples, no, LZW, Deflate or ZSTD compression, predictor 1
    /// or 2, not WhiteIsZero), else `None` and the `tiff` crate reads the page.
    pub(super) fn strip_plan(&mut self) -> Result<Option<StripPlan>> {
        let p = self.page;
        if p.planar || p.bits < 8 || p.white_is_zero || self.dec.get_chunk_type() != tiff::decoder::ChunkType::Strip {
            return Ok(None);
        }
        let float = p.format.sample.is_float();
        let (predictor, float_predictor) = match tag_u16(&mut self.dec, Tag::Predictor, 1)? {
            1 => (false, false),
            2 if !float => (true, false),
            3 if float => (false, true),
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
        let swap = p.format.sample.size() > 1 && native_le != file_le && !float_predictor;
        Ok(Some(StripPlan {
            offsets,
            counts,
            rows_per_strip,
            predictor,
            float_predictor,
            swap,
        }))
    }

    /// Reads every strip of the page into `buf` (the packed page in native byte order).
    /// Uncompressed strips are copied straight into `buf`. Compressed strips are decoded each
    /// into its own rows of `buf` (on rayon's pool when pixcodec's parallelism rule allows it,
    /// [`crate::parallel`]), straight from the caller's bytes when the file is in memory (else
    /// the strips are read into one buffer first); the byte swap and the predictor are undone
    /// inside each strip's job while its rows are in cache.
    pub(super) fn read_strips(&mut self, plan: &StripPlan, buf: &mut [u8]) -> Result<()> {
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
            if plan.swap || plan.predictor || plan.float_predictor {
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
            INFLATE.with(|sc| decode_chunk(&mut sc.borrow_mut(), compression, &file[range], dst, "strip", i))?;
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

/// Restores native byte order and undoes the horizontal or floating-point predictor on whole
/// rows of a strip.
fn finish_rows(rows: &mut [u8], row_bytes: usize, format: PixelFormat, plan: &StripPlan) {
    let size = format.sample.size();
    if plan.float_predictor {
        let mut tmp = Vec::new();
        for r in rows.chunks_mut(row_bytes.max(1)) {
            crate::codecs::tiff::predict::float_undo(r, format.channels(), size, &mut tmp);
        }
        return;
    }
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

/// Decompresses one strip or tile (`what`, number `i`, for the messages) into `dst`, which it
/// must fill exactly: none, LZW, Deflate, PackBits or ZSTD. Used by the packed-sample reader
/// (`packed.rs`) for strips and tiles alike.
pub(super) fn decompress(compression: u16, src: &[u8], dst: &mut [u8], what: &str, i: usize) -> Result<()> {
    if compression == 1 {
        if src.len() < dst.len() {
            return Err(Error::decode(
                NAME,
                format!("{what} {i} holds {} bytes, {} expected", src.len(), dst.len()),
            ));
        }
        dst.copy_from_slice(&src[..dst.len()]);
        return Ok(());
    }
    INFLATE.with(|sc| decode_chunk(&mut sc.borrow_mut(), compression, src, dst, what, i))
}

/// Decompresses one strip or tile into `dst`, which it must fill exactly (a short one is an
/// error, extra data after its rows is ignored, as libtiff does).
fn decode_chunk(
    sc: &mut InflateScratch,
    compression: u16,
    src: &[u8],
    dst: &mut [u8],
    what: &str,
    i: usize,
) -> Result<()> {
    let filled = match compression {
        5 => {
            let dec = sc.lzw.get_or_insert_with(crate::codecs::tiff::lzw::Decoder::new);
            dec.decode(src, dst)
                .map_err(|e| Error::decode(NAME, format!("corrupt LZW data in {what} {i}: {e}")))?
        }
        32773 => super::packbits::unpack(src, dst),
        50000 => unzstd(sc, src, dst, what, i)?,
        _ => inflate(sc, src, dst, what, i)?,
    };
    if filled < dst.len() {
        return Err(Error::decode(
            NAME,
            format!("{what} {i} decodes to {filled} bytes, {} expected", dst.len()),
        ));
    }
    Ok(())
}

/// Decompresses one ZSTD strip or tile into `dst` and returns how many bytes it filled.
///
/// libzstd's one-shot call is the fast path; it refuses a frame that decodes to more than
/// `dst` (a last strip padded to full height), which then goes through the streaming
/// decoder, stopping when `dst` is full.
fn unzstd(sc: &mut InflateScratch, src: &[u8], dst: &mut [u8], what: &str, i: usize) -> Result<usize> {
    let corrupt = |e: std::io::Error| Error::decode(NAME, format!("corrupt ZSTD data in {what} {i}: {e}"));
    if sc.zstd.is_none() {
        sc.zstd = Some(zstd::bulk::Decompressor::new().map_err(corrupt)?);
    }
    if let Some(Ok(n)) = sc.zstd.as_mut().map(|z| z.decompress_to_buffer(src, &mut *dst)) {
        return Ok(n);
    }
    let mut stream = zstd::stream::read::Decoder::with_buffer(src).map_err(corrupt)?;
    let mut filled = 0;
    while filled < dst.len() {
        match stream.read(&mut dst[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(corrupt(e)),
        }
    }
    Ok(filled)
}

/// Inflates one zlib strip into `dst` and returns how many bytes it filled.
///
/// libdeflate decodes a whole stream in one call (the fast path). It refuses a stream that
/// decodes to more than `dst` (writers that pad the last strip to full height) or that lacks
/// its end or checksum; such strips go through zlib-rs's streaming inflate, which stops when
/// `dst` is full and so reads them exactly as before libdeflate was added.
fn inflate(sc: &mut InflateScratch, src: &[u8], dst: &mut [u8], what: &str, i: usize) -> Result<usize> {
    let fast = sc.libdeflate.get_or_insert_with(libdeflater::Decompressor::new);
    if let Ok(n) = fast.zlib_decompress(src, dst) {
        return Ok(n);
    }
    let z = sc.inflate.get_or_insert_with(|| flate2::Decompress::new(true));
    z.reset(true);
    match z.decompress(src, dst, flate2::FlushDecompress::Finish) {
        Ok(_) => Ok(z.total_out() as usize),
        Err(e) => Err(Error::decode(NAME, format!("corrupt Deflate data in {what} {i}: {e}"))),
    }
}

/// Undoes horizontal differencing (TIFF predictor 2) on one row of native-endian samples.
fn unpredict_row(row: &mut [u8], channels: usize, size: usize) {
    use crate::codecs::tiff::predict::{undo, undo_any, Wrapping};
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
