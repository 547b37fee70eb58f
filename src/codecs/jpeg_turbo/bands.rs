//! One image as horizontal bands: encoded as independent JPEGs and joined with restart
//! markers, or decoded as two cropping regions at once. Whether the bands run on rayon's pool
//! or one after another is pixcodec's parallelism rule ([`crate::parallel`]); the bytes
//! written do not depend on it.

use rayon::prelude::*;
use turbojpeg::raw;

use super::decode::{decode_err, decompress_error};
use super::handle::{Bits, CompressSettings, Compressor, Decompressor};
use super::markers::{scan_layout, ScanLayout};
use super::{PARALLEL_BAND_PIXELS, PARALLEL_MIN_PIXELS};
use crate::codec::DctMethod;
use crate::error::Result;
use crate::image::ImageRef;
use crate::parallel::{join_measured, Contention};

/// Condition 5 of pixcodec's parallelism rule for two-band decodes (~1.3x the CPU of one
/// pass): paused after two band decodes in a row whose threads waited for cores.
pub(super) static DECODE_CONTENTION: Contention = Contention::new();

/// MCU width and height in pixels for a subsampling mode.
fn mcu_size(subsamp: turbojpeg::Subsamp) -> (u32, u32) {
    match subsamp {
        turbojpeg::Subsamp::Sub2x1 => (16, 8),
        turbojpeg::Subsamp::Sub2x2 => (16, 16),
        turbojpeg::Subsamp::Sub1x2 => (8, 16),
        turbojpeg::Subsamp::Sub4x1 => (32, 8),
        _ => (8, 8),
    }
}

/// Rows per band for a banded encode, or `None` when the image is encoded in one piece:
/// too small, or a mode whose bands could not be joined (progressive, optimized Huffman
/// tables or arithmetic coding give each band its own tables or coder state).
///
/// The band count is the number of [`PARALLEL_BAND_PIXELS`] in the image, rounded up to an
/// even number (so two or four cores share the work evenly); the bands are whole MCU rows of
/// near-equal height. The layout depends only on the settings and the image size.
pub(super) fn band_rows(s: &CompressSettings, height: u32) -> Option<u32> {
    if s.progressive || s.optimize || s.arithmetic {
        return None;
    }
    let pixels = u64::from(s.width) * u64::from(height);
    if pixels < PARALLEL_MIN_PIXELS {
        return None;
    }
    let (mcu_w, mcu_h) = mcu_size(s.subsamp);
    let mcus_per_row = u64::from(s.width.div_ceil(mcu_w));
    let mcu_rows = u64::from(height.div_ceil(mcu_h));
    let bands = pixels.div_ceil(PARALLEL_BAND_PIXELS).next_multiple_of(2);
    // The restart interval (MCUs per band) is a 16-bit field.
    let band_mcu_rows = mcu_rows.div_ceil(bands).min(u64::from(u16::MAX) / mcus_per_row);
    if band_mcu_rows == 0 || band_mcu_rows >= mcu_rows {
        return None;
    }
    Some(band_mcu_rows as u32 * mcu_h)
}

/// Encodes horizontal bands of `rows` rows (on rayon's pool when `concurrent`, else one after
/// another on this thread, with the same result) and joins them into one baseline JPEG with a
/// restart interval of one band. Every band is an independent JPEG with the same tables, and
/// the entropy-coded data of an independent encode is exactly a restart segment (DC
/// predictions start at 0, the last byte is padded with 1-bits); bands start on MCU rows and
/// the chroma downsampling is local to an MCU, so the joined file holds the very coefficients
/// a single encode computes (`tests/jpeg.rs` checks it byte for byte against libjpeg-turbo's
/// own restart-interval encode). `slots` holds the compressors, one per band (more are made
/// as needed). Returns `Ok(false)`, having written nothing, if the band headers differ (which
/// libjpeg-turbo never does).
pub(super) fn encode(
    slots: &mut Vec<Compressor>,
    s: &CompressSettings,
    image: &ImageRef<'_>,
    rows: u32,
    concurrent: bool,
    out: &mut dyn std::io::Write,
) -> Result<bool> {
    let height = image.height();
    let stride = image.stride();
    let bytes = image.as_bytes();
    let count = height.div_ceil(rows) as usize;
    while slots.len() < count {
        slots.push(Compressor::new()?);
    }
    let slots = &mut slots[..count];
    let band = |(k, slot): (usize, &mut Compressor)| {
        let y0 = k as u32 * rows;
        slot.compress(s, &bytes[y0 as usize * stride..], stride, rows.min(height - y0))
    };
    if concurrent {
        slots.par_iter_mut().enumerate().try_for_each(band)?;
    } else {
        slots.iter_mut().enumerate().try_for_each(band)?;
    }
    let Some(layouts) = slots
        .iter()
        .map(|slot| scan_layout(slot.output()))
        .collect::<Option<Vec<ScanLayout>>>()
    else {
        return Ok(false);
    };
    let (first, l0) = (slots[0].output(), &layouts[0]);
    let same_header = slots.iter().zip(&layouts).all(|(slot, l)| {
        let b = slot.output();
        l.height_at == l0.height_at
            && l.data_at == l0.data_at
            && b[..l.height_at] == first[..l0.height_at]
            && b[l.height_at + 2..l.data_at] == first[l0.height_at + 2..l0.data_at]
    });
    let (mcu_w, mcu_h) = mcu_size(s.subsamp);
    let Ok(interval) = u16::try_from(s.width.div_ceil(mcu_w) * (rows / mcu_h)) else {
        return Ok(false);
    };
    if !same_header {
        return Ok(false);
    }
    out.write_all(&first[..l0.height_at])?;
    out.write_all(&(height as u16).to_be_bytes())?;
    out.write_all(&first[l0.height_at + 2..l0.sos_at])?;
    let [hi, lo] = interval.to_be_bytes();
    out.write_all(&[0xFF, 0xDD, 0x00, 0x04, hi, lo])?;
    out.write_all(&first[l0.sos_at..l0.data_at])?;
    for (k, (slot, l)) in slots.iter().zip(&layouts).enumerate() {
        if k > 0 {
            out.write_all(&[0xFF, 0xD0 + ((k - 1) % 8) as u8])?;
        }
        let b = slot.output();
        out.write_all(&b[l.data_at..b.len() - 2])?;
    }
    out.write_all(&[0xFF, 0xD9])?;
    Ok(true)
}

/// Decodes rows `0..split` and `split..height` of the 8-bit JPEG `file` into `buf` (rows
/// `pitch` bytes apart) at the same time on rayon's pool, each with its own TurboJPEG
/// instance (set to `dct_method`) and a cropping region. The lower band's instance entropy-decodes the rows above
/// it without reconstructing them (`jpeg_skip_scanlines`), so the split sits below the middle
/// to even out the work; the upper band stops after its rows. Both bands check every warning,
/// and between them every byte of entropy-coded data is decoded, so a corrupt or truncated
/// file fails as in a single decode. The pixels are identical to a single decode
/// (`tests/jpeg.rs`). Whether the bands' threads got their cores is recorded in `contention`
/// ([`DECODE_CONTENTION`] outside tests).
#[allow(clippy::too_many_arguments)]
pub(super) fn decode(
    contention: &Contention,
    file: &[u8],
    guards: (i32, i32),
    dct_method: DctMethod,
    pf: raw::TJPF,
    height: u32,
    buf: &mut [u8],
    pitch: usize,
) -> Result<()> {
    let h = height as usize;
    // Skipping a row costs ~0.4-0.5 of decoding it (bench/README.md), so the upper band gets
    // ~64% of the rows.
    let split = h * 16 / 25;
    let (top, bottom) = buf.split_at_mut(split * pitch);
    let band = |y: usize, rows: usize, out: &mut [u8]| -> Result<()> {
        let mut dec = Decompressor::new(std::borrow::Cow::Borrowed(file), guards)?;
        dec.read_header().map_err(decode_err)?;
        dec.set(raw::TJPARAM_TJPARAM_FASTDCT, i32::from(dct_method == DctMethod::Fast))?;
        dec.set_rows(y as u32, rows as u32).map_err(decode_err)?;
        dec.decompress(Bits::Eight, out, pitch, pf).map_err(decompress_error)
    };
    let (a, b) = join_measured(contention, || band(0, split, top), || band(split, h - split, bottom));
    a.and(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EncodeOptions, Layout, PixelFormat, SampleType};
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Stops the spinning threads when dropped, also when the test fails.
    struct Stop<'a>(&'a AtomicBool);

    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }

    /// With more busy threads than cores, band decodes' threads wait for cores: band decodes
    /// pause, and the pixels are still those of one pass.
    #[test]
    fn band_decodes_under_contention_pause_band_decodes() {
        let (w, h) = (2048u32, 1536u32);
        let format = PixelFormat::new(Layout::Rgb, SampleType::U8);
        let image = crate::testkit::generate(w, h, format, 7);
        let file = crate::encode(image.as_ref(), "jpeg", &EncodeOptions::new())
            .unwrap()
            .data;
        // One pass: on a one-thread pool nothing splits.
        let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let one_pass = one_thread.install(|| crate::decode(&file)).unwrap();
        let pitch = w as usize * 3;
        let mut buf = vec![0u8; pitch * h as usize];
        let contention = Contention::new();
        let stop = AtomicBool::new(false);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut decodes = 0;
        std::thread::scope(|s| {
            let _stop = Stop(&stop);
            // 2n + 2 spinning threads on n cores: each band's thread gets under half a core.
            for _ in 0..2 * cores + 2 {
                s.spawn(|| {
                    while !stop.load(Ordering::Relaxed) {
                        std::hint::spin_loop();
                    }
                });
            }
            // Two waits in a row pause band decodes; a band may now and then run whole
            // within one time slice (unclear), so allow a few more decodes.
            while !contention.paused() && decodes < 10 {
                decode(
                    &contention,
                    &file,
                    (0, 0),
                    DctMethod::Accurate,
                    raw::TJPF_TJPF_RGB,
                    h,
                    &mut buf,
                    pitch,
                )
                .unwrap();
                decodes += 1;
            }
        });
        assert!(
            contention.paused(),
            "{decodes} band decodes among busy threads did not pause band decodes"
        );
        assert!(buf == one_pass.as_bytes(), "band decode differs from one pass");
    }

    /// The band path itself (whatever the parallelism rule would say on a busy test machine):
    /// every subsampling with and without restart markers, gray and CMYK, into padded rows
    /// (padding untouched) equal to a one-pass decode; a truncated file fails.
    #[test]
    fn band_decode_equals_one_pass() {
        let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let mut files = Vec::new();
        let rgb = crate::testkit::generate(700, 613, PixelFormat::new(Layout::Rgb, SampleType::U8), 11);
        for sub in ["444", "422", "420", "440", "411"] {
            for parallel in [false, true] {
                let o = EncodeOptions::new().set("subsampling", sub).set("parallel", parallel);
                let file = crate::encode(rgb.as_ref(), "jpeg", &o).unwrap().data;
                files.push((
                    format!("rgb {sub} restart markers={parallel}"),
                    file,
                    raw::TJPF_TJPF_RGB,
                ));
            }
        }
        for (layout, pf) in [(Layout::Gray, raw::TJPF_TJPF_GRAY), (Layout::Cmyk, raw::TJPF_TJPF_CMYK)] {
            let img = crate::testkit::generate(640, 480, PixelFormat::new(layout, SampleType::U8), 12);
            let file = crate::encode(img.as_ref(), "jpeg", &EncodeOptions::new()).unwrap().data;
            files.push((format!("{layout:?}"), file, pf));
        }
        for (name, file, pf) in &files {
            let single = one_thread.install(|| crate::decode(file)).unwrap();
            let row = single.row_bytes();
            let pitch = row + 5;
            let h = single.height();
            let mut buf = vec![0xA5u8; pitch * h as usize];
            decode(
                &Contention::new(),
                file,
                (0, 0),
                DctMethod::Accurate,
                *pf,
                h,
                &mut buf,
                pitch,
            )
            .unwrap();
            for y in 0..h {
                let got = &buf[y as usize * pitch..][..pitch];
                assert!(got[..row] == *single.as_ref().row(y), "{name}: row {y} differs");
                assert!(
                    got[row..].iter().all(|&b| b == 0xA5),
                    "{name}: padding of row {y} written"
                );
            }
            let cut = &file[..file.len() * 3 / 4];
            let r = decode(
                &Contention::new(),
                cut,
                (0, 0),
                DctMethod::Accurate,
                *pf,
                h,
                &mut buf,
                pitch,
            );
            assert!(r.is_err(), "{name}: truncated file decoded");
        }
    }
}
