//! The `image`-crate fallback codecs: capability tables derived from real round trips,
//! corpus and third-party files, PNM values kept as stored, GIF frames as pages, WebP
//! lossy detection, CMYK JPEG refusal, JPEG priority, truncated inputs.
#![cfg(feature = "image-rs")]

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use pixcodec::codecs::image_rs::{encode_raw, ImageRsCodec, ImageRsFormat};
use pixcodec::{
    Codec, DecodeOptions, EncodeOptions, ErrorKind, Fidelity, Image, ImageMut, Layout, Limits, PixelFormat, Registry,
    SampleType, Source,
};

fn pf(layout: Layout, sample: SampleType) -> PixelFormat {
    PixelFormat::new(layout, sample)
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fallback")
        .join(name)
}

fn decode_with(codec: &dyn Codec, data: &[u8]) -> pixcodec::Result<Image> {
    let mut d = codec.decoder(Source::Bytes(data), &Limits::default())?;
    let info = d.info().clone();
    let mut img = Image::new(info.width, info.height, info.format)?;
    d.decode_into(img.as_mut())?;
    Ok(img)
}

/// A random image with some fully transparent pixels (alpha 0) when it has alpha.
fn test_image(w: u32, h: u32, format: PixelFormat, seed: u64) -> Image {
    let mut img = common::random_image(w, h, format, seed);
    if format.layout.has_alpha() {
        let (c, s) = (format.channels(), format.sample.size());
        for y in 0..h {
            let row = img.row_mut(y);
            for (x, px) in row.chunks_exact_mut(c * s).enumerate() {
                if (x as u32 + y) % 5 == 0 {
                    px[(c - 1) * s..].fill(0);
                }
            }
        }
    }
    img
}

const CANDIDATES: [(Layout, SampleType); 8] = [
    (Layout::Gray, SampleType::U8),
    (Layout::GrayAlpha, SampleType::U8),
    (Layout::Rgb, SampleType::U8),
    (Layout::Rgba, SampleType::U8),
    (Layout::Gray, SampleType::U16),
    (Layout::GrayAlpha, SampleType::U16),
    (Layout::Rgb, SampleType::U16),
    (Layout::Rgba, SampleType::U16),
];

/// Encodes every (layout, sample) the crate has a colour type for, decodes it back and
/// records what happened; the published Exact rows must be exactly the bit-exact ones.
#[test]
fn capability_tables_match_empirical_round_trips() {
    for format in ImageRsFormat::ALL {
        let codec = ImageRsCodec::new(format);
        let name = format.codec_name();
        let mut exact = BTreeSet::new();
        let mut lossy = BTreeSet::new();
        for (layout, sample) in CANDIDATES {
            let f = pf(layout, sample);
            let img = test_image(37, 23, f, 99);
            let mut buf = Vec::new();
            let outcome = match encode_raw(format, &img.as_ref(), &mut buf) {
                Err(e) => format!("encode refused: {e}"),
                Ok(()) => match decode_with(&codec, &buf) {
                    Err(e) => format!("decode failed: {e}"),
                    Ok(back) if back == img => {
                        exact.insert(f);
                        "exact".to_string()
                    }
                    Ok(back) if back.format() == f => {
                        lossy.insert(f);
                        "same format, values changed".to_string()
                    }
                    Ok(back) => format!("comes back as {}", back.format()),
                },
            };
            eprintln!("{name:14} {f:16} {outcome}");
        }
        let table = codec.capabilities();
        let published: BTreeSet<PixelFormat> = table
            .encode
            .iter()
            .filter(|c| c.fidelity == Fidelity::Exact)
            .map(|c| c.format)
            .collect();
        assert_eq!(
            published, exact,
            "{name}: published Exact encode rows differ from measured"
        );
        let published_lossy: BTreeSet<PixelFormat> = table
            .encode
            .iter()
            .filter(|c| c.fidelity == Fidelity::Lossy)
            .map(|c| c.format)
            .collect();
        assert!(
            published_lossy.is_subset(&lossy),
            "{name}: a Lossy row {published_lossy:?} is not encodable to the same format ({lossy:?})"
        );
        // Every row the decoder publishes is one it produced here or elsewhere in this file.
        for c in &table.encode {
            assert!(
                table.decode_fidelity(c.format).is_some(),
                "{name}: encodes {} but never decodes to it",
                c.format
            );
        }
    }
}

/// The published tables, pinned (the report quotes them).
#[test]
fn published_tables() {
    let reg = Registry::with_builtins();
    let enc = |n: &str| -> Vec<String> {
        reg.by_name(n)
            .unwrap()
            .capabilities()
            .encode
            .iter()
            .map(|c| format!("{} {}", c.format, c.fidelity))
            .collect()
    };
    assert_eq!(enc("bmp-image-rs"), ["Rgb U8 exact", "Rgba U8 exact"]);
    assert_eq!(enc("qoi-image-rs"), ["Rgb U8 exact", "Rgba U8 exact"]);
    assert_eq!(enc("webp-image-rs"), ["Rgb U8 exact", "Rgba U8 exact"]);
    assert_eq!(enc("gif-image-rs"), ["Rgba U8 lossy"]);
    assert_eq!(enc("pnm-image-rs").len(), 8);
    assert!(enc("jpeg-image-rs").is_empty());
    for c in reg.codecs() {
        if c.descriptor().name.ends_with("-image-rs") {
            assert_eq!(c.descriptor().priority, 10);
        }
    }
}

/// Through the registry, with padded caller buffers, odd sizes, every exact row.
#[test]
fn exact_rows_round_trip_through_the_registry_with_padding() {
    let reg = Registry::with_builtins();
    for format in ImageRsFormat::ALL {
        let name = format.codec_name();
        let codec = reg.by_name(name).unwrap();
        for cap in codec.capabilities().encode.clone() {
            if cap.fidelity != Fidelity::Exact {
                continue;
            }
            for (w, h) in [(1, 1), (7, 1), (1, 5), (13, 9)] {
                let img = test_image(w, h, cap.format, (w * 7 + h) as u64);
                let (buf, stride) = common::padded_copy(&img, 3);
                let view = pixcodec::ImageRef::new(&buf, w, h, cap.format, stride).unwrap();
                let enc = reg.encode(view, name, &EncodeOptions::new().verify(true)).unwrap();
                assert!(
                    enc.report.exact && enc.report.verification.unwrap().identical,
                    "{name} {}",
                    cap.format
                );
                // Sniffed, not forced: the content picks this codec.
                let info = reg.probe(&enc.data, &DecodeOptions::new()).unwrap();
                assert_eq!(info.codec, name);
                let (mut out, ostride) = common::padded_copy(&img, 5);
                out.fill(0x5A);
                reg.decode_into(
                    &enc.data,
                    ImageMut::new(&mut out, w, h, cap.format, ostride).unwrap(),
                    &DecodeOptions::new(),
                )
                .unwrap();
                for y in 0..h as usize {
                    let row = &out[y * ostride..(y + 1) * ostride];
                    assert_eq!(
                        &row[..img.row_bytes()],
                        img.row(y as u32),
                        "{name} {} row {y}",
                        cap.format
                    );
                    assert!(
                        row[img.row_bytes()..].iter().all(|&b| b == 0x5A),
                        "{name}: padding written"
                    );
                }
            }
        }
    }
}

fn pnm_tail(bytes: &[u8], len: usize) -> &[u8] {
    &bytes[bytes.len() - len..]
}

#[test]
fn corpus_pnm_files_decode_with_their_own_values() {
    let Some(dir) = common::corpus_dir() else { return };
    let reg = Registry::with_builtins();

    let path = dir.join("tiff/minisblack-1c-8b.pgm");
    let img = reg.read(&path, &DecodeOptions::new()).unwrap();
    assert_eq!(
        (img.width(), img.height(), img.format()),
        (157, 151, pf(Layout::Gray, SampleType::U8))
    );
    assert_eq!(img.as_bytes(), pnm_tail(&std::fs::read(&path).unwrap(), 157 * 151));

    let path = dir.join("tiff/rgb-3c-8b.ppm");
    let img = reg.read(&path, &DecodeOptions::new()).unwrap();
    assert_eq!(
        (img.width(), img.height(), img.format()),
        (157, 151, pf(Layout::Rgb, SampleType::U8))
    );
    assert_eq!(img.as_bytes(), pnm_tail(&std::fs::read(&path).unwrap(), 157 * 151 * 3));

    // P4 bilevel: bit 1 = black → 0, bit 0 = white → 255.
    let path = dir.join("tiff/miniswhite-1c-1b.pbm");
    let bytes = std::fs::read(&path).unwrap();
    let img = reg.read(&path, &DecodeOptions::new()).unwrap();
    assert_eq!(
        (img.width(), img.height(), img.format()),
        (157, 151, pf(Layout::Gray, SampleType::U8))
    );
    let packed = pnm_tail(&bytes, 151 * 157usize.div_ceil(8));
    for y in 0..151usize {
        for x in 0..157usize {
            let bit = packed[y * 20 + x / 8] >> (7 - x % 8) & 1;
            assert_eq!(
                img.row(y as u32)[x],
                if bit == 1 { 0 } else { 255 },
                "pbm pixel {x},{y}"
            );
        }
    }

    // 16-bit PGM (maxval 65535, despite its name not floating point): stays U16.
    let path = dir.join("tiff/random-fp16.pgm");
    let bytes = std::fs::read(&path).unwrap();
    let img = reg.read(&path, &DecodeOptions::new()).unwrap();
    assert_eq!(
        (img.width(), img.height(), img.format()),
        (16, 16, pf(Layout::Gray, SampleType::U16))
    );
    let want: Vec<u16> = pnm_tail(&bytes, 512)
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(img.as_slice::<u16>().unwrap(), &want[..]);
    assert_eq!(want[0], 0xffff);

    let path = dir.join("jpeg/testorig.ppm");
    let img = reg.read(&path, &DecodeOptions::new()).unwrap();
    assert_eq!(
        (img.width(), img.height(), img.format()),
        (227, 149, pf(Layout::Rgb, SampleType::U8))
    );
}

#[test]
fn pnm_sixteen_bit_and_odd_maxval_keep_stored_values() {
    let reg = Registry::with_builtins();
    let opts = DecodeOptions::new();
    // P5, maxval 1023: the image crate would rescale to 0..65535; we keep 0..1023.
    let mut p5 = b"P5\n3 1\n1023\n".to_vec();
    for v in [0u16, 512, 1023] {
        p5.extend_from_slice(&v.to_be_bytes());
    }
    let img = reg.decode(&p5, &opts).unwrap();
    assert_eq!(img.format(), pf(Layout::Gray, SampleType::U16));
    assert_eq!(img.as_slice::<u16>().unwrap(), &[0, 512, 1023]);
    // P2 ASCII, maxval 15: U8 with the stored values.
    let img = reg.decode(b"P2\n# comment\n2 2\n15\n0 3\n 15 7\n", &opts).unwrap();
    assert_eq!(img.format(), pf(Layout::Gray, SampleType::U8));
    assert_eq!(img.as_slice::<u8>().unwrap(), &[0, 3, 15, 7]);
    // A sample above maxval is corrupt.
    let err = reg.decode(b"P5\n2 1\n15\n\x03\x10", &opts).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    // P6 16-bit stays Rgb U16.
    let mut p6 = b"P6\n1 2\n65535\n".to_vec();
    for v in [1u16, 2, 3, 65535, 300, 0] {
        p6.extend_from_slice(&v.to_be_bytes());
    }
    let img = reg.decode(&p6, &opts).unwrap();
    assert_eq!(img.format(), pf(Layout::Rgb, SampleType::U16));
    assert_eq!(img.as_slice::<u16>().unwrap(), &[1, 2, 3, 65535, 300, 0]);
    // PAM GRAYSCALE_ALPHA 16-bit.
    let mut pam = b"P7\nWIDTH 2\nHEIGHT 1\nDEPTH 2\nMAXVAL 65535\nTUPLTYPE GRAYSCALE_ALPHA\nENDHDR\n".to_vec();
    for v in [40000u16, 0, 7, 65535] {
        pam.extend_from_slice(&v.to_be_bytes());
    }
    let img = reg.decode(&pam, &opts).unwrap();
    assert_eq!(img.format(), pf(Layout::GrayAlpha, SampleType::U16));
    assert_eq!(img.as_slice::<u16>().unwrap(), &[40000, 0, 7, 65535]);
    // Encoding Gray U16 writes P5 with maxval 65535, big-endian samples.
    let src = Image::from_samples::<u16>(2, 1, Layout::Gray, &[0x0102, 0xfffe]).unwrap();
    let enc = reg.encode(src.as_ref(), "pgm", &EncodeOptions::new()).unwrap();
    assert_eq!(&*enc.report.codec, "pnm-image-rs");
    assert!(enc.data.starts_with(b"P5"), "{:?}", String::from_utf8_lossy(&enc.data));
    assert!(enc.data.ends_with(&[1, 2, 0xff, 0xfe]));
}

/// Three frames: a full red/green canvas, a 2x2 blue patch at (1,1), and a frame whose
/// transparent index lets the previous canvas show through except one pixel.
fn three_frame_gif() -> (Vec<u8>, Vec<Vec<[u8; 4]>>) {
    let (w, h) = (4u16, 3u16);
    let palette = vec![255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
    let mut out = Vec::new();
    {
        let mut enc = gif::Encoder::new(&mut out, w, h, &palette).unwrap();
        enc.set_repeat(gif::Repeat::Infinite).unwrap();
        let f1 = gif::Frame {
            width: w,
            height: h,
            buffer: (0..12).map(|i| (i % 2) as u8).collect::<Vec<u8>>().into(),
            ..gif::Frame::default()
        };
        let f2 = gif::Frame {
            left: 1,
            top: 1,
            width: 2,
            height: 2,
            buffer: vec![2u8; 4].into(),
            ..gif::Frame::default()
        };
        let mut buf3 = vec![0u8; 12];
        buf3[5] = 3;
        let f3 = gif::Frame {
            width: w,
            height: h,
            transparent: Some(0),
            buffer: buf3.into(),
            ..gif::Frame::default()
        };
        for f in [f1, f2, f3] {
            enc.write_frame(&f).unwrap();
        }
    }
    let colour = |i: u8| -> [u8; 4] {
        let p = &palette[i as usize * 3..i as usize * 3 + 3];
        [p[0], p[1], p[2], 255]
    };
    let page1: Vec<[u8; 4]> = (0..12).map(|i| colour((i % 2) as u8)).collect();
    let mut page2 = page1.clone();
    for (x, y) in [(1, 1), (2, 1), (1, 2), (2, 2)] {
        page2[y * 4 + x] = colour(2);
    }
    let mut page3 = page2.clone();
    page3[5] = colour(3);
    (out, vec![page1, page2, page3])
}

#[test]
fn animated_gif_decodes_to_three_composited_pages() {
    let reg = Registry::with_builtins();
    let (data, pages) = three_frame_gif();
    let info = reg.probe(&data, &DecodeOptions::new()).unwrap();
    assert_eq!((info.codec.as_str(), info.pages), ("gif-image-rs", 3));
    assert_eq!(
        (info.width, info.height, info.format),
        (4, 3, pf(Layout::Rgba, SampleType::U8))
    );
    let imgs = reg.decode_pages(&data, &DecodeOptions::new()).unwrap();
    assert_eq!(imgs.len(), 3);
    for (i, (img, want)) in imgs.iter().zip(&pages).enumerate() {
        let flat: Vec<u8> = want.iter().flatten().copied().collect();
        assert_eq!(img.as_bytes(), &flat[..], "page {i}");
    }
    let vol = reg.decode_volume(&data, &DecodeOptions::new()).unwrap();
    assert_eq!(vol.depth(), 3);
    // The page count is bounded by the limits before any pixel is decoded.
    let mut limits = Limits::default();
    limits.max_pages = 2;
    let err = reg.probe(&data, &DecodeOptions::new().limits(limits)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limits, "{err}");
}

#[test]
fn gif_encode_is_reported_lossy_and_keeps_few_colour_pages() {
    let reg = Registry::with_builtins();
    let many = test_image(20, 20, pf(Layout::Rgba, SampleType::U8), 3);
    let enc = reg.encode(many.as_ref(), "gif", &EncodeOptions::new()).unwrap();
    assert_eq!(&*enc.report.codec, "gif-image-rs");
    assert!(!enc.report.exact);
    assert!(enc.report.lossy_reason.unwrap().contains("palette"));
    let err = reg
        .encode(many.as_ref(), "gif", &EncodeOptions::new().require_exact(true))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact);
    // Three opaque pages of few colours come back page for page.
    let pages: Vec<Image> = (0..3u8)
        .map(|k| {
            let px: Vec<u8> = (0..5 * 4).flat_map(|i| [k * 50, (i * 10) as u8, 7, 255]).collect();
            Image::from_samples::<u8>(5, 4, Layout::Rgba, &px).unwrap()
        })
        .collect();
    let refs: Vec<_> = pages.iter().map(|p| p.as_ref()).collect();
    let mut buf = Vec::new();
    let report = reg
        .encode_pages_into(&refs, "gif", &EncodeOptions::new(), &mut buf)
        .unwrap();
    assert_eq!(report.pages, 3);
    assert_eq!(reg.decode_pages(&buf, &DecodeOptions::new()).unwrap(), pages);
}

#[test]
fn webp_lossy_source_comes_from_the_riff_chunks() {
    let reg = Registry::with_builtins();
    // CPython's test image: VP8X + ALPH + VP8 (lossy bitstream, lossless alpha).
    let lossy = std::fs::read(fixture("python.webp")).unwrap();
    let info = reg.probe(&lossy, &DecodeOptions::new()).unwrap();
    assert_eq!(info.codec, "webp-image-rs");
    assert!(info.lossy_source);
    assert_eq!(
        (info.width, info.height, info.format),
        (16, 16, pf(Layout::Rgba, SampleType::U8))
    );
    reg.decode(&lossy, &DecodeOptions::new()).unwrap();
    // Our own lossless output: VP8L, not lossy.
    let img = common::random_image(9, 4, pf(Layout::Rgb, SampleType::U8), 5);
    let enc = reg.encode(img.as_ref(), "webp", &EncodeOptions::new()).unwrap();
    assert_eq!(&enc.data[12..16], b"VP8L");
    let info = reg.probe(&enc.data, &DecodeOptions::new()).unwrap();
    assert!(!info.lossy_source);
    assert_eq!(info.format, pf(Layout::Rgb, SampleType::U8));
}

#[test]
fn third_party_bmp_and_gif_decode() {
    let reg = Registry::with_builtins();
    let bmp = reg.read(fixture("python.bmp"), &DecodeOptions::new()).unwrap();
    assert_eq!(
        (bmp.width(), bmp.height(), bmp.format()),
        (16, 16, pf(Layout::Rgba, SampleType::U8))
    );
    let gif = reg.read_pages(fixture("python.gif"), &DecodeOptions::new()).unwrap();
    assert_eq!(gif.len(), 1);
    assert_eq!(gif[0].format(), pf(Layout::Rgba, SampleType::U8));
    assert_eq!((gif[0].width(), gif[0].height()), (16, 16));
}

/// CMYK fixture: 8x8, 4 components, written by libjpeg-turbo (see `regenerate_cmyk_fixture`).
#[test]
fn cmyk_jpeg_is_refused_by_jpeg_image_rs() {
    let reg = Registry::with_builtins();
    let data = std::fs::read(fixture("cmyk-8x8.jpg")).unwrap();
    let err = reg
        .decode(&data, &DecodeOptions::new().codec("jpeg-image-rs"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(err.to_string().contains("CMYK"), "{err}");
}

/// Writes `tests/data/fallback/cmyk-8x8.jpg` with libjpeg-turbo (run with `--ignored`).
#[cfg(feature = "jpeg-turbo")]
#[test]
#[ignore]
fn regenerate_cmyk_fixture() {
    let px: Vec<u8> = (0..8 * 8 * 4).map(|i| (i * 37 % 256) as u8).collect();
    let img = turbojpeg::Image {
        pixels: &px[..],
        width: 8,
        pitch: 32,
        height: 8,
        format: turbojpeg::PixelFormat::CMYK,
    };
    let jpeg = turbojpeg::compress(img, 90, turbojpeg::Subsamp::None).unwrap();
    std::fs::write(fixture("cmyk-8x8.jpg"), &jpeg[..]).unwrap();
}

#[test]
fn jpeg_turbo_wins_for_jpg_and_jpeg_image_rs_agrees_with_it() {
    let Some(dir) = common::corpus_dir() else { return };
    let reg = Registry::with_builtins();
    let data = std::fs::read(dir.join("jpeg/testorig.jpg")).unwrap();
    let opts = DecodeOptions::new().codec("jpeg-image-rs");
    let info = reg.probe(&data, &opts).unwrap();
    assert!(info.lossy_source);
    let ours = reg.decode(&data, &opts).unwrap();
    assert_eq!(
        (ours.width(), ours.height(), ours.format()),
        (227, 149, pf(Layout::Rgb, SampleType::U8))
    );
    let reference = match reg.by_name("jpeg-turbo") {
        Some(turbo) => {
            assert!(turbo.descriptor().priority > 10);
            assert_eq!(reg.by_extension("jpg")[0].descriptor().name, "jpeg-turbo");
            assert_eq!(reg.probe(&data, &DecodeOptions::new()).unwrap().codec, "jpeg-turbo");
            reg.decode(&data, &DecodeOptions::new()).unwrap()
        }
        None => {
            // This build has no jpeg-turbo codec registered: image-rs is the only JPEG codec
            // and is chosen; compare with libjpeg-turbo called directly.
            assert_eq!(reg.by_extension("jpg")[0].descriptor().name, "jpeg-image-rs");
            #[cfg(feature = "jpeg-turbo")]
            {
                let t = turbojpeg::decompress(&data, turbojpeg::PixelFormat::RGB).unwrap();
                let rb = t.width * 3;
                let packed: Vec<u8> = (0..t.height)
                    .flat_map(|y| t.pixels[y * t.pitch..y * t.pitch + rb].to_vec())
                    .collect();
                Image::from_bytes(
                    t.width as u32,
                    t.height as u32,
                    pf(Layout::Rgb, SampleType::U8),
                    &packed,
                )
                .unwrap()
            }
            #[cfg(not(feature = "jpeg-turbo"))]
            {
                eprintln!("skipping the PSNR comparison: no libjpeg-turbo in this build");
                return;
            }
        }
    };
    assert_eq!(
        (ours.width(), ours.height(), ours.format()),
        (reference.width(), reference.height(), reference.format())
    );
    let v = pixcodec::compare::compare(&reference.as_ref(), &ours.as_ref()).unwrap();
    eprintln!(
        "libjpeg-turbo vs jpeg-image-rs on testorig.jpg: PSNR {:.2} dB, max diff {}",
        v.psnr_db, v.max_abs_diff
    );
    assert!(v.psnr_db > 40.0, "PSNR {} dB", v.psnr_db);
}

#[test]
fn jpeg_image_rs_decodes_corpus_jpegs_or_says_why() {
    let Some(dir) = common::corpus_dir() else { return };
    let reg = Registry::with_builtins();
    let opts = DecodeOptions::new().codec("jpeg-image-rs");
    for (file, w, h) in [("testorig.jpg", 227, 149), ("testimgint.jpg", 227, 149)] {
        let img = reg.read(dir.join("jpeg").join(file), &opts).unwrap();
        assert_eq!(
            (img.width(), img.height(), img.format()),
            (w, h, pf(Layout::Rgb, SampleType::U8)),
            "{file}"
        );
    }
    // 12-bit samples would be narrowed: refused.
    let err = reg.read(dir.join("jpeg/monkey12.jpg"), &opts).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert!(err.to_string().contains("12-bit"), "{err}");
}

/// Every format, cut at many lengths: an error, never a panic.
#[test]
fn truncated_inputs_are_errors() {
    let reg = Registry::with_builtins();
    let rgb = common::random_image(19, 11, pf(Layout::Rgb, SampleType::U8), 1);
    let gray16 = common::random_image(19, 11, pf(Layout::Gray, SampleType::U16), 2);
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    for (target, img) in [
        ("bmp", &rgb),
        ("qoi", &rgb),
        ("webp", &rgb),
        ("ppm", &rgb),
        ("pgm", &gray16),
    ] {
        files.push((
            target,
            reg.encode(img.as_ref(), target, &EncodeOptions::new()).unwrap().data,
        ));
    }
    files.push(("gif", three_frame_gif().0));
    files.push(("webp-lossy", std::fs::read(fixture("python.webp")).unwrap()));
    files.push(("bmp-v5", std::fs::read(fixture("python.bmp")).unwrap()));
    if let Some(dir) = common::corpus_dir() {
        files.push(("jpeg", std::fs::read(dir.join("jpeg/testorig.jpg")).unwrap()));
    }
    for (what, data) in &files {
        let codec = if *what == "jpeg" { Some("jpeg-image-rs") } else { None };
        let opts = codec.map_or_else(DecodeOptions::new, |c| DecodeOptions::new().codec(c));
        assert!(
            reg.decode_pages(data, &opts).is_ok(),
            "{what}: the full file must decode"
        );
        let cuts: BTreeSet<usize> = (1..24).chain((1..16).map(|k| data.len() * k / 16)).collect();
        for cut in cuts.into_iter().filter(|&c| c < data.len()) {
            let r = std::panic::catch_unwind(|| reg.decode_pages(&data[..cut], &opts));
            match r {
                Err(_) => panic!("{what}: panicked on {cut} of {} bytes", data.len()),
                Ok(Ok(_)) => panic!("{what}: {cut} of {} bytes decoded without error", data.len()),
                Ok(Err(_)) => {}
            }
        }
    }
}

/// Random byte flips in valid files: errors or images, never a panic.
#[test]
fn corrupted_inputs_never_panic() {
    let reg = Registry::with_builtins();
    let rgba = test_image(16, 9, pf(Layout::Rgba, SampleType::U8), 4);
    let mut files = Vec::new();
    for target in ["bmp", "qoi", "webp", "pam"] {
        files.push(reg.encode(rgba.as_ref(), target, &EncodeOptions::new()).unwrap().data);
    }
    files.push(three_frame_gif().0);
    files.push(std::fs::read(fixture("python.webp")).unwrap());
    let mut s = 0x1234_5678_9abc_def1u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut limits = Limits::default();
    limits.max_alloc_bytes = 64 << 20;
    let opts = DecodeOptions::new().limits(limits);
    for data in &files {
        for _ in 0..300 {
            let mut d = data.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() % d.len() as u64) as usize;
                d[i] = next() as u8;
            }
            let r = std::panic::catch_unwind(|| {
                let _ = reg.decode_pages(&d, &opts);
            });
            assert!(r.is_ok(), "panic on a corrupted file: {:?}", &d[..d.len().min(32)]);
        }
    }
}

fn chunk(fourcc: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut c = fourcc.to_vec();
    c.extend_from_slice(&(body.len() as u32).to_le_bytes());
    c.extend_from_slice(body);
    if body.len() % 2 == 1 {
        c.push(0);
    }
    c
}

fn u24(v: u32) -> [u8; 3] {
    [v as u8, (v >> 8) as u8, (v >> 16) as u8]
}

/// An animated WebP assembled from our own lossless stills: VP8X (animation flag, no
/// alpha) + ANIM + one ANMF per frame, each wrapping a VP8L bitstream.
#[test]
fn animated_webp_frames_are_pages() {
    let reg = Registry::with_builtins();
    let (w, h) = (6u32, 4u32);
    let frames: Vec<Image> = (0..2)
        .map(|k| common::random_image(w, h, pf(Layout::Rgb, SampleType::U8), 40 + k))
        .collect();
    let mut body = b"WEBP".to_vec();
    let mut vp8x = vec![0x02, 0, 0, 0];
    vp8x.extend_from_slice(&u24(w - 1));
    vp8x.extend_from_slice(&u24(h - 1));
    body.extend(chunk(b"VP8X", &vp8x));
    body.extend(chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]));
    for f in &frames {
        let still = reg.encode(f.as_ref(), "webp", &EncodeOptions::new()).unwrap().data;
        assert_eq!(&still[12..16], b"VP8L");
        let mut anmf = Vec::new();
        anmf.extend_from_slice(&u24(0));
        anmf.extend_from_slice(&u24(0));
        anmf.extend_from_slice(&u24(w - 1));
        anmf.extend_from_slice(&u24(h - 1));
        anmf.extend_from_slice(&u24(100));
        anmf.push(0b10); // no blending, no disposal
        anmf.extend_from_slice(&still[12..]);
        body.extend(chunk(b"ANMF", &anmf));
    }
    let mut data = b"RIFF".to_vec();
    data.extend_from_slice(&(body.len() as u32).to_le_bytes());
    data.extend(body);

    let info = reg.probe(&data, &DecodeOptions::new()).unwrap();
    assert_eq!(
        (info.codec.as_str(), info.pages, info.lossy_source),
        ("webp-image-rs", 2, false)
    );
    assert_eq!(info.format, pf(Layout::Rgb, SampleType::U8));
    assert_eq!(reg.decode_pages(&data, &DecodeOptions::new()).unwrap(), frames);
    for cut in [20, data.len() / 2, data.len() - 3] {
        assert!(
            reg.decode_pages(&data[..cut], &DecodeOptions::new()).is_err(),
            "cut {cut}"
        );
    }
}

/// Headers announcing huge images are refused by the limits before any pixel memory exists.
#[test]
fn limits_are_checked_from_the_header() {
    let reg = Registry::with_builtins();
    let err = reg
        .probe(b"P5\n100000 100000\n255\n", &DecodeOptions::new())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limits, "{err}");
    let img = common::random_image(40, 30, pf(Layout::Rgb, SampleType::U8), 8);
    let mut limits = Limits::default();
    limits.max_width = 39;
    for target in ["bmp", "qoi", "webp", "ppm"] {
        let data = reg.encode(img.as_ref(), target, &EncodeOptions::new()).unwrap().data;
        let err = reg.decode(&data, &DecodeOptions::new().limits(limits)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Limits, "{target}: {err}");
    }
}
