//! PNG backend: PngSuite conformance table, generated round trips, caller-memory decoding,
//! options, limits and error paths.
#![cfg(feature = "png")]

mod common;

use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::cell::Cell;
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pixcodec::{
    DecodeOptions, EncodeOptions, Error, ErrorKind, Image, ImageMut, ImageRef, Layout, Limits, PixelFormat, Registry,
    SampleType, Source,
};

// ---------------------------------------------------------------------------------------------
// A counting allocator: the largest single allocation made by the current thread.

struct Counting;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: AllocLayout) -> *mut u8 {
        let _ = LARGEST.try_with(|m| m.set(m.get().max(layout.size())));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: AllocLayout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: AllocLayout, new_size: usize) -> *mut u8 {
        let _ = LARGEST.try_with(|m| m.set(m.get().max(new_size)));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

// ---------------------------------------------------------------------------------------------
// Helpers

const ALL_FORMATS: [(Layout, SampleType); 8] = [
    (Layout::Gray, SampleType::U8),
    (Layout::GrayAlpha, SampleType::U8),
    (Layout::Rgb, SampleType::U8),
    (Layout::Rgba, SampleType::U8),
    (Layout::Gray, SampleType::U16),
    (Layout::GrayAlpha, SampleType::U16),
    (Layout::Rgb, SampleType::U16),
    (Layout::Rgba, SampleType::U16),
];

fn pngsuite() -> Option<std::path::PathBuf> {
    let dir = common::corpus_dir()?.join("png/pngsuite");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} not found", dir.display());
        None
    }
}

fn suite_file(name: &str) -> Option<Vec<u8>> {
    let p = pngsuite()?.join(name);
    Some(std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
}

fn decode(bytes: &[u8]) -> pixcodec::Result<Image> {
    Registry::with_builtins().decode(bytes, &DecodeOptions::new().codec("png"))
}

/// Decodes with the png codec directly (no sniffing), so corrupt signatures reach it too.
fn decode_direct(bytes: &[u8], limits: &Limits) -> pixcodec::Result<Image> {
    let codec = Registry::with_builtins().by_name("png").expect("png codec registered");
    let mut dec = codec.decoder(Source::Bytes(bytes), limits)?;
    let info = dec.info().clone();
    let mut img = Image::new(info.width, info.height, info.format)?;
    dec.decode_into(img.as_mut())?;
    Ok(img)
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = (data.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(data);
    let mut crc_in = kind.to_vec();
    crc_in.extend_from_slice(data);
    v.extend_from_slice(&crc32(&crc_in).to_be_bytes());
    v
}

/// A zlib stream holding `data` in one stored (uncompressed) block.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    assert!(data.len() < 65536);
    let mut v = vec![0x78, 0x01, 0x01];
    v.extend_from_slice(&(data.len() as u16).to_le_bytes());
    v.extend_from_slice(&(!(data.len() as u16)).to_le_bytes());
    v.extend_from_slice(data);
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    v.extend_from_slice(&((b << 16) | a).to_be_bytes());
    v
}

/// Chunks of a PNG file: (type, offset of the chunk start, offset after its CRC).
fn chunks(file: &[u8]) -> Vec<([u8; 4], usize, usize)> {
    let mut v = Vec::new();
    let mut pos = 8;
    while pos + 12 <= file.len() {
        let len = u32::from_be_bytes(file[pos..pos + 4].try_into().unwrap()) as usize;
        let kind: [u8; 4] = file[pos + 4..pos + 8].try_into().unwrap();
        let end = pos + 12 + len;
        v.push((kind, pos, end));
        pos = end;
    }
    v
}

/// Deterministic pseudo-random bytes covering the whole byte range.
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}

/// A generated image: noise, with the first samples forced to 0 and the maximum value.
fn generated(w: u32, h: u32, layout: Layout, sample: SampleType, seed: u64) -> Image {
    let format = PixelFormat::new(layout, sample);
    let mut bytes = noise(w as usize * h as usize * format.bytes_per_pixel(), seed);
    let n = bytes.len();
    bytes[..sample.size().min(n)].fill(0xff);
    if n >= 2 * sample.size() {
        bytes[sample.size()..2 * sample.size()].fill(0);
    }
    Image::from_bytes(w, h, format, &bytes).unwrap()
}

fn encode(img: ImageRef<'_>, opts: &EncodeOptions) -> pixcodec::Result<Vec<u8>> {
    let enc = Registry::with_builtins().encode(img, "png", opts)?;
    assert!(enc.report.exact, "png must report exact output");
    assert_eq!(&*enc.report.codec, "png");
    assert_eq!(enc.report.bytes_written as usize, enc.data.len());
    Ok(enc.data)
}

// ---------------------------------------------------------------------------------------------
// PngSuite

/// The pixel format a PngSuite file must decode to, from the colour type and depth in its
/// name (`....CTDD.png`) and whether the file has a tRNS chunk.
fn expected_format(name: &str, has_trns: bool) -> PixelFormat {
    let code = &name[4..8];
    let color = code.as_bytes()[0];
    let depth: u32 = code[2..4]
        .parse()
        .unwrap_or_else(|_| panic!("{name}: bad depth in name"));
    let sample = if depth == 16 { SampleType::U16 } else { SampleType::U8 };
    let layout = match (color, has_trns) {
        (b'0', false) => Layout::Gray,
        (b'0', true) | (b'4', _) => Layout::GrayAlpha,
        (b'2', false) | (b'3', false) => Layout::Rgb,
        (b'2', true) | (b'3', true) | (b'6', _) => Layout::Rgba,
        _ => panic!("{name}: unknown colour type in name"),
    };
    if color == b'3' {
        assert_eq!(sample, SampleType::U8, "{name}: palette files expand to U8");
    }
    PixelFormat::new(layout, sample)
}

#[test]
fn pngsuite_table() {
    let Some(dir) = pngsuite() else { return };
    let reg = Registry::with_builtins();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".png"))
        .collect();
    names.sort();
    let (mut valid, mut invalid) = (0, 0);
    for name in &names {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).unwrap();
        let direct = catch_unwind(AssertUnwindSafe(|| decode_direct(&bytes, &Limits::default())))
            .unwrap_or_else(|_| panic!("{name}: the decoder panicked"));
        let via_path = catch_unwind(AssertUnwindSafe(|| reg.read(&path, &DecodeOptions::new())))
            .unwrap_or_else(|_| panic!("{name}: the decoder panicked (path)"));
        if name.starts_with('x') {
            invalid += 1;
            let e = direct
                .err()
                .unwrap_or_else(|| panic!("{name}: corrupt file decoded without error"));
            assert_eq!(e.kind(), ErrorKind::Decode, "{name}: wrong error kind: {e}");
            let e = via_path
                .err()
                .unwrap_or_else(|| panic!("{name}: corrupt file read without error"));
            assert_eq!(e.kind(), ErrorKind::Decode, "{name}: wrong error kind from read(): {e}");
            continue;
        }
        valid += 1;
        let img = direct.unwrap_or_else(|e| panic!("{name}: {e}"));
        let img2 = via_path.unwrap_or_else(|e| panic!("{name} (read from path): {e}"));
        assert!(img == img2, "{name}: decoding from bytes and from the file differ");

        // Independent facts from the raw file.
        let ihdr = &bytes[16..29];
        let w = u32::from_be_bytes(ihdr[0..4].try_into().unwrap());
        let h = u32::from_be_bytes(ihdr[4..8].try_into().unwrap());
        assert_eq!((img.width(), img.height()), (w, h), "{name}: size differs from IHDR");
        let has_trns = chunks(&bytes).iter().any(|c| &c.0 == b"tRNS");
        let info = reg.probe(&bytes, &DecodeOptions::new()).unwrap();
        assert_eq!(info.format, img.format(), "{name}: probe and decode disagree");
        assert_eq!(info.codec, "png");
        if name == "PngSuite.png" {
            assert_eq!(img.format(), PixelFormat::new(Layout::Rgb, SampleType::U8), "{name}");
            continue;
        }
        assert_eq!(
            img.format(),
            expected_format(name, has_trns),
            "{name}: wrong decoded pixel format"
        );
        let odd_size = name.starts_with('s') && !name.starts_with("s32")
            || ["cdfn", "cdhn", "cdsn"].iter().any(|p| name.starts_with(p));
        if !odd_size {
            assert_eq!((w, h), (32, 32), "{name}: expected 32x32");
        } else if name.starts_with('s') {
            let n: u32 = name[1..3].parse().unwrap();
            assert_eq!((w, h), (n, n), "{name}: size in name");
        }
    }
    assert!(valid >= 150, "only {valid} valid files found");
    assert_eq!(invalid, 14, "expected the 14 corrupt x*.png files");
}

#[test]
fn interlaced_equals_progressive() {
    let Some(dir) = pngsuite() else { return };
    let mut pairs = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        // basi0g01.png / s05i3p02.png → basn0g01.png / s05n3p02.png
        if name.len() != 12 || name.as_bytes()[3] != b'i' || name.starts_with('x') {
            continue;
        }
        let twin = format!("{}n{}", &name[..3], &name[4..]);
        if !dir.join(&twin).exists() {
            continue;
        }
        let a = decode(&std::fs::read(dir.join(&name)).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let b = decode(&std::fs::read(dir.join(&twin)).unwrap()).unwrap_or_else(|e| panic!("{twin}: {e}"));
        assert!(a == b, "{name} and {twin} decode to different pixels");
        pairs += 1;
    }
    assert!(pairs >= 30, "only {pairs} interlaced pairs found");
}

#[test]
fn pngsuite_pixel_values() {
    // Expected values were read from the raw files with an independent decoder
    // (Python zlib + hand-written unfiltering), not with the png crate.
    let Some(g01) = suite_file("basn0g01.png") else { return };
    let img = decode(&g01).unwrap();
    let px = img.to_vec::<u8>().unwrap();
    // Row 0 is ff ff ff fe: 31 white pixels then one black (1-bit gray decodes to its
    // stored values 0/1, `significant_bits` 1).
    let mut row0 = [1u8; 32];
    row0[31] = 0;
    assert_eq!(&px[..32], &row0[..]);
    // Row 5 is f3 f3 ff c0 (1-bit, MSB first), each bit a value 0 or 1.
    let row5: Vec<u8> = [0xf3u8, 0xf3, 0xff, 0xc0]
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| b >> i & 1))
        .collect();
    assert_eq!(&px[5 * 32..6 * 32], &row5[..]);

    // 2-bit gray: row 0 bytes 00 55 aa ff → values 0,0,0,0,1,1,1,1,... as stored.
    let img = decode(&suite_file("basn0g02.png").unwrap()).unwrap();
    let px = img.to_vec::<u8>().unwrap();
    let expect: Vec<u8> = [0u8, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3].repeat(2);
    assert_eq!(&px[..32], &expect[..]);

    // 4-bit gray with tRNS (value 15): row 0 is all 15 → (15, alpha 0);
    // row 5, x = 5 is 0xe → (14, alpha 15: opaque at 4 bits).
    let img = decode(&suite_file("tbbn0g04.png").unwrap()).unwrap();
    assert_eq!(img.format(), PixelFormat::new(Layout::GrayAlpha, SampleType::U8));
    let px = img.to_vec::<u8>().unwrap();
    assert_eq!(&px[..4], &[15, 0, 15, 0]);
    let i = (5 * 32 + 5) * 2;
    assert_eq!(&px[i..i + 2], &[14, 15]);

    // 16-bit gray: big-endian on disk, native in memory.
    let img = decode(&suite_file("basn0g16.png").unwrap()).unwrap();
    let px = img.to_vec::<u16>().unwrap();
    assert_eq!(px[1], 0x0900);
    assert_eq!(px[29], 0xf0ff);
    assert_eq!(px[13 * 32 + 7], 0x5900);

    // 16-bit gray with tRNS 0xffff.
    let img = decode(&suite_file("tbwn0g16.png").unwrap()).unwrap();
    assert_eq!(img.format(), PixelFormat::new(Layout::GrayAlpha, SampleType::U16));
    let px = img.to_vec::<u16>().unwrap();
    assert_eq!(&px[..2], &[0xffff, 0]);
    let i = (5 * 32 + 5) * 2;
    assert_eq!(&px[i..i + 2], &[0xf2f2, 0xffff]);
    let i = (5 * 32 + 10) * 2;
    assert_eq!(&px[i..i + 2], &[0x5392, 0xffff]);

    // 16-bit RGB.
    let px = decode(&suite_file("basn2c16.png").unwrap())
        .unwrap()
        .to_vec::<u16>()
        .unwrap();
    assert_eq!(&px[..6], &[0xffff, 0xffff, 0x0000, 0xf7bd, 0xffff, 0x0000]);

    // 16-bit RGBA.
    let px = decode(&suite_file("basn6a16.png").unwrap())
        .unwrap()
        .to_vec::<u16>()
        .unwrap();
    let i = (2 * 32 + 3) * 4;
    assert_eq!(&px[i..i + 4], &[0xf683, 0xffff, 0x0000, 0x2109]);
    let i = (31 * 32 + 30) * 4;
    assert_eq!(&px[i..i + 4], &[0x0842, 0x0000, 0xf7bc, 0x0000]);

    // 8-bit gray-alpha.
    let px = decode(&suite_file("basn4a08.png").unwrap())
        .unwrap()
        .to_vec::<u8>()
        .unwrap();
    let i = (2 * 32 + 3) * 2;
    assert_eq!(&px[i..i + 2], &[0xee, 0x18]);

    // Palette → the palette's RGB entries.
    let px = decode(&suite_file("basn3p08.png").unwrap())
        .unwrap()
        .to_vec::<u8>()
        .unwrap();
    assert_eq!(&px[..3], &[0x01, 0x00, 0x00]);
    assert_eq!(&px[8 * 3..8 * 3 + 3], &[0x01, 0x01, 0x00]);
    let i = (5 * 32 + 17) * 3;
    assert_eq!(&px[i..i + 3], &[0x00, 0x55, 0x00]);
    let i = (31 * 32 + 31) * 3;
    assert_eq!(&px[i..i + 3], &[0xff, 0xfe, 0xff]);

    // Palette with tRNS → RGBA; index 0 has alpha 0, indices past the tRNS entries 255.
    let img = decode(&suite_file("tbbn3p08.png").unwrap()).unwrap();
    assert_eq!(img.format(), PixelFormat::new(Layout::Rgba, SampleType::U8));
    let px = img.to_vec::<u8>().unwrap();
    assert_eq!(&px[..4], &[0xff, 0xff, 0xff, 0]);
    let i = (16 * 32 + 16) * 4;
    assert_eq!(&px[i..i + 4], &[0x9e, 0x9e, 0x9e, 255]);
}

#[test]
fn pngsuite_dpi() {
    let Some(meter) = suite_file("cdun2c08.png") else {
        return;
    };
    // pHYs 1000 pixels per metre → 25.4 dpi.
    let info = Registry::with_builtins().probe(&meter, &DecodeOptions::new()).unwrap();
    let (x, y) = info.metadata.dpi().expect("cdun2c08 has pHYs in metres");
    assert!((x - 25.4).abs() < 1e-9 && (y - 25.4).abs() < 1e-9, "{x} {y}");
    // Unit "unspecified" (aspect ratio only) gives no dpi.
    let info = Registry::with_builtins()
        .probe(&suite_file("cdfn2c08.png").unwrap(), &DecodeOptions::new())
        .unwrap();
    assert_eq!(info.metadata.dpi(), None);
}

#[test]
fn decode_into_padded_interlaced_corpus() {
    let Some(dir) = pngsuite() else { return };
    for name in [
        "basi0g08.png",
        "basi0g16.png",
        "basi2c08.png",
        "basi4a16.png",
        "basi6a16.png",
        "basi3p01.png",
        "s35i3p04.png",
        "tbbn2c16.png",
    ] {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        check_padded_decode(&bytes, name);
    }
}

/// decode_into with a padded caller buffer gives the same pixels as a plain decode and
/// leaves every padding byte untouched.
fn check_padded_decode(bytes: &[u8], what: &str) {
    let reg = Registry::with_builtins();
    let reference = reg.decode(bytes, &DecodeOptions::new()).unwrap();
    let fmt = reference.format();
    let (w, h) = (reference.width(), reference.height());
    let row = reference.row_bytes();
    let stride = row + 3 * fmt.sample.size() + fmt.sample.size() * 2;
    let mut buf = vec![0xa5u8; stride * h as usize];
    let info = reg
        .decode_into(
            bytes,
            ImageMut::new(&mut buf, w, h, fmt, stride).unwrap(),
            &DecodeOptions::new(),
        )
        .unwrap();
    assert_eq!(info.format, fmt);
    for y in 0..h as usize {
        assert_eq!(
            &buf[y * stride..y * stride + row],
            reference.row(y as u32),
            "{what}: row {y} differs"
        );
        assert!(
            buf[y * stride + row..(y + 1) * stride].iter().all(|&b| b == 0xa5),
            "{what}: padding of row {y} was written"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Metadata and limits on crafted files

/// Inserts `extra` chunks right after IHDR of a PNG file.
fn with_chunks(file: &[u8], extra: &[Vec<u8>]) -> Vec<u8> {
    let mut v = file[..33].to_vec();
    for c in extra {
        v.extend_from_slice(c);
    }
    v.extend_from_slice(&file[33..]);
    v
}

#[test]
fn metadata_icc_dpi_exif() {
    let img = generated(5, 4, Layout::Rgb, SampleType::U8, 7);
    let plain = encode(img.as_ref(), &EncodeOptions::new()).unwrap();
    let profile: Vec<u8> = noise(300, 3);
    let mut iccp = b"test profile\0\0".to_vec();
    iccp.extend_from_slice(&zlib_stored(&profile));
    let mut phys = 2835u32.to_be_bytes().to_vec();
    phys.extend_from_slice(&5670u32.to_be_bytes());
    phys.push(1);
    let exif = b"MM\0\x2a\0\0\0\x08\0\0".to_vec();
    let file = with_chunks(
        &plain,
        &[chunk(b"iCCP", &iccp), chunk(b"pHYs", &phys), chunk(b"eXIf", &exif)],
    );
    let reg = Registry::with_builtins();
    let info = reg.probe(&file, &DecodeOptions::new()).unwrap();
    assert_eq!(info.metadata.icc_profile.as_deref(), Some(&profile[..]));
    assert_eq!(info.metadata.exif.as_deref(), Some(&exif[..]));
    let (x, y) = info.metadata.dpi().unwrap();
    assert!((x - 72.009).abs() < 1e-9 && (y - 144.018).abs() < 1e-9, "{x} {y}");
    assert!(reg.decode(&file, &DecodeOptions::new()).unwrap() == img);
    // A plain encode carries no metadata.
    assert!(reg.probe(&plain, &DecodeOptions::new()).unwrap().metadata.is_empty());
}

#[test]
fn huge_header_fails_with_limits_before_allocating() {
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut file = b"\x89PNG\r\n\x1a\n".to_vec();
    file.extend_from_slice(&chunk(b"IHDR", &ihdr));
    // Some real image data after it, so only the size can be the reason to refuse.
    file.extend_from_slice(&chunk(b"IDAT", &zlib_stored(&[0u8; 64])));
    file.extend_from_slice(&chunk(b"IEND", &[]));

    let reg = Registry::with_builtins();
    LARGEST.with(|m| m.set(0));
    let err = reg.decode(&file, &DecodeOptions::new()).unwrap_err();
    let largest = LARGEST.with(|m| m.get());
    assert_eq!(err.kind(), ErrorKind::Limits, "{err}");
    assert!(err.to_string().contains("100000x100000"), "{err}");
    assert!(largest < 1 << 20, "decoder allocated {largest} bytes before refusing");

    LARGEST.with(|m| m.set(0));
    let err = reg.probe(&file, &DecodeOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limits, "{err}");
    assert!(LARGEST.with(|m| m.get()) < 1 << 20);

    // The same file with a bad IHDR CRC is a decode error, not a limits error.
    let mut bad = file.clone();
    bad[29] ^= 1;
    assert_eq!(
        decode_direct(&bad, &Limits::default()).unwrap_err().kind(),
        ErrorKind::Decode
    );
}

#[test]
fn small_limits_refuse_real_files() {
    let img = generated(40, 30, Layout::Rgba, SampleType::U16, 1);
    let file = encode(img.as_ref(), &EncodeOptions::new()).unwrap();
    let mut limits = Limits::default();
    limits.max_pixels = 40 * 30 - 1;
    let err = decode_direct(&file, &limits).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limits, "{err}");
    let mut limits = Limits::default();
    limits.max_width = 39;
    assert_eq!(decode_direct(&file, &limits).unwrap_err().kind(), ErrorKind::Limits);
    let mut limits = Limits::default();
    limits.max_alloc_bytes = 40 * 30 * 8 - 1;
    assert_eq!(decode_direct(&file, &limits).unwrap_err().kind(), ErrorKind::Limits);
    let mut limits = Limits::default();
    limits.max_alloc_bytes = 40 * 30 * 8;
    assert!(decode_direct(&file, &limits).unwrap() == img);
}

#[test]
fn truncated_files_fail_cleanly() {
    let img = generated(19, 13, Layout::Rgb, SampleType::U16, 11);
    let file = encode(img.as_ref(), &EncodeOptions::new().level(0)).unwrap();
    let idat_end = chunks(&file)
        .iter()
        .filter(|c| &c.0 == b"IDAT")
        .map(|c| c.2)
        .max()
        .unwrap();
    for len in 0..file.len() {
        let r = catch_unwind(AssertUnwindSafe(|| decode_direct(&file[..len], &Limits::default())))
            .unwrap_or_else(|_| panic!("panic on a file truncated to {len} bytes"));
        // Every prefix fails, even one that only lacks the end of IEND.
        let e = r
            .err()
            .unwrap_or_else(|| panic!("truncated to {len} bytes but decoded"));
        assert_eq!(e.kind(), ErrorKind::Decode, "truncated to {len}: {e}");
    }
    assert!(decode_direct(&file, &Limits::default()).unwrap() == img);
    // Flipped bits inside IDAT are caught by the chunk CRC.
    let mut bad = file.clone();
    bad[idat_end - 10] ^= 0x10;
    assert_eq!(
        decode_direct(&bad, &Limits::default()).unwrap_err().kind(),
        ErrorKind::Decode
    );
}

// ---------------------------------------------------------------------------------------------
// Encoding

#[test]
fn round_trip_all_formats_and_shapes() {
    let shapes = [(1, 1), (1, 9), (9, 1), (3, 5), (7, 3), (33, 17), (64, 2)];
    for (i, &(layout, sample)) in ALL_FORMATS.iter().enumerate() {
        for (j, &(w, h)) in shapes.iter().enumerate() {
            let img = generated(w, h, layout, sample, (i * 31 + j) as u64);
            let file = encode(img.as_ref(), &EncodeOptions::new()).unwrap();
            let back = decode(&file).unwrap();
            assert!(back == img, "{layout} {sample} {w}x{h} did not round-trip");
            // The file holds the exact PNG colour type and depth.
            let expect_ct = match layout {
                Layout::Gray => 0,
                Layout::GrayAlpha => 4,
                Layout::Rgb => 2,
                Layout::Rgba => 6,
                Layout::Cmyk => unreachable!(),
            };
            assert_eq!(file[24], sample.bits() as u8, "{layout} {sample}: depth in IHDR");
            assert_eq!(file[25], expect_ct, "{layout} {sample}: colour type in IHDR");
            assert_eq!(file[28], 0, "not interlaced");
        }
    }
}

#[test]
fn sixteen_bit_is_big_endian_in_the_file() {
    let img = Image::from_samples(2, 1, Layout::Gray, &[0x1234u16, 0xabcd]).unwrap();
    let file = encode(img.as_ref(), &EncodeOptions::new().level(0).set("filter", "none")).unwrap();
    let needle = [0u8, 0x12, 0x34, 0xab, 0xcd]; // filter byte 0, then the samples big-endian
    assert!(
        file.windows(5).any(|w| w == needle),
        "big-endian row not found in stored IDAT"
    );
    assert_eq!(decode(&file).unwrap().to_vec::<u16>().unwrap(), vec![0x1234, 0xabcd]);
}

#[test]
fn round_trip_padded_image_ref() {
    for (i, &(layout, sample)) in ALL_FORMATS.iter().enumerate() {
        let (w, h) = (13u32, 6u32);
        let img = generated(w, h, layout, sample, 100 + i as u64);
        let row = img.row_bytes();
        let stride = row + 4 * sample.size();
        let mut buf = vec![0x5au8; stride * h as usize];
        for y in 0..h as usize {
            buf[y * stride..y * stride + row].copy_from_slice(img.row(y as u32));
        }
        let view = ImageRef::new(&buf, w, h, img.format(), stride).unwrap();
        let file = encode(view, &EncodeOptions::new()).unwrap();
        assert!(decode(&file).unwrap() == img, "{layout} {sample}: padded source");
        // Same bytes as encoding the packed image.
        assert_eq!(file, encode(img.as_ref(), &EncodeOptions::new()).unwrap());
    }
}

#[test]
fn decode_into_padded_caller_buffer() {
    for (i, &(layout, sample)) in ALL_FORMATS.iter().enumerate() {
        for &(w, h) in &[(1u32, 1u32), (11, 7)] {
            let img = generated(w, h, layout, sample, 200 + i as u64);
            let file = encode(img.as_ref(), &EncodeOptions::new()).unwrap();
            check_padded_decode(&file, &format!("{layout} {sample} {w}x{h}"));
        }
    }
}

#[test]
fn decode_into_rejects_wrong_shape_and_second_call() {
    let img = generated(4, 3, Layout::Gray, SampleType::U16, 5);
    let file = encode(img.as_ref(), &EncodeOptions::new()).unwrap();
    let codec = Registry::with_builtins().by_name("png").unwrap();
    let mut dec = codec.decoder(Source::Bytes(&file), &Limits::default()).unwrap();
    let mut wrong = Image::new(4, 3, PixelFormat::new(Layout::Gray, SampleType::U8)).unwrap();
    assert_eq!(
        dec.decode_into(wrong.as_mut()).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let mut out = Image::new(4, 3, img.format()).unwrap();
    dec.decode_into(out.as_mut()).unwrap();
    assert!(out == img);
    assert_eq!(
        dec.decode_into(out.as_mut()).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert!(!dec.next_page().unwrap());
}

#[test]
fn every_filter_and_level_round_trips() {
    let img = generated(23, 11, Layout::Rgba, SampleType::U16, 42);
    let mut outputs = BTreeSet::new();
    for filter in ["none", "sub", "up", "avg", "paeth", "adaptive"] {
        for level in 0..=9 {
            let opts = EncodeOptions::new().level(level).set("filter", filter);
            let file = encode(img.as_ref(), &opts).unwrap();
            assert!(decode(&file).unwrap() == img, "filter {filter} level {level}");
            outputs.insert(file);
        }
    }
    assert!(
        outputs.len() > 20,
        "options seem to have no effect ({} distinct files)",
        outputs.len()
    );

    // On compressible data the level matters: stored (0) is much larger than 9.
    let flat = Image::new(64, 64, PixelFormat::new(Layout::Rgb, SampleType::U8)).unwrap();
    let stored = encode(flat.as_ref(), &EncodeOptions::new().level(0)).unwrap();
    let best = encode(flat.as_ref(), &EncodeOptions::new().level(9)).unwrap();
    assert!(stored.len() > 64 * 64 * 3, "level 0 stores: {} bytes", stored.len());
    assert!(best.len() < 200, "level 9 compresses: {} bytes", best.len());
    // Default options equal level 6 + adaptive.
    assert_eq!(
        encode(img.as_ref(), &EncodeOptions::new()).unwrap(),
        encode(img.as_ref(), &EncodeOptions::new().level(6).set("filter", "adaptive")).unwrap()
    );
}

#[test]
fn bad_options_are_errors() {
    let img = generated(3, 3, Layout::Gray, SampleType::U8, 1);
    let reg = Registry::with_builtins();
    for opts in [
        EncodeOptions::new().level(10),
        EncodeOptions::new().level(-1),
        EncodeOptions::new().set("filter", "median"),
        EncodeOptions::new().quality(90),
        EncodeOptions::new().set("level", "fast"),
    ] {
        let err = reg.encode(img.as_ref(), "png", &opts).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{opts:?}: {err}");
    }
    let err = reg
        .encode(img.as_ref(), "png", &EncodeOptions::new().quality(90))
        .unwrap_err();
    assert!(
        err.to_string().contains("quality") && err.to_string().contains("level"),
        "{err}"
    );
    // Text values are parsed and choices are case-insensitive.
    let file = reg
        .encode(
            img.as_ref(),
            "png",
            &EncodeOptions::new().set("level", "3").set("filter", "PAETH"),
        )
        .unwrap();
    assert!(decode(&file.data).unwrap() == img);
}

#[test]
fn unsupported_formats_are_not_exact() {
    let reg = Registry::with_builtins();
    let img = Image::from_samples(2, 2, Layout::Gray, &[1u32, 2, 3, 36]).unwrap();
    let err = reg.encode(img.as_ref(), "png", &EncodeOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact, "{err}");
    assert!(err.to_string().contains("U32"), "{err}");
    let cmyk = Image::new(2, 2, PixelFormat::new(Layout::Cmyk, SampleType::U8)).unwrap();
    let err = reg
        .encode(cmyk.as_ref(), "image/png", &EncodeOptions::new())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact, "{err}");
    // Calling the encoder directly (bypassing the registry's check) is refused too.
    let codec = reg.by_name("png").unwrap();
    let opts = EncodeOptions::new().resolve("png", codec.encode_options()).unwrap();
    let mut sink = Vec::new();
    let err = codec
        .encoder()
        .unwrap()
        .encode(&[img.as_ref()], &opts, &mut sink)
        .unwrap_err();
    assert!(
        matches!(err, Error::NotExact(_)) && err.to_string().contains("U32"),
        "{err}"
    );
}

#[test]
fn descriptor_and_capabilities() {
    let reg = Registry::with_builtins();
    let codec = reg.by_name("png").unwrap();
    let d = codec.descriptor();
    assert_eq!((d.name.as_str(), d.format.as_str(), d.priority), ("png", "png", 100));
    assert_eq!(d.extensions, vec!["png"]);
    assert_eq!(d.mime_types, vec!["image/png"]);
    assert!(codec.sniff(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR"));
    assert!(!codec.sniff(b"\x89PNG\r\n\x1a"));
    let caps = codec.capabilities();
    assert!(!caps.multi_page_encode && !caps.multi_page_decode);
    assert_eq!(caps.encode.len(), 8);
    assert_eq!(caps.decode.len(), 8);
    for &(l, s) in &ALL_FORMATS {
        let f = PixelFormat::new(l, s);
        assert_eq!(caps.encode_fidelity(f), Some(pixcodec::Fidelity::Exact), "{f}");
        assert_eq!(caps.decode_fidelity(f), Some(pixcodec::Fidelity::Exact), "{f}");
    }
    let names: Vec<&str> = codec.encode_options().iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, vec!["level", "filter", "parallel", "significant_bits"]);
    let resolved = EncodeOptions::new().resolve("png", codec.encode_options()).unwrap();
    assert!(resolved.bool("parallel").unwrap());
    assert_eq!(reg.by_extension(".PNG")[0].descriptor().name, "png");
    assert_eq!(reg.by_mime("image/png")[0].descriptor().name, "png");
}

#[test]
fn file_write_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.png");
    let img = generated(17, 9, Layout::GrayAlpha, SampleType::U16, 9);
    let reg = Registry::with_builtins();
    let report = reg
        .write(img.as_ref(), &path, &EncodeOptions::new().verify(true))
        .unwrap();
    assert!(report.exact);
    assert!(report.verification.unwrap().identical);
    assert!(reg.read(&path, &DecodeOptions::new()).unwrap() == img);
}
