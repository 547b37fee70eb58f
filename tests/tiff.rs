//! TIFF codec tests: generated exact round trips for every pixel format, compression and
//! predictor; multi-page volumes; signed data; BigTIFF; limits; corrupt input; and the
//! corpus table that fixes the outcome for every file under `corpus/tiff/`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pixcodec::codecs::tiff::TiffCodec;
use pixcodec::{
    Codec, DecodeOptions, EncodeOptions, ErrorKind, Fidelity, Image, ImageMut, ImageRef, Layout, Limits, PixelFormat,
    Registry, SampleType, Volume,
};

fn registry() -> Registry {
    let r = Registry::empty();
    r.register(std::sync::Arc::new(TiffCodec::new())).unwrap();
    r
}

fn dopts() -> DecodeOptions {
    DecodeOptions::new().codec("tiff")
}

/// Deterministic pseudo-random bytes (xorshift).
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}

/// A padded view: every row is followed by 3 samples of 0xEE padding.
fn padded(w: u32, h: u32, f: PixelFormat, seed: u64) -> (Vec<u8>, usize) {
    let row = w as usize * f.bytes_per_pixel();
    let stride = row + 3 * f.sample.size();
    let px = noise(row * h as usize, seed);
    let mut buf = vec![0xEE; stride * h as usize];
    for y in 0..h as usize {
        buf[y * stride..y * stride + row].copy_from_slice(&px[y * row..(y + 1) * row]);
    }
    (buf, stride)
}

/// Counts the IFDs of a classic or BigTIFF little/big-endian file by walking the chain.
fn count_ifds(d: &[u8]) -> usize {
    let le = &d[..2] == b"II";
    let u16_at = |o: usize| {
        let b = [d[o], d[o + 1]];
        if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    };
    let u32_at = |o: usize| {
        let b: [u8; 4] = d[o..o + 4].try_into().unwrap();
        if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let u64_at = |o: usize| {
        let b: [u8; 8] = d[o..o + 8].try_into().unwrap();
        if le {
            u64::from_le_bytes(b)
        } else {
            u64::from_be_bytes(b)
        }
    };
    let big = u16_at(2) == 43;
    let mut off = if big { u64_at(8) as usize } else { u32_at(4) as usize };
    let mut n = 0;
    while off != 0 {
        n += 1;
        off = if big {
            let count = u64_at(off) as usize;
            u64_at(off + 8 + count * 20) as usize
        } else {
            let count = u16_at(off) as usize;
            u32_at(off + 2 + count * 12) as usize
        };
    }
    n
}

#[test]
fn descriptor_capabilities_and_options() {
    let c = TiffCodec::new();
    let d = c.descriptor();
    assert_eq!((d.name.as_str(), d.format.as_str(), d.priority), ("tiff", "tiff", 100));
    assert_eq!(d.extensions, ["tif", "tiff"]);
    assert_eq!(d.mime_types, ["image/tiff"]);
    for head in [&b"II*\0"[..], b"MM\0*", b"II+\0", b"MM\0+"] {
        assert!(c.sniff(head), "{head:?}");
    }
    assert!(!c.sniff(b"\x89PNG"));
    let caps = c.capabilities();
    assert!(caps.multi_page_decode && caps.multi_page_encode);
    assert_eq!(caps.encode.len(), 55);
    assert_eq!(caps.decode.len(), 55);
    for f in PixelFormat::all() {
        assert_eq!(caps.encode_fidelity(f), Some(Fidelity::Exact), "{f}");
        assert_eq!(caps.decode_fidelity(f), Some(Fidelity::Exact), "{f}");
    }
    let names: Vec<&str> = c.encode_options().iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "compression",
            "level",
            "predictor",
            "bigtiff",
            "parallel",
            "significant_bits"
        ]
    );
    let resolved = EncodeOptions::new().resolve("tiff", c.encode_options()).unwrap();
    assert_eq!(resolved.str("compression").unwrap(), "none");
    assert_eq!(resolved.int("level").unwrap(), 6);
    assert!(!resolved.bool("predictor").unwrap());
    assert!(!resolved.bool("bigtiff").unwrap());
    assert!(resolved.bool("parallel").unwrap());
    assert!(EncodeOptions::new()
        .level(23)
        .resolve("tiff", c.encode_options())
        .is_err());
    assert!(EncodeOptions::new()
        .compression("jpeg")
        .resolve("tiff", c.encode_options())
        .is_err());
}

/// All 55 formats x 5 compressions x predictor on/off, from padded input, decoded both into
/// a new image and into a padded caller buffer whose padding must stay untouched.
#[test]
fn round_trip_every_format_compression_and_predictor() {
    let reg = registry();
    let (w, h) = (7u32, 5u32);
    let mut cases = 0;
    for (i, f) in PixelFormat::all().enumerate() {
        let (buf, stride) = padded(w, h, f, i as u64 + 1);
        let src = ImageRef::new(&buf, w, h, f, stride).unwrap();
        for comp in ["none", "lzw", "deflate", "packbits", "zstd"] {
            for pred in [false, true] {
                let opts = EncodeOptions::new().compression(comp).predictor(pred);
                let mut out = Vec::new();
                let res = reg.encode_pages_into(&[src], "tiff", &opts, &mut out);
                let report = res.unwrap_or_else(|e| panic!("{f} {comp} pred={pred}: {e}"));
                assert!(report.exact && report.lossy_reason.is_none());
                assert_eq!(report.bytes_written as usize, out.len());
                assert_eq!(
                    &out[..4],
                    if cfg!(target_endian = "little") {
                        b"II*\0"
                    } else {
                        b"MM\0*"
                    }
                );
                let img = reg.decode(&out, &dopts()).unwrap();
                assert!(img.as_ref().pixels_eq(&src), "{f} {comp} pred={pred}");
                // Into a padded caller buffer.
                let mut dst = vec![0xABu8; stride * h as usize];
                reg.decode_into(&out, ImageMut::new(&mut dst, w, h, f, stride).unwrap(), &dopts())
                    .unwrap();
                let view = ImageRef::new(&dst, w, h, f, stride).unwrap();
                assert!(view.pixels_eq(&src), "{f} {comp} pred={pred} (strided)");
                let rb = w as usize * f.bytes_per_pixel();
                for y in 0..h as usize {
                    assert!(
                        dst[y * stride + rb..(y + 1) * stride].iter().all(|&b| b == 0xAB),
                        "padding written"
                    );
                }
                cases += 1;
            }
        }
    }
    // Float pages with the predictor on are written with the floating-point predictor (3).
    assert_eq!(cases, 55 * 5 * 2);
}

#[test]
fn compression_options_take_effect() {
    let reg = registry();
    let flat = vec![0x0707u16; 64 * 64];
    let img = ImageRef::from_samples(&flat, 64, 64, Layout::Gray).unwrap();
    let size = |o: EncodeOptions| reg.encode(img, "tiff", &o).unwrap().data.len();
    let none = size(EncodeOptions::new());
    assert!(none > 64 * 64 * 2);
    for c in ["lzw", "deflate", "packbits"] {
        assert!(size(EncodeOptions::new().compression(c)) < none / 4, "{c}");
    }
    // Deflate levels are passed through exactly (both decode back identically).
    let ramp: Vec<u16> = (0..64 * 64).map(|i| ((i * 37) % 1000) as u16).collect();
    let img = ImageRef::from_samples(&ramp, 64, 64, Layout::Gray).unwrap();
    for level in 1..=9 {
        let enc = reg
            .encode(img, "tiff", &EncodeOptions::new().compression("deflate").level(level))
            .unwrap();
        assert_eq!(reg.decode(&enc.data, &dopts()).unwrap().to_vec::<u16>().unwrap(), ramp);
    }
}

/// The seed case: a 64x64x5 stack of U32 labels up to 70000 round-trips through one
/// multi-page TIFF with 5 IFDs.
#[test]
fn u32_label_volume_round_trips_as_five_pages() {
    let reg = registry();
    let (w, h, d) = (64u32, 64u32, 5u32);
    let mut labels: Vec<u32> = (0..w * h * d).map(|i| (i * 7919) % 70001).collect();
    labels[12345] = 70000;
    assert_eq!(*labels.iter().max().unwrap(), 70000);
    let vol = Volume::from_samples(w, h, d, Layout::Gray, &labels).unwrap();
    let mut data = Vec::new();
    let report = reg
        .encode_pages_into(
            &vol.pages(),
            "tiff",
            &EncodeOptions::new().compression("lzw").predictor(true),
            &mut data,
        )
        .unwrap();
    assert!(report.exact);
    assert_eq!(report.pages, 5);
    assert_eq!(count_ifds(&data), 5);
    let info = reg.probe(&data, &dopts()).unwrap();
    assert_eq!(
        (info.pages, info.format),
        (5, PixelFormat::new(Layout::Gray, SampleType::U32))
    );
    let back = reg.decode_volume(&data, &dopts()).unwrap();
    assert_eq!(back.depth(), 5);
    assert_eq!(back.as_slice::<u32>().unwrap(), &labels[..]);
}

#[test]
fn pages_of_different_formats_become_separate_ifds() {
    let reg = registry();
    let a: Vec<i16> = vec![-5, 3, -32768, 32767, 0, -1];
    let b: Vec<f64> = vec![1.5, -0.25, f64::MAX, f64::MIN_POSITIVE, 0.0, -0.0, 3.0, 1e-300, 2.0];
    let pa = ImageRef::from_samples(&a, 3, 2, Layout::Gray).unwrap();
    let pb = ImageRef::from_samples(&b, 1, 3, Layout::Rgb).unwrap();
    let mut data = Vec::new();
    reg.encode_pages_into(
        &[pa, pb],
        "tiff",
        &EncodeOptions::new().compression("deflate"),
        &mut data,
    )
    .unwrap();
    assert_eq!(count_ifds(&data), 2);
    let pages = reg.decode_pages(&data, &dopts()).unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].to_vec::<i16>().unwrap(), a);
    assert_eq!(pages[1].format(), PixelFormat::new(Layout::Rgb, SampleType::F64));
    let got = pages[1].to_vec::<f64>().unwrap();
    assert_eq!(
        got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        b.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    // A volume needs equal pages.
    assert_eq!(
        reg.decode_volume(&data, &dopts()).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn signed_i16_negative_values_stay_negative() {
    let reg = registry();
    let v: Vec<i16> = vec![-32768, -1000, -1, 0, 1, 32767, -2, -3, -4];
    let img = ImageRef::from_samples(&v, 3, 3, Layout::Gray).unwrap();
    for pred in [false, true] {
        let enc = reg
            .encode(img, "tiff", &EncodeOptions::new().compression("lzw").predictor(pred))
            .unwrap();
        let back = reg.decode(&enc.data, &dopts()).unwrap();
        assert_eq!(back.format(), PixelFormat::new(Layout::Gray, SampleType::I16));
        assert_eq!(back.to_vec::<i16>().unwrap(), v);
    }
}

#[test]
fn forced_bigtiff_writes_bigtiff_header_and_round_trips() {
    let reg = registry();
    let px: Vec<u16> = (0..5 * 3 * 4).map(|i| (i * 1111) as u16).collect();
    let img = ImageRef::from_samples(&px, 5, 3, Layout::Rgba).unwrap();
    let mut data = Vec::new();
    reg.encode_pages_into(
        &[img, img],
        "tiff",
        &EncodeOptions::new().set("bigtiff", true).compression("packbits"),
        &mut data,
    )
    .unwrap();
    assert_eq!(
        &data[..4],
        if cfg!(target_endian = "little") {
            b"II+\0"
        } else {
            b"MM\0+"
        }
    );
    assert_eq!(count_ifds(&data), 2);
    let pages = reg.decode_pages(&data, &dopts()).unwrap();
    assert_eq!(pages.len(), 2);
    for p in pages {
        assert_eq!(p.to_vec::<u16>().unwrap(), px);
    }
    // Not forced: classic TIFF.
    let small = reg.encode(img, "tiff", &EncodeOptions::new()).unwrap();
    assert_eq!(
        &small.data[2..4],
        if cfg!(target_endian = "little") { b"*\0" } else { b"\0*" }
    );
}

/// A hand-made classic TIFF header claiming 100000 x 100000 8-bit gray in one strip.
fn huge_header() -> Vec<u8> {
    let entries: [(u16, u16, u32, u32); 8] = [
        (256, 4, 1, 100_000),   // ImageWidth
        (257, 4, 1, 100_000),   // ImageLength
        (258, 3, 1, 8),         // BitsPerSample
        (259, 3, 1, 1),         // Compression none
        (262, 3, 1, 1),         // BlackIsZero
        (273, 4, 1, 8),         // StripOffsets
        (278, 4, 1, 100_000),   // RowsPerStrip
        (279, 4, 1, 1_000_000), // StripByteCounts (data is missing)
    ];
    let mut d = b"II*\0".to_vec();
    d.extend_from_slice(&8u32.to_le_bytes());
    d.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, ty, count, value) in entries {
        d.extend_from_slice(&tag.to_le_bytes());
        d.extend_from_slice(&ty.to_le_bytes());
        d.extend_from_slice(&count.to_le_bytes());
        if ty == 3 {
            d.extend_from_slice(&(value as u16).to_le_bytes());
            d.extend_from_slice(&[0, 0]);
        } else {
            d.extend_from_slice(&value.to_le_bytes());
        }
    }
    d.extend_from_slice(&0u32.to_le_bytes());
    d
}

#[test]
fn huge_dimensions_fail_with_limits_before_allocating() {
    let reg = registry();
    let data = huge_header();
    // The header alone is readable.
    let info = reg.probe(&data, &dopts()).unwrap();
    assert_eq!((info.width, info.height), (100_000, 100_000));
    let e = reg.decode(&data, &dopts()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limits, "{e}");
    // The decoder itself (not only the registry) refuses: a caller buffer of the wrong shape is an error.
    let codec = TiffCodec::new();
    let mut dec = codec
        .decoder(pixcodec::Source::Bytes(&data), &Limits::default())
        .unwrap();
    let mut one = [0u8; 1];
    assert!(dec
        .decode_into(ImageMut::new(&mut one, 1, 1, info.format, 1).unwrap())
        .is_err());
    // Page limits: two pages with max_pages = 1.
    let px = [1u8, 2, 3, 4];
    let img = ImageRef::from_samples(&px, 2, 2, Layout::Gray).unwrap();
    let mut two = Vec::new();
    reg.encode_pages_into(&[img, img], "tiff", &EncodeOptions::new(), &mut two)
        .unwrap();
    let mut lim = Limits::default();
    lim.max_pages = 1;
    let e = reg.decode(&two, &dopts().limits(lim)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limits, "{e}");
}

#[test]
fn truncated_and_corrupt_files_are_errors_not_panics() {
    let reg = registry();
    let px: Vec<u8> = noise(31 * 17 * 3, 9);
    let img = ImageRef::from_samples(&px, 31, 17, Layout::Rgb).unwrap();
    for comp in ["none", "lzw", "deflate", "packbits"] {
        let data = reg
            .encode(img, "tiff", &EncodeOptions::new().compression(comp))
            .unwrap()
            .data;
        for cut in [0, 3, 8, 20, data.len() / 3, data.len() / 2, data.len() - 1] {
            let r = reg.decode(&data[..cut], &dopts());
            let e = r.expect_err("truncated input must fail");
            assert!(
                matches!(e.kind(), ErrorKind::Decode | ErrorKind::UnknownFormat),
                "{comp} cut {cut}: {e}"
            );
        }
        // Flip bytes in the pixel data of compressed files: an error or other pixels, never a panic.
        let mut bad = data.clone();
        for b in bad[8..data.len() / 2].iter_mut().step_by(5) {
            *b ^= 0x5A;
        }
        let _ = reg.decode(&bad, &dopts());
    }
}

// ---------------------------------------------------------------------------------------------
// Corpus
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Decodes: first page format, size, number of pages, and whether the source is lossy (JPEG).
    Decodes {
        format: &'static str,
        width: u32,
        height: u32,
        pages: u32,
        lossy: bool,
    },
    /// `Error::Unsupported` whose message contains this fragment.
    Unsupported(&'static str),
    /// Not a TIFF file (reference PNM/README/licence): not tiff, skipped here.
    NotTiff,
}

const NOT_TIFF: Expect = Expect::NotTiff;

const fn ok(format: &'static str, width: u32, height: u32, pages: u32) -> Expect {
    Expect::Decodes {
        format,
        width,
        height,
        pages,
        lossy: false,
    }
}

const fn jpeg(format: &'static str, width: u32, height: u32, pages: u32) -> Expect {
    Expect::Decodes {
        format,
        width,
        height,
        pages,
        lossy: true,
    }
}

const fn unsupported(fragment: &'static str) -> Expect {
    Expect::Unsupported(fragment)
}

/// The expected outcome of every file under `corpus/tiff/` (paths relative to it).
const CORPUS: &[(&str, Expect)] = &[
    ("12bit.cropped.rgb.tiff", ok("Rgb U16", 64, 64, 1)),
    ("12bit.cropped.tiff", ok("Gray U16", 64, 64, 1)),
    ("COPYRIGHT", NOT_TIFF),
    ("README.txt", NOT_TIFF),
    (
        "big_g4.tif",
        unsupported(
            "CCITT Group 4 strip or tile of 1x65536 pixels: the fax decoder handles at most 65535 pixels per side",
        ),
    ),
    ("bigtiff/BigTIFF.tif", ok("Rgb U8", 64, 64, 1)),
    ("bigtiff/BigTIFFLong.tif", ok("Rgb U8", 64, 64, 1)),
    ("bigtiff/BigTIFFMotorola.tif", ok("Rgb U8", 64, 64, 1)),
    ("cmyk-3c-16b.tiff", ok("Cmyk U16", 157, 151, 1)),
    ("cmyk-3c-32b-float.tiff", ok("Cmyk F32", 20, 20, 1)),
    ("cmyk-3c-8b.tiff", ok("Cmyk U8", 157, 151, 1)),
    (
        "cmyk-4c-8b.tiff",
        unsupported("CMYK with 1 extra samples (unassociated alpha): pixcodec has no CMYK+alpha layout"),
    ),
    (
        "extra_bits_gray_8b.tiff",
        unsupported("gray with an extra sample of kind: unspecified"),
    ),
    (
        "extra_bits_rgb_8b.tiff",
        unsupported("RGB with an extra sample of kind: unspecified"),
    ),
    ("fax4.tiff", ok("Gray U8", 1080, 671, 1)),
    ("gradient-1c-32b-float.tiff", ok("Gray F32", 256, 1, 1)),
    ("gradient-1c-32b.tiff", ok("Gray U32", 256, 1, 1)),
    ("gradient-1c-64b-float.tiff", ok("Gray F64", 256, 1, 1)),
    ("gradient-1c-64b.tiff", ok("Gray U64", 256, 1, 1)),
    ("gradient-3c-32b-float.tiff", ok("Rgb F32", 256, 1, 1)),
    ("gradient-3c-32b.tiff", ok("Rgb U32", 256, 1, 1)),
    ("gradient-3c-64b.tiff", ok("Rgb U64", 256, 1, 1)),
    ("hpredict-1c-12b.tiff", ok("Gray U16", 4, 2, 1)),
    ("imagemagick_group4.tiff", ok("Gray U8", 640, 200, 1)),
    ("int16.tif", ok("Gray I16", 64, 64, 1)),
    ("int16_rgb.tif", ok("Rgb I16", 64, 64, 1)),
    ("int16_zstd.tif", ok("Gray I16", 64, 64, 1)),
    ("int8.tif", ok("Gray I8", 64, 64, 1)),
    ("int8_rgb.tif", ok("Rgb I8", 64, 64, 1)),
    ("issue_69_lzw.tiff", ok("Gray U16", 45, 45, 1)),
    ("issue_69_packbits.tiff", ok("Gray U16", 45, 45, 1)),
    (
        "logluv-3c-16b.tiff",
        unsupported("variant not supported by the tiff crate: unknown photometric interpretation"),
    ),
    ("minisblack-1c-16b.tiff", ok("Gray U16", 157, 151, 1)),
    ("minisblack-1c-3b.tiff", ok("Gray U8", 8, 2, 1)),
    ("minisblack-1c-5b.tiff", ok("Gray U8", 8, 2, 1)),
    ("minisblack-1c-7b.tiff", ok("Gray U8", 8, 2, 1)),
    ("minisblack-1c-8b.pgm", NOT_TIFF),
    ("minisblack-1c-8b.tiff", ok("Gray U8", 157, 151, 1)),
    ("minisblack-1c-i16b.tiff", ok("Gray I16", 157, 151, 1)),
    ("minisblack-1c-i8b.tiff", ok("Gray I8", 157, 151, 1)),
    (
        "minisblack-2c-8b-alpha.tiff",
        unsupported("gray with associated (premultiplied) alpha"),
    ),
    ("miniswhite-1c-12b.tiff", ok("Gray U16", 4, 2, 1)),
    ("miniswhite-1c-1b.pbm", NOT_TIFF),
    ("miniswhite-1c-1b.tiff", ok("Gray U8", 157, 151, 1)),
    ("miniswhite-1c-3b.tiff", ok("Gray U8", 8, 2, 1)),
    ("miniswhite-1c-6b.tiff", ok("Gray U8", 8, 2, 1)),
    ("no_rows_per_strip.tiff", ok("Rgb U8", 512, 512, 1)),
    // Palette pages expand to RGB: U8 when every ColorMap entry is a multiple of 257.
    ("palette-1c-1b.tiff", ok("Rgb U8", 157, 151, 1)),
    ("palette-1c-4b.tiff", ok("Rgb U16", 157, 151, 1)),
    ("palette-1c-8b.tiff", ok("Rgb U16", 157, 151, 1)),
    ("planar-rgb-u8.tif", ok("Rgb U8", 374, 499, 1)),
    ("predictor-3-gray-f32.tif", ok("Gray F32", 200, 200, 1)),
    ("predictor-3-rgb-f32.tif", ok("Rgb F32", 200, 200, 1)),
    (
        "quad-lzw-compat.tiff",
        unsupported("old-style LZW compression (pre-1992 libtiff 'compat' LZW with LSB-first codes)"),
    ),
    (
        "quad-tile.jpg.tiff",
        unsupported("YCbCr image: converting to RGB would change the values"),
    ),
    ("random-fp16-pred2.tiff", ok("Gray F16", 16, 16, 1)),
    ("random-fp16-pred3.tiff", ok("Gray F16", 16, 16, 1)),
    ("random-fp16.pgm", NOT_TIFF),
    ("random-fp16.tiff", ok("Gray F16", 16, 16, 1)),
    ("rgb-3c-16b.tiff", ok("Rgb U16", 157, 151, 1)),
    ("rgb-3c-8b.ppm", NOT_TIFF),
    ("rgb-3c-8b.tiff", ok("Rgb U8", 157, 151, 1)),
    ("seq/seq-1c-10b-6d739fa2.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-10b-hpredict-6d739fa2.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-10b-miniswhite-6d739fa2.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-12b-47c39b31.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-12b-hpredict-47c39b31.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-12b-miniswhite-47c39b31.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-14b-e883657f.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-14b-hpredict-e883657f.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-14b-miniswhite-e883657f.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-16b-bigendian-68f373a0.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-16b-deflate-68f373a0.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-16b-lzw-68f373a0.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-16b-multistrip-68f373a0.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-16b-tiled-68f373a0.tiff", ok("Gray U16", 16, 16, 1)),
    ("seq/seq-1c-1b-71f6a21a.tiff", ok("Gray U8", 16, 16, 1)),
    (
        "seq/seq-1c-1b-fax3-71f6a21a.tiff",
        unsupported("CCITT Group 3 fax compression (3)"),
    ),
    (
        "seq/seq-1c-1b-fax3-fillbits-71f6a21a.tiff",
        unsupported("CCITT Group 3 fax compression (3)"),
    ),
    (
        "seq/seq-1c-1b-fax3-lsb-71f6a21a.tiff",
        unsupported("CCITT Group 3 fax compression (3)"),
    ),
    ("seq/seq-1c-1b-miniswhite-71f6a21a.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-24b-072a9dc9.tiff", ok("Gray U32", 16, 16, 1)),
    ("seq/seq-1c-24b-hpredict-072a9dc9.tiff", ok("Gray U32", 16, 16, 1)),
    ("seq/seq-1c-24b-miniswhite-072a9dc9.tiff", ok("Gray U32", 16, 16, 1)),
    ("seq/seq-1c-2b-58b25f76.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-32f-390fe673.tiff", ok("Gray F32", 16, 16, 1)),
    (
        "seq/seq-1c-32f-deflate-fpredict-390fe673.tiff",
        ok("Gray F32", 16, 16, 1),
    ),
    ("seq/seq-1c-3b-ef237c07.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-3b-miniswhite-ef237c07.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-4b-fb92dcae.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-4b-miniswhite-fb92dcae.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-4b-palette-85108c5a.tiff", ok("Rgb U8", 16, 16, 1)),
    ("seq/seq-1c-5b-73098d17.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-5b-miniswhite-73098d17.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-64f-afa8560e.tiff", ok("Gray F64", 16, 16, 1)),
    (
        "seq/seq-1c-64f-deflate-fpredict-afa8560e.tiff",
        ok("Gray F64", 16, 16, 1),
    ),
    ("seq/seq-1c-6b-miniswhite-79cafbb6.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-7b-9c61ba70.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-7b-miniswhite-9c61ba70.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-8b-bigendian-20f3db0c.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-8b-bigtiff-20f3db0c.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-8b-deflate-20f3db0c.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-8b-lzw-20f3db0c.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-8b-lzw-hpredict-20f3db0c.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-8b-multipage-adeefdcc.tiff", ok("Gray U8", 16, 16, 3)),
    ("seq/seq-1c-8b-multistrip-20f3db0c.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-8b-packbits-20f3db0c.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-8b-palette-89b39bc3.tiff", ok("Rgb U8", 16, 16, 1)),
    ("seq/seq-1c-8b-tiled-20f3db0c.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-8b-tiled-bigtiff-20f3db0c.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-8b-tiled-deflate-20f3db0c.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-8b-tiled-lzw-20f3db0c.tiff", ok("Gray U8", 16, 16, 1)),
    ("seq/seq-1c-i16-63af2488.tiff", ok("Gray I16", 16, 16, 1)),
    ("seq/seq-1c-i32-99fddec2.tiff", ok("Gray I32", 16, 16, 1)),
    ("seq/seq-1c-i8-f8446bbe.tiff", ok("Gray I8", 16, 16, 1)),
    ("seq/seq-3c-10b-contig-d08d5dc0.tiff", ok("Rgb U16", 16, 16, 1)),
    ("seq/seq-3c-10b-planar-c82e8ab6.tiff", ok("Rgb U16", 16, 16, 1)),
    ("seq/seq-3c-12b-contig-e6f40b4a.tiff", ok("Rgb U16", 16, 16, 1)),
    ("seq/seq-3c-12b-planar-e29e8e25.tiff", ok("Rgb U16", 16, 16, 1)),
    ("seq/seq-3c-14b-contig-f4dcc6cc.tiff", ok("Rgb U16", 16, 16, 1)),
    ("seq/seq-3c-14b-planar-4dde706b.tiff", ok("Rgb U16", 16, 16, 1)),
    ("seq/seq-3c-16b-bigtiff-1b40ca6e.tiff", ok("Rgb U16", 16, 16, 1)),
    ("seq/seq-3c-24b-contig-27b9f8ce.tiff", ok("Rgb U32", 16, 16, 1)),
    ("seq/seq-3c-24b-planar-6296c0c9.tiff", ok("Rgb U32", 16, 16, 1)),
    ("seq/seq-3c-32f-9a471c2b.tiff", ok("Rgb F32", 16, 16, 1)),
    ("seq/seq-3c-5b-contig-09f197f4.tiff", ok("Rgb U8", 16, 16, 1)),
    ("seq/seq-3c-64f-9fff098a.tiff", ok("Rgb F64", 16, 16, 1)),
    ("seq/seq-3c-7b-contig-2e4f43c5.tiff", ok("Rgb U8", 16, 16, 1)),
    ("seq/seq-3c-8b-bigendian-8743c999.tiff", ok("Rgb U8", 16, 16, 1)),
    ("seq/seq-3c-8b-lzw-8743c999.tiff", ok("Rgb U8", 16, 16, 1)),
    ("seq/seq-3c-8b-multistrip-8743c999.tiff", ok("Rgb U8", 16, 16, 1)),
    ("seq/seq-3c-8b-tiled-8743c999.tiff", ok("Rgb U8", 16, 16, 1)),
    (
        "seq/seq-3c-i16-f7fcf423.tiff",
        unsupported("gray with 2 extra samples (no ExtraSamples tag)"),
    ),
    (
        "seq/seq-3c-i8-d7550ce4.tiff",
        unsupported("gray with 2 extra samples (no ExtraSamples tag)"),
    ),
    ("seq/seq-4c-16b-cmyk-c6e52592.tiff", ok("Cmyk U16", 16, 16, 1)),
    (
        "seq/seq-4c-16b-rgba-5181991f.tiff",
        unsupported("RGB with associated (premultiplied) alpha"),
    ),
    ("seq/seq-4c-8b-cmyk-352ac1da.tiff", ok("Cmyk U8", 16, 16, 1)),
    (
        "seq/seq-4c-8b-rgba-50969cda.tiff",
        unsupported("RGB with associated (premultiplied) alpha"),
    ),
    ("seq/seq-4c-8b-rgba-unassoc-50969cda.tiff", ok("Rgba U8", 16, 16, 1)),
    ("single-black-fp16.tiff", ok("Gray F16", 256, 256, 1)),
    ("tiled-cmyk-i8.tif", ok("Cmyk I8", 490, 367, 1)),
    ("tiled-gray-i1.tif", ok("Gray U8", 37, 51, 1)),
    ("tiled-jpeg-rgb-u8.tif", jpeg("Rgb U8", 374, 499, 1)),
    (
        "tiled-jpeg-ycbcr.tif",
        unsupported("YCbCr image: converting to RGB would change the values"),
    ),
    ("tiled-oversize-gray-i8.tif", ok("Gray I8", 499, 374, 1)),
    ("tiled-rect-rgb-u8.tif", ok("Rgb U8", 490, 367, 1)),
    ("tiled-rgb-u8.tif", ok("Rgb U8", 374, 499, 1)),
    ("white-fp16-pred2.tiff", ok("Gray F16", 256, 256, 1)),
    ("white-fp16-pred3.tiff", ok("Gray F16", 256, 256, 1)),
    ("white-fp16.tiff", ok("Gray F16", 256, 256, 1)),
];

fn list_files(dir: &Path, base: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            list_files(&p, base, out);
        } else {
            out.push(p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
}

fn tiff_corpus() -> Option<PathBuf> {
    common::corpus_dir().map(|c| c.join("tiff")).filter(|p| p.is_dir())
}

#[test]
fn corpus_table_covers_every_file_and_holds() {
    let Some(dir) = tiff_corpus() else { return };
    let mut files = Vec::new();
    list_files(&dir, &dir, &mut files);
    files.sort();
    let table: BTreeMap<&str, Expect> = CORPUS.iter().copied().collect();
    assert_eq!(table.len(), CORPUS.len(), "duplicate entries in CORPUS");
    let missing: Vec<&String> = files.iter().filter(|f| !table.contains_key(f.as_str())).collect();
    assert!(missing.is_empty(), "files missing from the CORPUS table: {missing:?}");
    let gone: Vec<&&str> = table.keys().filter(|k| !files.iter().any(|f| f == *k)).collect();
    assert!(gone.is_empty(), "CORPUS entries without a file: {gone:?}");

    let reg = registry();
    let codec = TiffCodec::new();
    let mut failures = Vec::new();
    let (mut decoded, mut unsupported_n, mut skipped) = (0, 0, 0);
    for f in &files {
        let data = std::fs::read(dir.join(f)).unwrap();
        let outcome = match table[f.as_str()] {
            Expect::NotTiff => {
                skipped += 1;
                // Really not TIFF: the codec does not claim it.
                (!codec.sniff(&data))
                    .then_some(())
                    .ok_or_else(|| "sniffs as TIFF".to_string())
            }
            Expect::Unsupported(frag) => {
                unsupported_n += 1;
                match reg.decode_pages(&data, &dopts()) {
                    Err(e) if e.kind() == ErrorKind::Unsupported && e.to_string().contains(frag) => Ok(()),
                    Err(e) => Err(format!("expected Unsupported containing {frag:?}, got {e}")),
                    Ok(p) => Err(format!(
                        "expected Unsupported, decoded {} page(s) of {}",
                        p.len(),
                        p[0].format()
                    )),
                }
            }
            Expect::Decodes {
                format,
                width,
                height,
                pages,
                lossy,
            } => {
                decoded += 1;
                let check = || -> Result<(), String> {
                    let info = reg.probe(&data, &dopts()).map_err(|e| e.to_string())?;
                    let imgs = reg.decode_pages(&data, &dopts()).map_err(|e| e.to_string())?;
                    let got = (
                        info.format.to_string(),
                        info.width,
                        info.height,
                        info.pages,
                        info.lossy_source,
                    );
                    let want = (format.to_string(), width, height, pages, lossy);
                    if got != want {
                        return Err(format!("expected {want:?}, got {got:?}"));
                    }
                    if imgs.len() != pages as usize || imgs[0].format().to_string() != format {
                        return Err(format!(
                            "decode_pages gave {} pages of {}",
                            imgs.len(),
                            imgs[0].format()
                        ));
                    }
                    Ok(())
                };
                check()
            }
        };
        if let Err(why) = outcome {
            failures.push(format!("{f}: {why}"));
        }
    }
    eprintln!("tiff corpus: {decoded} decode, {unsupported_n} unsupported, {skipped} not tiff (skipped here)");
    assert!(failures.is_empty(), "corpus deviations:\n{}", failures.join("\n"));
}

/// Reads a binary PNM (P4/P5/P6) into (width, height, maxval, samples as u8).
fn read_pnm(path: &Path) -> (u32, u32, Vec<u8>) {
    let d = std::fs::read(path).unwrap();
    let mut fields = Vec::new();
    let mut i = 2;
    let need = if &d[..2] == b"P4" { 2 } else { 3 };
    while fields.len() < need {
        while d[i].is_ascii_whitespace() {
            i += 1;
        }
        if d[i] == b'#' {
            while d[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let s = i;
        while !d[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(std::str::from_utf8(&d[s..i]).unwrap().parse::<u32>().unwrap());
    }
    i += 1;
    let (w, h) = (fields[0], fields[1]);
    let body = &d[i..];
    if &d[..2] == b"P4" {
        let rb = (w as usize).div_ceil(8);
        let mut px = Vec::new();
        for y in 0..h as usize {
            for x in 0..w as usize {
                px.push((body[y * rb + x / 8] >> (7 - x % 8)) & 1);
            }
        }
        (w, h, px)
    } else {
        (w, h, body.to_vec())
    }
}

#[test]
fn corpus_pixels_match_reference_pnm_files() {
    let Some(dir) = tiff_corpus() else { return };
    let reg = registry();
    for (tiff, pnm) in [
        ("minisblack-1c-8b.tiff", "minisblack-1c-8b.pgm"),
        ("rgb-3c-8b.tiff", "rgb-3c-8b.ppm"),
        // WhiteIsZero bilevel: the stored samples (1 = black) equal the PBM bits (1 = black).
        ("miniswhite-1c-1b.tiff", "miniswhite-1c-1b.pbm"),
    ] {
        let img = reg.read(dir.join(tiff), &dopts()).unwrap();
        let (w, h, px) = read_pnm(&dir.join(pnm));
        assert_eq!((img.width(), img.height()), (w, h), "{tiff}");
        assert_eq!(img.as_ref().contiguous_bytes().as_ref(), &px[..], "{tiff}");
    }
}

/// The `seq/` files share a content hash in their names: every variant with the same hash
/// (compression, predictor, tiles, strips, byte order, BigTIFF, planar) decodes identically;
/// WhiteIsZero variants hold the stored samples, i.e. `max - v` of the BlackIsZero file.
#[test]
fn corpus_seq_variants_decode_identically() {
    let Some(dir) = tiff_corpus() else { return };
    let reg = registry();
    let mut groups: BTreeMap<String, Vec<(String, Image)>> = BTreeMap::new();
    for (f, e) in CORPUS {
        let Some(name) = f.strip_prefix("seq/") else { continue };
        if !matches!(e, Expect::Decodes { .. }) || name.contains("miniswhite") || name.contains("multipage") {
            continue;
        }
        let hash = name.trim_end_matches(".tiff").rsplit('-').next().unwrap().to_string();
        let img = reg.read(dir.join(f), &dopts()).unwrap();
        groups.entry(hash).or_default().push((f.to_string(), img));
    }
    let mut compared = 0;
    for (hash, imgs) in &groups {
        for (f, img) in &imgs[1..] {
            assert!(img == &imgs[0].1, "{f} differs from {} (hash {hash})", imgs[0].0);
            compared += 1;
        }
    }
    assert_eq!(compared, 23, "comparisons");
    // The multipage file's first page is the 8-bit reference image.
    let pages = reg
        .read_pages(dir.join("seq/seq-1c-8b-multipage-adeefdcc.tiff"), &dopts())
        .unwrap();
    assert_eq!(pages.len(), 3);
    assert!(pages[0] == groups["20f3db0c"][0].1);
    // WhiteIsZero: stored values.
    for (black, white, max) in [
        (
            "seq/seq-1c-1b-71f6a21a.tiff",
            "seq/seq-1c-1b-miniswhite-71f6a21a.tiff",
            1u8,
        ),
        (
            "seq/seq-1c-4b-fb92dcae.tiff",
            "seq/seq-1c-4b-miniswhite-fb92dcae.tiff",
            15,
        ),
    ] {
        let b = reg.read(dir.join(black), &dopts()).unwrap().to_vec::<u8>().unwrap();
        let w = reg.read(dir.join(white), &dopts()).unwrap().to_vec::<u8>().unwrap();
        assert!(b.iter().all(|&v| v <= max) && b.contains(&max) && b.contains(&0));
        assert_eq!(w, b.iter().map(|v| max - v).collect::<Vec<_>>(), "{white}");
    }
    // Packed depths (pixcodec's own reader): WhiteIsZero keeps the stored `2^bits - 1 - v`.
    for (bits, hash) in [
        (3u32, "ef237c07"),
        (5, "73098d17"),
        (7, "9c61ba70"),
        (10, "6d739fa2"),
        (12, "47c39b31"),
        (14, "e883657f"),
        (24, "072a9dc9"),
    ] {
        let read = |name: String| {
            let img = reg.read(dir.join(&name), &dopts()).unwrap();
            let info = reg.probe_path(dir.join(&name), &dopts()).unwrap();
            assert_eq!(info.significant_bits, Some(bits as u8), "{name}");
            wide_samples(&img)
        };
        let b = read(format!("seq/seq-1c-{bits}b-{hash}.tiff"));
        let w = read(format!("seq/seq-1c-{bits}b-miniswhite-{hash}.tiff"));
        let max = (1u64 << bits) - 1;
        assert!(b.iter().any(|&v| v > 0), "{bits} bits");
        assert_eq!(w, b.iter().map(|v| max - v).collect::<Vec<_>>(), "{bits} bits");
    }
}

/// The samples of an unsigned integer image of up to 32 bits, widened to `u64`.
fn wide_samples(img: &Image) -> Vec<u64> {
    match img.format().sample {
        SampleType::U8 => img.to_vec::<u8>().unwrap().into_iter().map(u64::from).collect(),
        SampleType::U16 => img.to_vec::<u16>().unwrap().into_iter().map(u64::from).collect(),
        SampleType::U32 => img.to_vec::<u32>().unwrap().into_iter().map(u64::from).collect(),
        t => panic!("unexpected {t}"),
    }
}

#[test]
fn corpus_planar_and_tiled_match_and_decode_into_padded_buffers() {
    let Some(dir) = tiff_corpus() else { return };
    let reg = registry();
    let planar = reg.read(dir.join("planar-rgb-u8.tif"), &dopts()).unwrap();
    let tiled = reg.read(dir.join("tiled-rgb-u8.tif"), &dopts()).unwrap();
    assert!(planar == tiled, "planar and tiled versions of the same picture differ");
    for f in [
        "planar-rgb-u8.tif",
        "tiled-gray-i1.tif",
        "seq/seq-1c-3b-ef237c07.tiff",
        "int16_rgb.tif",
    ] {
        let data = std::fs::read(dir.join(f)).unwrap();
        let want = reg.decode(&data, &dopts()).unwrap();
        let fmt = want.format();
        let stride = want.row_bytes() + 2 * fmt.sample.size();
        let mut buf = vec![0xCDu8; stride * want.height() as usize];
        reg.decode_into(
            &data,
            ImageMut::new(&mut buf, want.width(), want.height(), fmt, stride).unwrap(),
            &dopts(),
        )
        .unwrap();
        let view = ImageRef::new(&buf, want.width(), want.height(), fmt, stride).unwrap();
        assert!(view.pixels_eq(&want.as_ref()), "{f}");
        for y in 0..want.height() as usize {
            assert!(
                buf[y * stride + want.row_bytes()..(y + 1) * stride]
                    .iter()
                    .all(|&b| b == 0xCD),
                "{f}"
            );
        }
    }
}
