//! The round trip of `roundtrip` with images large enough for the codecs' parallel paths:
//! PNG's segmented parallel deflate, JPEG's banded encode (restart markers between bands)
//! and two-band decode, and TIFF's strips coded in parallel. The codecs of
//! [`PARALLEL_CODECS`], any format of their tables, 1..=2 pages, padded rows, arbitrary
//! options (so the sequential modes are reached too: `parallel=false`, progressive JPEG,
//! uncompressed TIFF). The other codecs have no parallel path and some are far too slow at
//! this size (the GIF encoder's colour quantizer took over 10 s per image under ASan);
//! `roundtrip` covers them at small sizes.
//!
//! The thresholds are private to the codecs and may move, so the size is not read from
//! them: every page has at least [`MIN_PIXELS`] pixels and [`MIN_BYTES`] bytes, twice the
//! largest threshold at the time of writing (PNG: 1 MiB of filtered bytes; JPEG: 2^18
//! pixels for bands, encode and decode; TIFF: 256 KiB per strip, so several strips). Rayon's
//! pool gets at least two threads, since every parallel path needs two, even on one core.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pixcodec::ImageRef;

/// The codecs with a parallel path. The target panics when one is missing from the
/// registry, so a rename cannot silently drop it from fuzzing; add codecs as they gain one.
const PARALLEL_CODECS: [&str; 3] = ["png", "jpeg-turbo", "tiff"];

/// Smallest page, in pixels: twice JPEG's band threshold (2^18).
const MIN_PIXELS: usize = 1 << 19;
/// Smallest page, in bytes: twice PNG's parallel-deflate threshold (1 MiB), eight TIFF strips.
const MIN_BYTES: usize = 2 << 20;

#[derive(Debug, Arbitrary)]
struct Input {
    codec: u8,
    format: u8,
    /// Picks the width: 64 << (shape % 7) plus 0..15, so MCU and strip edges fall anywhere;
    /// the height follows from the size (every dimension stays within JPEG's 65 500).
    shape: u8,
    pages: u8,
    pad: u8,
    /// Mask over a pseudo-random stream XORed into the pixels: 0 keeps the fuzzer's pattern
    /// (highly compressible), 0xFF makes them noise (incompressible).
    noise: u8,
    options: Vec<(u8, u8)>,
    pixels: Vec<u8>,
}

fuzz_target!(|inp: Input| {
    static POOL: std::sync::Once = std::sync::Once::new();
    POOL.call_once(|| {
        let n = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
        // Fails only when the pool already exists, which nothing here creates before.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
    });
    let name = PARALLEL_CODECS[inp.codec as usize % PARALLEL_CODECS.len()];
    let codec = pixcodec_fuzz::registry()
        .by_name(name)
        .unwrap_or_else(|| panic!("roundtrip_parallel: no codec named {name} (renamed? update PARALLEL_CODECS)"));
    let caps = codec.capabilities();
    let cap = caps.encode[inp.format as usize % caps.encode.len()];
    let format = cap.format;
    let bpp = format.bytes_per_pixel();
    let w = (64usize << (inp.shape % 7)) + usize::from(inp.shape / 7 % 16);
    let pixels = MIN_PIXELS.max(MIN_BYTES.div_ceil(bpp));
    let h = pixels.div_ceil(w);
    let n_pages = if caps.multi_page_encode {
        1 + inp.pages as usize % 2
    } else {
        1
    };
    let row = w * bpp;
    let stride = row + (inp.pad as usize % 3) * format.sample.size();

    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ u64::from(inp.noise) ^ (inp.pixels.len() as u64) << 8;
    let mut bufs = Vec::new();
    for p in 0..n_pages {
        let mut buf = vec![0u8; stride * h];
        for (i, b) in buf.iter_mut().enumerate() {
            let base = if inp.pixels.is_empty() {
                (i % 251) as u8
            } else {
                inp.pixels[(i + p * 7) % inp.pixels.len()].wrapping_add(p as u8)
            };
            let noise = if inp.noise == 0 {
                0
            } else {
                // xorshift64: cheap, deterministic for a given input.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8 & inp.noise
            };
            *b = base ^ noise;
        }
        bufs.push(buf);
    }
    let pages: Vec<ImageRef<'_>> = bufs
        .iter()
        .map(|b| ImageRef::new(b, w as u32, h as u32, format, stride).expect("valid geometry"))
        .collect();
    let opts = pixcodec_fuzz::encode_options(codec.as_ref(), &inp.options, 3);
    pixcodec_fuzz::check_roundtrip(codec.as_ref(), cap, &pages, &opts);
});
