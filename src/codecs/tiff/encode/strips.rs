//! Strip coding: one strip's rows, predicted when asked, then compressed with LZW, Deflate
//! (libdeflate) or PackBits into a reused buffer, with the compressors kept per rayon thread
//! ([`StripCoders`]) so a warm encoder allocates nothing. Strips are independent, which is
//! what lets the encoder code them in parallel.

use super::{enc_err, Compression, Settings};
use crate::codecs::tiff::predict::{apply_into, float_apply_into, Wrapping};
use crate::error::Result;
use crate::image::ImageRef;

/// A strip buffer and compressors, reused across strips and calls.
#[derive(Default)]
pub(super) struct StripScratch {
    raw: Vec<u8>,
    deflate: Option<(u32, libdeflater::Compressor)>,
    lzw: Option<crate::codecs::tiff::lzw::Encoder>,
    zstd: Option<(i32, zstd::bulk::Compressor<'static>)>,
}

/// The encoder's strip coders: one [`StripScratch`] per rayon pool thread, plus one for the
/// calling thread when it is not a pool thread. A strip job takes the one of the thread it
/// runs on, so the coders follow rayon's scheduling and each is used by one job at a time.
#[derive(Default)]
pub(super) struct StripCoders(Vec<std::sync::Mutex<StripScratch>>);

impl StripCoders {
    /// Makes room for a pool of `threads` threads (and the calling thread).
    pub(super) fn fit(&mut self, threads: usize) {
        if self.0.len() < threads + 1 {
            self.0.resize_with(threads + 1, Default::default);
        }
    }

    /// Runs `f` with the coders of the current thread: its pool index, or the last slot for
    /// a thread outside the pool. A job never waits: should the slot be busy (a strip job
    /// that re-entered the pool) or missing, it gets a fresh set.
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut StripScratch) -> R) -> R {
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
pub(super) fn code_strip(
    sc: &mut StripScratch,
    page: &ImageRef<'_>,
    y: u32,
    n: u32,
    s: &Settings,
    dst: &mut Vec<u8>,
) -> Result<()> {
    let format = page.format();
    let (ch, size) = (format.channels(), format.sample.size());
    let mut rb = page.row_bytes();
    let StripScratch {
        raw: buf,
        deflate,
        lzw,
        zstd,
    } = sc;
    if let Some(bits) = s.packed_bits {
        rb = super::packed::row_bytes(page.width() as usize * ch, bits);
    }
    if s.compression == Compression::None {
        // Uncompressed (never predicted, see `Settings::predictor`): the rows, packed to
        // their stored width when asked, are the strip.
        match s.packed_bits {
            Some(bits) => super::packed::pack_rows(page, y, n, bits, false, dst),
            None => strip_rows(page, y, n, false, ch, size, dst),
        }
        return Ok(());
    }
    let raw: &[u8] = if let Some(bits) = s.packed_bits {
        super::packed::pack_rows(page, y, n, bits, s.predictor, buf);
        buf
    } else if !s.predictor && page.is_contiguous() {
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
        Compression::Lzw => lzw
            .get_or_insert_with(crate::codecs::tiff::lzw::Encoder::new)
            .encode(raw, dst),
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
        Compression::Zstd(level) => {
            let c = match zstd {
                Some((l, c)) if *l == level => c,
                slot => {
                    let c = zstd::bulk::Compressor::new(level).map_err(|e| enc_err(format!("zstd: {e}")))?;
                    &mut slot.insert((level, c)).1
                }
            };
            dst.reserve(zstd::zstd_safe::compress_bound(raw.len()));
            c.compress_to_buffer(raw, dst)
                .map_err(|e| enc_err(format!("zstd: {e}")))?;
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
/// coding when `predictor` is set: horizontal differencing (predictor 2) for integer samples,
/// the floating-point predictor (3) for float samples.
fn strip_rows(page: &ImageRef<'_>, y: u32, n: u32, predictor: bool, ch: usize, size: usize, out: &mut Vec<u8>) {
    let rb = page.row_bytes();
    let float = page.format().sample.is_float();
    out.clear();
    out.resize(n as usize * rb, 0);
    for (r, row) in (y..y + n).zip(out.chunks_exact_mut(rb.max(1))) {
        if predictor && float {
            float_apply_into(page.row(r), row, ch, size);
        } else if predictor {
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
