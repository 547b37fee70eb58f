//! Resource bounds under hostile headers, measured with a counting global allocator.
//!
//! Each case is a tiny file whose header claims something enormous (2^31 x 2^31 pixels,
//! 65535 x 65535, 65535 pages, 2^30-entry strip tables, 4 GiB strips, giant npy shapes).
//! Decoding it with `Limits::max_alloc_bytes` = 64 MiB must fail (or succeed) while the
//! peak of live heap bytes allocated by the decoding thread stays below that limit, and
//! quickly: decode work is bounded by the input size and the limits.

mod common;

use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

use pixcodec::{DecodeOptions, ErrorKind, Layout, Limits, PixelFormat, Registry, SampleType};

/// Counts live bytes and their peak per thread (so parallel tests do not disturb each other).
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn add(n: isize) {
    // `try_with` because the allocator also runs while thread-locals are torn down.
    let _ = LIVE.try_with(|l| {
        let v = l.get() + n;
        l.set(v);
        let _ = PEAK.try_with(|p| {
            if v > p.get() {
                p.set(v)
            }
        });
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: AllocLayout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: AllocLayout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: AllocLayout) {
        unsafe { System.dealloc(ptr, layout) };
        add(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: AllocLayout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Old and new block coexist during the copy: count the peak conservatively.
            add(new_size as isize);
            add(-(layout.size() as isize));
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns its result and the peak of bytes allocated above the starting level.
fn measure<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let base = LIVE.with(|l| l.get());
    PEAK.with(|p| p.set(base));
    let r = f();
    let peak = PEAK.with(|p| p.get()) - base;
    (r, peak.max(0) as u64)
}

const LIMIT: u64 = 64 << 20;

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_alloc_bytes = LIMIT;
    l
}

/// Decodes `data` every way (probe, first page, all pages, volume) with the 64 MiB limit
/// and checks peak allocation and time. Returns the error kind of `decode_pages`.
fn hostile(name: &str, data: &[u8], limits: Limits) -> Option<ErrorKind> {
    let reg = Registry::with_builtins();
    let opts = DecodeOptions::new().limits(limits);
    let t = Instant::now();
    let ((probe, first, pages, volume), peak) = measure(|| {
        (
            reg.probe(data, &opts).map(|_| ()),
            reg.decode(data, &opts).map(|_| ()),
            reg.decode_pages(data, &opts).map(|_| ()),
            reg.decode_volume(data, &opts).map(|_| ()),
        )
    });
    let took = t.elapsed();
    let kind = pages.as_ref().err().map(|e| e.kind());
    eprintln!(
        "{name}: {} input bytes, peak {:.2} MiB, {took:?}; probe {:?}, decode {:?}, pages {:?}, volume {:?}",
        data.len(),
        peak as f64 / (1 << 20) as f64,
        probe.err().map(|e| e.to_string()),
        first.err().map(|e| e.kind()),
        kind,
        volume.err().map(|e| e.kind()),
    );
    assert!(
        peak < limits.max_alloc_bytes,
        "{name}: peak allocation {peak} bytes is above the configured limit {}",
        limits.max_alloc_bytes
    );
    assert!(took < Duration::from_secs(10), "{name}: decoding took {took:?}");
    kind
}

// ---------------------------------------------------------------- builders

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A PNG claiming `w` x `h` with a tiny (stored, empty-ish) IDAT.
fn png(w: u32, h: u32, depth: u8, color: u8) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[depth, color, 0, 0, 0]);
    png_chunk(&mut v, b"IHDR", &ihdr);
    // zlib stream: one stored block of 16 zero bytes, then adler32 of them.
    let mut z = vec![0x78, 0x01, 0x01, 16, 0, !16u8, 0xFF];
    z.extend_from_slice(&[0u8; 16]);
    z.extend_from_slice(&0x0010_0001u32.to_be_bytes());
    png_chunk(&mut v, b"IDAT", &z);
    png_chunk(&mut v, b"IEND", &[]);
    v
}

/// One TIFF IFD entry: tag, type (3 SHORT, 4 LONG), count, inline value or offset.
type Entry = (u16, u16, u32, u32);

/// A little-endian classic TIFF with one IFD at offset 8 followed by `tail` bytes.
fn tiff(mut entries: Vec<Entry>, tail: &[u8]) -> Vec<u8> {
    entries.sort_by_key(|e| e.0);
    let mut v = b"II*\x00".to_vec();
    v.extend_from_slice(&8u32.to_le_bytes());
    v.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, ty, count, value) in entries {
        v.extend_from_slice(&tag.to_le_bytes());
        v.extend_from_slice(&ty.to_le_bytes());
        v.extend_from_slice(&count.to_le_bytes());
        if ty == 3 && count == 1 {
            v.extend_from_slice(&(value as u16).to_le_bytes());
            v.extend_from_slice(&[0, 0]);
        } else {
            v.extend_from_slice(&value.to_le_bytes());
        }
    }
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(tail);
    v
}

/// Offset of the byte right after a one-IFD TIFF's directory with `n` entries.
fn tiff_data_offset(n: usize) -> u32 {
    (8 + 2 + 12 * n + 4) as u32
}

/// Gray 8-bit strip TIFF of `w` x `h` claiming one strip of `strip_bytes` at the data offset.
fn tiff_gray(w: u32, h: u32, rows_per_strip: u32, strip_bytes: u32) -> Vec<u8> {
    let off = tiff_data_offset(9);
    tiff(
        vec![
            (256, 4, 1, w),
            (257, 4, 1, h),
            (258, 3, 1, 8),
            (259, 3, 1, 1),
            (262, 3, 1, 1),
            (273, 4, 1, off),
            (277, 3, 1, 1),
            (278, 4, 1, rows_per_strip),
            (279, 4, 1, strip_bytes),
        ],
        &[0u8; 64],
    )
}

/// A chain of `n` 1x1 gray IFDs (each followed by its pixel byte).
fn tiff_pages(n: u32) -> Vec<u8> {
    let mut v = b"II*\x00".to_vec();
    v.extend_from_slice(&8u32.to_le_bytes());
    let entries = 8u16;
    let ifd_len = 2 + 12 * entries as u32 + 4;
    for i in 0..n {
        let here = v.len() as u32;
        let pixel = here + ifd_len;
        let next = if i + 1 == n { 0 } else { pixel + 2 };
        let e: [Entry; 8] = [
            (256, 4, 1, 1),
            (257, 4, 1, 1),
            (258, 3, 1, 8),
            (259, 3, 1, 1),
            (262, 3, 1, 1),
            (273, 4, 1, pixel),
            (278, 4, 1, 1),
            (279, 4, 1, 1),
        ];
        v.extend_from_slice(&entries.to_le_bytes());
        for (tag, ty, count, value) in e {
            v.extend_from_slice(&tag.to_le_bytes());
            v.extend_from_slice(&ty.to_le_bytes());
            v.extend_from_slice(&count.to_le_bytes());
            if ty == 3 {
                v.extend_from_slice(&(value as u16).to_le_bytes());
                v.extend_from_slice(&[0, 0]);
            } else {
                v.extend_from_slice(&value.to_le_bytes());
            }
        }
        v.extend_from_slice(&next.to_le_bytes());
        v.extend_from_slice(&[(i % 251) as u8, 0]);
    }
    v
}

/// A baseline JPEG header claiming `w` x `h` with `comps` components and a few scan bytes.
fn jpeg(w: u16, h: u16, comps: u8, progressive: bool) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8];
    // DQT: one table of ones.
    v.extend_from_slice(&[0xFF, 0xDB, 0x00, 67, 0x00]);
    v.extend_from_slice(&[1u8; 64]);
    // SOF0 / SOF2.
    let len = 8 + 3 * comps as u16;
    v.extend_from_slice(&[0xFF, if progressive { 0xC2 } else { 0xC0 }]);
    v.extend_from_slice(&len.to_be_bytes());
    v.push(8);
    v.extend_from_slice(&h.to_be_bytes());
    v.extend_from_slice(&w.to_be_bytes());
    v.push(comps);
    for c in 0..comps {
        v.extend_from_slice(&[c + 1, 0x11, 0]);
    }
    // DHT: a DC and an AC table with one 1-bit code each.
    for class in [0x00u8, 0x10] {
        v.extend_from_slice(&[0xFF, 0xC4, 0x00, 20, class, 1]);
        v.extend_from_slice(&[0u8; 15]);
        v.push(0);
    }
    // SOS.
    v.extend_from_slice(&[0xFF, 0xDA]);
    v.extend_from_slice(&(6 + 2 * comps as u16).to_be_bytes());
    v.push(comps);
    for c in 0..comps {
        v.extend_from_slice(&[c + 1, 0x00]);
    }
    v.extend_from_slice(&[0, 63, 0]);
    v.extend_from_slice(&[0x00; 32]);
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

/// A lossless JPEG (SOF3) header claiming `w` x `h` with `comps` components of `precision`
/// bits (predictor 1) and at most 32 scan bytes, every difference coded as 0 (so a small
/// image decodes to the mid value `1 << (precision - 1)`).
fn jpeg_lossless(w: u16, h: u16, comps: u8, precision: u8) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8];
    v.extend_from_slice(&[0xFF, 0xC3]);
    v.extend_from_slice(&(8 + 3 * comps as u16).to_be_bytes());
    v.push(precision);
    v.extend_from_slice(&h.to_be_bytes());
    v.extend_from_slice(&w.to_be_bytes());
    v.push(comps);
    for c in 0..comps {
        v.extend_from_slice(&[c + 1, 0x11, 0]);
    }
    // DHT: one DC table with one 1-bit code (difference category 0).
    v.extend_from_slice(&[0xFF, 0xC4, 0x00, 20, 0x00, 1]);
    v.extend_from_slice(&[0u8; 15]);
    v.push(0);
    v.extend_from_slice(&[0xFF, 0xDA]);
    v.extend_from_slice(&(6 + 2 * comps as u16).to_be_bytes());
    v.push(comps);
    for c in 0..comps {
        v.extend_from_slice(&[c + 1, 0x00]);
    }
    v.extend_from_slice(&[1, 0, 0]);
    // One bit per sample: whole for a small image, cut short for a large one.
    let bytes = (w as usize * h as usize * comps as usize).div_ceil(8);
    v.resize(v.len() + bytes.min(32), 0);
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

/// An `.npy` v1.0 file with the given header dict and `data_len` zero bytes of data.
fn npy(dict: &str, data_len: usize) -> Vec<u8> {
    let mut h = dict.to_string();
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut v = b"\x93NUMPY\x01\x00".to_vec();
    v.extend_from_slice(&(h.len() as u16).to_le_bytes());
    v.extend_from_slice(h.as_bytes());
    v.resize(v.len() + data_len, 0);
    v
}

// ---------------------------------------------------------------- cases

fn has(codec: &str) -> bool {
    Registry::with_builtins().by_name(codec).is_some()
}

#[test]
fn png_hostile_headers_stay_under_the_limit() {
    if !has("png") {
        return;
    }
    for (w, h, d, c) in [
        (0x7FFF_FFFF, 0x7FFF_FFFF, 8, 6),
        (65535, 65535, 16, 6),
        (65535, 65535, 8, 0),
        (1, 0x7FFF_FFFF, 16, 6),
        (0x7FFF_FFFF, 1, 16, 6),
        (4000, 4000, 8, 0), // 16 MB, inside the limit: allowed, but the data is missing
    ] {
        let kind = hostile(&format!("png {w}x{h} depth {d} color {c}"), &png(w, h, d, c), limits());
        assert!(kind.is_some(), "png {w}x{h}: a 100-byte file cannot hold the pixels");
    }
}

#[test]
fn tiff_hostile_headers_stay_under_the_limit() {
    if !has("tiff") {
        return;
    }
    let off = tiff_data_offset(9);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("tiff 2^31 x 2^31", tiff_gray(0x8000_0000, 0x8000_0000, 1, 64)),
        ("tiff 65535 x 65535", tiff_gray(65535, 65535, 65535, 64)),
        (
            "tiff 4000x4000 inside the limit, data missing",
            tiff_gray(4000, 4000, 4000, 16_000_000),
        ),
        ("tiff 1x1 with a 4 GiB strip", tiff_gray(1, 1, 1, u32::MAX)),
        ("tiff height 2^31 one row per strip", tiff_gray(1, 0x8000_0000, 1, 1)),
        (
            "tiff 2^30-entry strip offset table",
            tiff(
                vec![
                    (256, 4, 1, 1),
                    (257, 4, 1, 1 << 30),
                    (258, 3, 1, 8),
                    (259, 3, 1, 1),
                    (262, 3, 1, 1),
                    (273, 4, 1 << 30, off),
                    (278, 4, 1, 1),
                    (279, 4, 1 << 30, off),
                ],
                &[0u8; 64],
            ),
        ),
        (
            "tiff 65520x65520 tile on a 1x1 image",
            tiff(
                vec![
                    (256, 4, 1, 1),
                    (257, 4, 1, 1),
                    (258, 3, 1, 8),
                    (259, 3, 1, 1),
                    (262, 3, 1, 1),
                    (322, 4, 1, 65520),
                    (323, 4, 1, 65520),
                    (324, 4, 1, off),
                    (325, 4, 1, 64),
                ],
                &[0u8; 64],
            ),
        ),
        (
            "tiff deflate 1x1 strip claiming 4 GiB",
            tiff(
                vec![
                    (256, 4, 1, 1),
                    (257, 4, 1, 1),
                    (258, 3, 1, 8),
                    (259, 3, 1, 8),
                    (262, 3, 1, 1),
                    (273, 4, 1, off),
                    (278, 4, 1, 1),
                    (279, 4, 1, u32::MAX),
                ],
                &[0x78, 0x01, 0x03, 0x00, 0, 0, 0, 1],
            ),
        ),
        ("tiff 65535 entries claimed in a short IFD", {
            let mut v = b"II*\x00\x08\x00\x00\x00\xFF\xFF".to_vec();
            v.extend_from_slice(&[0u8; 40]);
            v
        }),
        (
            "tiff 8-bit 64-sample pixels at 65535 x 65535",
            tiff(
                vec![
                    (256, 4, 1, 65535),
                    (257, 4, 1, 65535),
                    (258, 3, 1, 8),
                    (259, 3, 1, 1),
                    (262, 3, 1, 1),
                    (273, 4, 1, off),
                    (277, 3, 1, 64),
                    (278, 4, 1, 1),
                    (279, 4, 1, 64),
                ],
                &[0u8; 64],
            ),
        ),
    ];
    for (name, data) in cases {
        let kind = hostile(name, &data, limits());
        // The huge tile on a 1x1 image is legal: the crate reads only the bytes it needs.
        if !name.contains("tile on a 1x1") {
            assert!(kind.is_some(), "{name}: must be refused");
        }
    }
}

/// A packed-sample TIFF (issue 17): `bits`-bit gray, `w` x `h`, one strip or tile of
/// `chunk` bytes at the data offset, `tile` = Some((width, length)) for tiles.
fn tiff_packed(bits: u32, w: u32, h: u32, compression: u32, tile: Option<(u32, u32)>, chunk: u32) -> Vec<u8> {
    let mut e: Vec<Entry> = vec![
        (256, 4, 1, w),
        (257, 4, 1, h),
        (258, 3, 1, bits),
        (259, 3, 1, compression),
        (262, 3, 1, 1),
    ];
    match tile {
        Some((tw, tl)) => e.extend([(322, 4, 1, tw), (323, 4, 1, tl), (324, 4, 1, 0), (325, 4, 1, chunk)]),
        None => e.extend([(273, 4, 1, 0), (278, 4, 1, h), (279, 4, 1, chunk)]),
    }
    let off = tiff_data_offset(e.len());
    for x in e.iter_mut().filter(|x| x.0 == 273 || x.0 == 324) {
        x.3 = off;
    }
    tiff(e, &[0x5Au8; 64])
}

#[test]
fn tiff_packed_hostile_headers_stay_under_the_limit() {
    if !has("tiff") {
        return;
    }
    let cases: Vec<(&str, Vec<u8>, Option<ErrorKind>)> = vec![
        (
            "tiff 12-bit 2^31 x 2^31",
            tiff_packed(12, 0x8000_0000, 0x8000_0000, 1, None, 64),
            Some(ErrorKind::Limits),
        ),
        (
            "tiff 12-bit 100000 x 100000",
            tiff_packed(12, 100_000, 100_000, 1, None, 64),
            Some(ErrorKind::Limits),
        ),
        (
            "tiff 12-bit 4000x4000 inside the limit, data missing",
            tiff_packed(12, 4000, 4000, 1, None, 24_000_000),
            Some(ErrorKind::Decode),
        ),
        (
            "tiff 24-bit zstd 1x1 strip claiming 4 GiB",
            tiff_packed(24, 1, 1, 50000, None, u32::MAX),
            Some(ErrorKind::Decode),
        ),
        (
            "tiff 12-bit 65520x65520 tile on a 1x1 image",
            tiff_packed(12, 1, 1, 8, Some((65520, 65520)), 64),
            Some(ErrorKind::Limits),
        ),
        (
            "tiff 10-bit deflate strip of garbage",
            tiff_packed(10, 3000, 3000, 8, None, 64),
            Some(ErrorKind::Decode),
        ),
    ];
    for (name, data, want) in cases {
        assert_eq!(hostile(name, &data, limits()), want, "{name}");
    }
    // A 1-bit tile 2^31 pixels wide: 256 MiB of packed row fits a 1 GiB limit, its 8 GiB of
    // unpacked samples does not.
    let mut gib = limits();
    gib.max_alloc_bytes = 1 << 30;
    let data = tiff_packed(1, 1, 1, 1, Some((0x8000_0000, 1)), 64);
    assert_eq!(
        hostile("tiff 1-bit tile 2^31 wide", &data, gib),
        Some(ErrorKind::Limits)
    );
}

#[test]
fn tiff_65535_pages_respect_the_page_limit() {
    if !has("tiff") {
        return;
    }
    let data = tiff_pages(65535);
    // Default page limit (10 000): refused as a limits error, after reading at most that
    // many directories.
    let kind = hostile("tiff 65535 pages, default page limit", &data, limits());
    assert_eq!(kind, Some(ErrorKind::Limits));
    let mut few = limits();
    few.max_pages = 100;
    let kind = hostile("tiff 65535 pages, max_pages 100", &data, few);
    assert_eq!(kind, Some(ErrorKind::Limits));
    // Trusted: a high page limit decodes all 65535 pages within the allocation limit.
    let mut many = limits();
    many.max_pages = 70_000;
    let reg = Registry::with_builtins();
    let t = Instant::now();
    let pages = reg.decode_pages(&data, &DecodeOptions::new().limits(many)).unwrap();
    assert_eq!(pages.len(), 65535);
    assert_eq!(pages[300].as_bytes()[0], (300 % 251) as u8);
    eprintln!("tiff 65535 pages decoded in {:?}", t.elapsed());
}

#[test]
fn jpeg_hostile_headers_stay_under_the_limit() {
    if !has("jpeg-turbo") {
        return;
    }
    for (w, h, comps, prog) in [
        (65535, 65535, 3, false),
        (65535, 65535, 3, true),
        (65535, 65535, 1, false),
        (65535, 1, 4, false),
        (65500, 65500, 3, false), // libjpeg-turbo's own maximum: refused by our limits
        (65500, 65500, 3, true),
        (4000, 4000, 1, false), // 16 MB, inside the limit: allowed, but the scan is missing
        (4000, 4000, 1, true),
    ] {
        let name = format!("jpeg {w}x{h} {comps} components progressive={prog}");
        hostile(&name, &jpeg(w, h, comps, prog), limits());
    }
}

#[test]
fn jpeg_lossless_hostile_headers_stay_under_the_limit() {
    if !has("jpeg-turbo") {
        return;
    }
    // The builder's own small file decodes (so the huge ones are refused for their size).
    let small = jpeg_lossless(8, 4, 3, 16);
    let img = Registry::with_builtins()
        .decode(&small, &DecodeOptions::new())
        .expect("a small lossless JPEG of the builder decodes");
    assert_eq!(img.format(), PixelFormat::new(Layout::Rgb, SampleType::U16));
    assert!(img.to_vec::<u16>().unwrap().iter().all(|&v| v == 1 << 15));
    use ErrorKind::{Decode, Limits as Lim};
    for (w, h, comps, precision, expect) in [
        (65535, 65535, 3, 16, Decode), // above libjpeg-turbo's maximum dimension
        (65500, 65500, 3, 16, Lim),    // 24 GiB of U16: refused by our limits
        (65500, 65500, 1, 12, Lim),
        (65500, 65500, 4, 8, Lim),
        (65500, 2, 3, 16, Decode),   // 768 KiB: allowed, then the scan runs out
        (4000, 4000, 1, 16, Decode), // 32 MiB, inside the limit: allowed, the scan is missing
        (4000, 4000, 3, 2, Decode),
    ] {
        let name = format!("lossless jpeg {w}x{h} {comps} components {precision}-bit");
        let kind = hostile(&name, &jpeg_lossless(w, h, comps, precision), limits());
        assert_eq!(kind, Some(expect), "{name}");
    }
}

#[test]
fn npy_hostile_headers_stay_under_the_limit() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "npy (2^31, 2^31) u1",
            npy(
                "{'descr': '|u1', 'fortran_order': False, 'shape': (2147483648, 2147483648), }",
                64,
            ),
        ),
        (
            "npy (65535, 65535, 4) f8",
            npy(
                "{'descr': '<f8', 'fortran_order': False, 'shape': (65535, 65535, 4), }",
                64,
            ),
        ),
        (
            "npy (100000, 1000, 1000) u1 pages",
            npy(
                "{'descr': '|u1', 'fortran_order': False, 'shape': (100000, 1000, 1000), }",
                64,
            ),
        ),
        (
            "npy (2^32, 2^32, 2^32, 4) overflowing product",
            npy(
                "{'descr': '<u8', 'fortran_order': True, 'shape': (4294967296, 4294967296, 4294967296, 4), }",
                64,
            ),
        ),
        (
            "npy shape entry beyond u64",
            npy(
                "{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999999999, 2), }",
                64,
            ),
        ),
        ("npy v2 header length 4 GiB", {
            let mut v = b"\x93NUMPY\x02\x00\xFF\xFF\xFF\xFF".to_vec();
            v.extend_from_slice(b"{'descr': '|u1'");
            v
        }),
        (
            "npy 4000x4000 inside the limit, data missing",
            npy("{'descr': '|u1', 'fortran_order': False, 'shape': (4000, 4000), }", 64),
        ),
    ];
    for (name, data) in cases {
        let kind = hostile(name, &data, limits());
        assert!(kind.is_some(), "{name}: must be refused");
    }
}

#[test]
fn tiny_inputs_decode_quickly() {
    // Work is bounded by input size: no input of up to 64 bytes may take long, whatever the
    // bytes. Every codec's magic followed by every short tail of a fixed pattern.
    let reg = Registry::with_builtins();
    let opts = DecodeOptions::new().limits(limits());
    let t = Instant::now();
    let mut n = 0;
    for codec in reg.codecs() {
        for sig in &codec.descriptor().signatures {
            for tail_len in 0..48usize {
                for fill in [0x00u8, 0xFF, 0x41] {
                    let mut d = vec![0u8; sig.offset];
                    d.extend_from_slice(&sig.bytes);
                    d.extend((0..tail_len).map(|i| fill ^ (i as u8).wrapping_mul(31)));
                    let one = Instant::now();
                    let ((), peak) = measure(|| {
                        let _ = reg.decode_pages(&d, &opts);
                    });
                    assert!(
                        one.elapsed() < Duration::from_secs(2),
                        "{} bytes took {:?}",
                        d.len(),
                        one.elapsed()
                    );
                    assert!(peak < LIMIT, "{} bytes allocated {peak}", d.len());
                    n += 1;
                }
            }
        }
    }
    eprintln!("{n} tiny inputs decoded in {:?}", t.elapsed());
}
