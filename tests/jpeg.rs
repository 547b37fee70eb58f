//! The libjpeg-turbo JPEG codec (`jpeg-turbo`): corpus files and generated data.
#![cfg(feature = "jpeg-turbo")]

mod common;

use pixcodec::codecs::jpeg_turbo::{JpegTurboCodec, PARALLEL_MIN_PIXELS};
use pixcodec::compare::compare;
use pixcodec::{
    Codec, DecodeOptions, EncodeOptions, Error, Fidelity, Image, ImageMut, ImageRef, Layout, Limits, PixelFormat,
    Registry, SampleType, Source,
};
use turbojpeg::{libc, raw};

fn reg() -> Registry {
    Registry::with_builtins()
}

fn opts() -> DecodeOptions {
    DecodeOptions::new().codec("jpeg-turbo")
}

fn decode(data: &[u8]) -> pixcodec::Result<Image> {
    reg().decode(data, &opts())
}

fn corpus(name: &str) -> Option<Vec<u8>> {
    let dir = common::corpus_dir()?;
    Some(std::fs::read(dir.join("jpeg").join(name)).unwrap_or_else(|e| panic!("reading {name}: {e}")))
}

/// Parses a binary 8-bit PPM (P6) into an Rgb U8 image.
fn parse_ppm(data: &[u8]) -> Image {
    let mut pos = 0;
    let mut fields = Vec::new();
    while fields.len() < 4 {
        while data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if data[pos] == b'#' {
            while data[pos] != b'\n' {
                pos += 1;
            }
            continue;
        }
        let start = pos;
        while !data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        fields.push(std::str::from_utf8(&data[start..pos]).unwrap().to_string());
    }
    assert_eq!(fields[0], "P6");
    assert_eq!(fields[3], "255");
    let (w, h): (u32, u32) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = &data[pos + 1..pos + 1 + (w * h * 3) as usize];
    Image::from_bytes(w, h, PixelFormat::new(Layout::Rgb, SampleType::U8), pixels).unwrap()
}

fn psnr(a: &Image, b: &Image) -> f64 {
    compare(&a.as_ref(), &b.as_ref()).unwrap().psnr_db
}

/// A smooth test picture with `channels` channels (gradients plus a soft diagonal).
fn smooth(w: u32, h: u32, layout: Layout) -> Image {
    let c = layout.channels();
    let mut v = Vec::with_capacity((w * h) as usize * c);
    for y in 0..h {
        for x in 0..w {
            for k in 0..c {
                let val = match k {
                    0 => x * 255 / w.max(2).saturating_sub(1).max(1),
                    1 => y * 255 / h.max(2).saturating_sub(1).max(1),
                    2 => (x + y) * 255 / (w + h),
                    _ => 255 - (x * 200 / w),
                };
                v.push(val.min(255) as u8);
            }
        }
    }
    Image::from_samples(w, h, layout, &v).unwrap()
}

/// Start-of-frame facts: (marker, precision, height, width, [(component id, sampling byte)]).
fn sof(data: &[u8]) -> (u8, u8, u16, u16, Vec<(u8, u8)>) {
    let mut i = 2;
    loop {
        assert_eq!(data[i], 0xFF, "marker expected at {i}");
        let m = data[i + 1];
        let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
        if matches!(m, 0xC0..=0xCF) && !matches!(m, 0xC4 | 0xC8 | 0xCC) {
            let s = &data[i + 4..];
            let n = s[5] as usize;
            let comps = (0..n).map(|k| (s[6 + 3 * k], s[7 + 3 * k])).collect();
            return (
                m,
                s[0],
                u16::from_be_bytes([s[1], s[2]]),
                u16::from_be_bytes([s[3], s[4]]),
                comps,
            );
        }
        assert_ne!(m, 0xDA, "scan before frame header");
        i += 2 + len;
    }
}

fn encode(img: &Image, enc: EncodeOptions) -> pixcodec::Result<pixcodec::Encoded> {
    reg().encode(img.as_ref(), "jpeg", &enc)
}

#[test]
fn descriptor_capabilities_and_options() {
    let c = JpegTurboCodec::new();
    let d = c.descriptor();
    assert_eq!(d.name, "jpeg-turbo");
    assert_eq!(d.format, "jpeg");
    assert_eq!(d.extensions, ["jpg", "jpeg", "jpe", "jfif"]);
    assert_eq!(d.mime_types, ["image/jpeg"]);
    assert_eq!(d.priority, 100);
    assert!(c.sniff(&[0xFF, 0xD8, 0xFF, 0xE0]));
    assert!(!c.sniff(&[0xFF, 0xD8, 0x00]));
    let caps = c.capabilities();
    for l in [Layout::Gray, Layout::Rgb, Layout::Cmyk] {
        for s in [SampleType::U8, SampleType::U16] {
            let row = caps.encode_row(PixelFormat::new(l, s)).unwrap();
            assert_eq!(row.fidelity, Fidelity::Lossy);
            assert_eq!(row.exact_with, Some("lossless=true"));
            assert_eq!(row.fidelity_text(), "lossy; exact with lossless=true");
        }
    }
    assert_eq!(caps.encode.len(), 6);
    assert_eq!(
        caps.encode_fidelity(PixelFormat::new(Layout::Rgba, SampleType::U8)),
        None
    );
    assert_eq!(
        caps.encode_fidelity(PixelFormat::new(Layout::GrayAlpha, SampleType::U8)),
        None
    );
    let names: Vec<&str> = c.encode_options().iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "quality",
            "subsampling",
            "progressive",
            "optimize",
            "arithmetic",
            "parallel",
            "lossless",
            "predictor",
            "point_transform",
            "precision"
        ]
    );
    let r = EncodeOptions::new().resolve("jpeg-turbo", c.encode_options()).unwrap();
    assert_eq!(r.int("quality").unwrap(), 90);
    assert_eq!(r.str("subsampling").unwrap(), "420");
    assert!(!r.bool("progressive").unwrap() && !r.bool("optimize").unwrap() && !r.bool("arithmetic").unwrap());
    assert!(r.bool("parallel").unwrap());
    assert!(reg()
        .by_extension("jfif")
        .iter()
        .any(|c| c.descriptor().name == "jpeg-turbo"));
    assert!(reg()
        .by_mime("image/jpeg")
        .iter()
        .any(|c| c.descriptor().name == "jpeg-turbo"));
}

#[test]
fn corpus_testorig_baseline_psnr_against_ppm() {
    let (Some(jpg), Some(ppm)) = (corpus("testorig.jpg"), corpus("testorig.ppm")) else {
        return;
    };
    let info = reg().probe(&jpg, &DecodeOptions::new()).unwrap();
    assert_eq!((info.width, info.height), (227, 149));
    assert_eq!(info.format, PixelFormat::new(Layout::Rgb, SampleType::U8));
    assert_eq!(info.codec, "jpeg-turbo");
    assert!(info.lossy_source);
    let img = decode(&jpg).unwrap();
    assert_eq!((img.width(), img.height(), img.format()), (227, 149, info.format));
    let reference = parse_ppm(&ppm);
    let p = psnr(&reference, &img);
    eprintln!("testorig.jpg vs testorig.ppm: PSNR {p:.2} dB");
    assert!(p > 30.0, "PSNR {p}");
}

#[test]
fn corpus_int_and_arithmetic_files_decode() {
    let (Some(int), Some(ari), Some(ppm)) = (
        corpus("testimgint.jpg"),
        corpus("testimgari.jpg"),
        corpus("testorig.ppm"),
    ) else {
        return;
    };
    let reference = parse_ppm(&ppm);
    // testimgari.jpg is arithmetic-coded (SOF9); testimgint.jpg is a baseline (SOF0) file
    // made with the integer DCT (despite the brief calling it progressive).
    assert_eq!(sof(&ari).0, 0xC9);
    assert_eq!(sof(&int).0, 0xC0);
    for (name, data) in [("testimgint.jpg", int), ("testimgari.jpg", ari)] {
        let img = decode(&data).unwrap();
        assert_eq!((img.width(), img.height()), (227, 149), "{name}");
        assert_eq!(img.format(), PixelFormat::new(Layout::Rgb, SampleType::U8));
        let p = psnr(&reference, &img);
        eprintln!("{name} vs testorig.ppm: PSNR {p:.2} dB");
        assert!(p > 30.0, "{name}: PSNR {p}");
    }
}

#[test]
fn corpus_monkey12_decodes_to_12_bit_u16() {
    let Some(data) = corpus("monkey12.jpg") else {
        return;
    };
    assert_eq!(sof(&data).1, 12);
    let info = reg().probe(&data, &DecodeOptions::new()).unwrap();
    assert_eq!(info.format, PixelFormat::new(Layout::Rgb, SampleType::U16));
    assert_eq!((info.width, info.height), (149, 227));
    let icc = info
        .metadata
        .icc_profile
        .as_ref()
        .expect("monkey12.jpg carries an ICC profile");
    assert_eq!(&icc[36..40], b"acsp");
    assert_eq!(u32::from_be_bytes(icc[..4].try_into().unwrap()) as usize, icc.len());
    let img = decode(&data).unwrap();
    let v = img.to_vec::<u16>().unwrap();
    let max = *v.iter().max().unwrap();
    eprintln!("monkey12.jpg: max sample {max}");
    assert!(max <= 4095, "12-bit samples must stay below 4096, got {max}");
    assert!(max > 255, "values must be 12-bit, not 8-bit ({max})");
    // A misaligned, padded caller buffer gets the same values (copy path for 16-bit samples).
    let stride = 149 * 6 + 10;
    let mut raw_buf = vec![0xABu8; 1 + stride * 227];
    let mut out = ImageMut::new(&mut raw_buf[1..], 149, 227, info.format, stride).unwrap();
    reg().decode_into(&data, out.reborrow(), &opts()).unwrap();
    assert!(out.as_ref().pixels_eq(&img.as_ref()));
    for y in 0..226 {
        assert!(raw_buf[1 + y * stride + 149 * 6..1 + (y + 1) * stride]
            .iter()
            .all(|&b| b == 0xAB));
    }
}

/// Compresses 12- or 16-bit samples with the raw TurboJPEG API (for test inputs only).
fn compress_high(samples: &[u16], w: i32, h: i32, gray: bool, precision: i32, lossless: bool) -> Vec<u8> {
    let pf = if gray { raw::TJPF_TJPF_GRAY } else { raw::TJPF_TJPF_RGB } as libc::c_int;
    let subsamp = if gray {
        raw::TJSAMP_TJSAMP_GRAY
    } else {
        raw::TJSAMP_TJSAMP_444
    };
    // SAFETY: test helper; every pointer refers to live buffers of the stated sizes.
    unsafe {
        let hd = raw::tj3Init(raw::TJINIT_TJINIT_COMPRESS as libc::c_int);
        assert!(!hd.is_null());
        assert_eq!(raw::tj3Set(hd, raw::TJPARAM_TJPARAM_SUBSAMP as libc::c_int, subsamp), 0);
        assert_eq!(raw::tj3Set(hd, raw::TJPARAM_TJPARAM_QUALITY as libc::c_int, 95), 0);
        if lossless {
            assert_eq!(raw::tj3Set(hd, raw::TJPARAM_TJPARAM_LOSSLESS as libc::c_int, 1), 0);
            assert_eq!(
                raw::tj3Set(hd, raw::TJPARAM_TJPARAM_PRECISION as libc::c_int, precision),
                0
            );
        }
        let mut buf: *mut libc::c_uchar = std::ptr::null_mut();
        let mut size: raw::size_t = 0;
        let rc = if precision > 12 {
            raw::tj3Compress16(hd, samples.as_ptr(), w, 0, h, pf, &mut buf, &mut size)
        } else {
            raw::tj3Compress12(hd, samples.as_ptr().cast(), w, 0, h, pf, &mut buf, &mut size)
        };
        take_raw_output(hd, rc, buf, size)
    }
}

fn ramp16(w: u32, h: u32, c: u32, max: u32) -> Vec<u16> {
    (0..w * h * c)
        .map(|i| {
            let (p, k) = (i / c, i % c);
            let (x, y) = (p % w, p / w);
            (((x * 7 + y * 13 + k * 101) * max / (w * 7 + h * 13 + 202)) % (max + 1)) as u16
        })
        .collect()
}

#[test]
fn lossless_jpeg_decodes_exactly_at_8_12_and_16_bits() {
    // 8-bit lossless RGB and gray (safe compressor API).
    for layout in [Layout::Rgb, Layout::Gray] {
        let img = smooth(37, 21, layout);
        let mut c = turbojpeg::Compressor::new().unwrap();
        c.set_lossless(true).unwrap();
        let pf = if layout == Layout::Gray {
            c.set_subsamp(turbojpeg::Subsamp::Gray).unwrap();
            turbojpeg::PixelFormat::GRAY
        } else {
            turbojpeg::PixelFormat::RGB
        };
        let jpg = c
            .compress_to_vec(turbojpeg::Image {
                pixels: img.as_bytes(),
                width: 37,
                pitch: img.stride(),
                height: 21,
                format: pf,
            })
            .unwrap();
        assert_eq!(sof(&jpg).0, 0xC3);
        let info = reg().probe(&jpg, &opts()).unwrap();
        assert!(!info.lossy_source, "lossless JPEG is not a lossy source");
        assert_eq!(decode(&jpg).unwrap(), img, "{layout}");
    }
    // 12-bit and 16-bit lossless.
    for (precision, max, gray) in [
        (12, 4095, false),
        (12, 4095, true),
        (16, 65535, false),
        (10, 1023, true),
    ] {
        let c = if gray { 1 } else { 3 };
        let samples = ramp16(29, 17, c, max);
        let jpg = compress_high(&samples, 29, 17, gray, precision, true);
        assert_eq!(sof(&jpg).0, 0xC3);
        assert_eq!(sof(&jpg).1 as i32, precision);
        let img = decode(&jpg).unwrap();
        let layout = if gray { Layout::Gray } else { Layout::Rgb };
        assert_eq!(img.format(), PixelFormat::new(layout, SampleType::U16));
        assert_eq!(
            img.to_vec::<u16>().unwrap(),
            samples,
            "{precision}-bit lossless {layout}"
        );
    }
}

#[test]
fn lossy_12_bit_keeps_its_scale() {
    let samples = ramp16(64, 48, 3, 4095);
    let jpg = compress_high(&samples, 64, 48, false, 12, false);
    assert_eq!(sof(&jpg).1, 12);
    let img = decode(&jpg).unwrap();
    assert_eq!(img.format(), PixelFormat::new(Layout::Rgb, SampleType::U16));
    let got = img.to_vec::<u16>().unwrap();
    let max_diff = got
        .iter()
        .zip(&samples)
        .map(|(&a, &b)| (a as i32 - b as i32).abs())
        .max()
        .unwrap();
    eprintln!("12-bit lossy q95 max difference: {max_diff} (of 4095)");
    assert!(max_diff < 64, "max difference {max_diff}");
}

#[test]
fn two_by_two_rgb_is_reported_lossy_and_changes() {
    let px: [u8; 12] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
    let img = Image::from_samples(2, 2, Layout::Rgb, &px).unwrap();
    let enc = encode(&img, EncodeOptions::new()).unwrap();
    assert_eq!(&*enc.report.codec, "jpeg-turbo");
    assert!(!enc.report.exact);
    let reason = enc.report.lossy_reason.clone().unwrap();
    assert_eq!(&*reason, "JPEG is lossy (quality 90, 4:2:0)");
    assert_eq!(enc.report.bytes_written, enc.data.len() as u64);
    assert_eq!(&enc.data[..3], &[0xFF, 0xD8, 0xFF]);
    let back = decode(&enc.data).unwrap();
    assert_eq!((back.width(), back.height(), back.format()), (2, 2, img.format()));
    assert_ne!(back.as_bytes(), img.as_bytes(), "JPEG must have changed these values");
    // verify reports the damage instead of failing
    let enc = encode(&img, EncodeOptions::new().verify(true)).unwrap();
    let v = enc.report.verification.unwrap();
    assert!(!v.identical && v.max_abs_diff > 0.0);
}

#[test]
fn require_exact_refuses_and_writes_nothing() {
    let img = smooth(2, 2, Layout::Rgb);
    let mut out: Vec<u8> = Vec::new();
    let err = reg()
        .encode_to(
            img.as_ref(),
            "jpeg",
            &EncodeOptions::new().require_exact(true),
            &mut out,
        )
        .unwrap_err();
    assert!(matches!(err, Error::NotExact(_)), "{err}");
    assert!(out.is_empty());
}

#[test]
fn rgba_is_not_encodable() {
    let img = Image::new(4, 4, PixelFormat::new(Layout::Rgba, SampleType::U8)).unwrap();
    let mut out = Vec::new();
    let err = reg()
        .encode_to(img.as_ref(), "jpeg", &EncodeOptions::new(), &mut out)
        .unwrap_err();
    assert!(matches!(err, Error::NotExact(_)), "{err}");
    assert!(err.to_string().contains("Rgba U8"), "{err}");
    assert!(out.is_empty());
}

#[test]
fn gray_and_cmyk_round_trip_at_q95() {
    for layout in [Layout::Gray, Layout::Cmyk, Layout::Rgb] {
        let img = smooth(96, 64, layout);
        let enc = encode(&img, EncodeOptions::new().quality(95)).unwrap();
        let reason = enc.report.lossy_reason.unwrap();
        let (marker, _, h, w, comps) = sof(&enc.data);
        assert_eq!((marker, w, h), (0xC0, 96, 64));
        assert_eq!(comps.len(), layout.channels());
        match layout {
            Layout::Gray => assert_eq!(&*reason, "JPEG is lossy (quality 95, grayscale)"),
            Layout::Cmyk => {
                assert_eq!(&*reason, "JPEG is lossy (quality 95, 4:2:0, YCCK)");
                // Adobe APP14 marker with transform 2 (YCCK), values stored as given
                let at = enc.data.windows(5).position(|w| w == b"Adobe").expect("Adobe marker");
                assert_eq!(enc.data[at + 11], 2);
            }
            _ => assert_eq!(&*reason, "JPEG is lossy (quality 95, 4:2:0)"),
        }
        let back = decode(&enc.data).unwrap();
        assert_eq!(back.format(), img.format());
        let p = psnr(&img, &back);
        eprintln!("{layout} q95 round trip: PSNR {p:.2} dB, {} bytes", enc.data.len());
        assert!(p > 38.0, "{layout}: PSNR {p}");
    }
}

#[test]
fn subsampling_progressive_arithmetic_and_optimize() {
    let img = smooth(67, 45, Layout::Rgb);
    for (name, sampling) in [
        ("444", 0x11),
        ("422", 0x21),
        ("420", 0x22),
        ("440", 0x12),
        ("411", 0x41),
    ] {
        let enc = encode(&img, EncodeOptions::new().subsampling(name)).unwrap();
        let (marker, _, h, w, comps) = sof(&enc.data);
        assert_eq!((marker, w, h), (0xC0, 67, 45), "{name}");
        assert_eq!(comps[0].1, sampling, "{name}: luma sampling factors");
        assert_eq!((comps[1].1, comps[2].1), (0x11, 0x11));
        let back = decode(&enc.data).unwrap();
        assert_eq!((back.width(), back.height(), back.format()), (67, 45, img.format()));
        assert!(psnr(&img, &back) > 30.0, "{name}");
    }
    let plain = encode(&img, EncodeOptions::new()).unwrap().data;
    let cases = [
        (EncodeOptions::new().progressive(true), 0xC2, "progressive"),
        (EncodeOptions::new().set("arithmetic", true), 0xC9, "arithmetic"),
        (
            EncodeOptions::new().progressive(true).set("arithmetic", "yes"),
            0xCA,
            "progressive, arithmetic",
        ),
        (EncodeOptions::new().set("optimize", true), 0xC0, "optimized"),
    ];
    for (o, marker, label) in cases {
        let enc = encode(&img, o).unwrap();
        assert_eq!(sof(&enc.data).0, marker, "{label}");
        assert_eq!(
            *enc.report.lossy_reason.unwrap(),
            *format!("JPEG is lossy (quality 90, 4:2:0, {label})")
        );
        let back = decode(&enc.data).unwrap();
        assert_eq!((back.width(), back.height()), (67, 45));
        if label == "optimized" {
            assert!(enc.data.len() < plain.len(), "optimized Huffman tables are smaller");
            // same coefficients, different entropy coding: identical pixels
            assert_eq!(back, decode(&plain).unwrap());
        }
    }
}

#[test]
fn invalid_options_are_errors() {
    let img = smooth(8, 8, Layout::Rgb);
    let bad = [
        EncodeOptions::new().set("quality", 0),
        EncodeOptions::new().set("quality", 101),
        EncodeOptions::new().set("qualty", 80),
        EncodeOptions::new().subsampling("420x"),
        EncodeOptions::new().set("progressive", "maybe"),
        EncodeOptions::new().subsampling("gray"),
    ];
    for o in bad {
        let mut out = Vec::new();
        let err = reg().encode_to(img.as_ref(), "jpeg", &o, &mut out).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{o:?}: {err}");
        assert!(out.is_empty());
    }
    // gray subsampling is fine for gray input (which always encodes gray)
    let g = smooth(8, 8, Layout::Gray);
    assert!(encode(&g, EncodeOptions::new().subsampling("gray")).is_ok());
    assert!(encode(&g, EncodeOptions::new().subsampling("444")).is_ok());
}

#[test]
fn padded_input_encodes_like_tight_input() {
    let img = smooth(53, 31, Layout::Rgb);
    let stride = 53 * 3 + 13;
    let mut padded = vec![0x5Au8; stride * 31];
    for y in 0..31u32 {
        let s = y as usize * stride;
        padded[s..s + 53 * 3].copy_from_slice(img.row(y));
    }
    let view = ImageRef::new(&padded, 53, 31, img.format(), stride).unwrap();
    let a = reg().encode(view, "jpeg", &EncodeOptions::new()).unwrap().data;
    let b = encode(&img, EncodeOptions::new()).unwrap().data;
    assert_eq!(a, b);
}

#[test]
fn encoder_is_reusable() {
    let codec = JpegTurboCodec::new();
    let mut enc = codec.encoder().unwrap();
    let specs = codec.encode_options();
    let small = smooth(16, 16, Layout::Gray);
    let big = smooth(300, 200, Layout::Rgb);
    let o = EncodeOptions::new().resolve("jpeg-turbo", specs).unwrap();
    let mut outs = Vec::new();
    for img in [&big, &small, &big] {
        let mut v = Vec::new();
        enc.encode(&[img.as_ref()], &o, &mut v).unwrap();
        outs.push(v);
    }
    assert_eq!(outs[0], outs[2]);
    assert_eq!(outs[1], encode(&small, EncodeOptions::new()).unwrap().data);
    assert_eq!(decode(&outs[1]).unwrap().format(), small.format());
}

#[test]
fn decode_into_padded_buffer_leaves_padding() {
    let img = smooth(41, 23, Layout::Rgb);
    let jpg = encode(&img, EncodeOptions::new()).unwrap().data;
    let tight = decode(&jpg).unwrap();
    let stride = 41 * 3 + 7;
    let mut buf = vec![0xEEu8; stride * 23];
    let mut out = ImageMut::new(&mut buf, 41, 23, img.format(), stride).unwrap();
    let info = reg().decode_into(&jpg, out.reborrow(), &opts()).unwrap();
    assert_eq!(info.format, img.format());
    assert!(out.as_ref().pixels_eq(&tight.as_ref()));
    for y in 0..23 {
        assert!(
            buf[y * stride + 41 * 3..(y + 1) * stride].iter().all(|&b| b == 0xEE),
            "row {y}"
        );
    }
    // wrong shape is refused before decoding
    let mut small = vec![0u8; 40 * 23 * 3];
    let out = ImageMut::new(&mut small, 40, 23, img.format(), 40 * 3).unwrap();
    assert!(matches!(
        reg().decode_into(&jpg, out, &opts()),
        Err(Error::InvalidArgument(_))
    ));
}

fn assert_prefixes_fail(data: &[u8], what: &str) {
    let codec = JpegTurboCodec::new();
    let mut lens: Vec<usize> = (0..data.len()).step_by(97).collect();
    lens.extend([data.len() - 1, data.len() - 2]);
    for n in lens {
        let prefix = &data[..n];
        let r = decode(prefix);
        assert!(r.is_err(), "{what}: prefix of {n} of {} bytes decoded", data.len());
        // through the codec directly as well: decoder construction or decode must fail
        let direct = codec
            .decoder(Source::Bytes(prefix), &Limits::default())
            .and_then(|mut d| {
                let i = d.info().clone();
                let mut img = Image::new(i.width, i.height, i.format)?;
                d.decode_into(img.as_mut())
            });
        match direct {
            Err(Error::Decode { .. }) => {}
            other => panic!("{what}: prefix {n}: expected a decode error, got {other:?}"),
        }
    }
}

#[test]
fn truncated_files_are_errors() {
    let img = smooth(120, 80, Layout::Rgb);
    for o in [EncodeOptions::new(), EncodeOptions::new().progressive(true)] {
        let jpg = encode(&img, o).unwrap().data;
        assert!(decode(&jpg).is_ok());
        assert_prefixes_fail(&jpg, "generated");
    }
    if let Some(jpg) = corpus("testorig.jpg") {
        assert_prefixes_fail(&jpg, "testorig.jpg");
    }
}

#[test]
fn corrupt_data_is_an_error_not_a_panic() {
    let img = smooth(64, 64, Layout::Rgb);
    let jpg = encode(&img, EncodeOptions::new()).unwrap().data;
    let mut errors = 0;
    for i in (3..jpg.len()).step_by(7) {
        let mut bad = jpg.clone();
        bad[i] ^= 0x5A;
        if decode(&bad).is_err() {
            errors += 1;
        }
    }
    eprintln!("corrupted copies rejected: {errors}");
    assert!(errors > 0);
    assert!(matches!(decode(b"\xFF\xD8\xFF\xE0garbage"), Err(Error::Decode { .. })));
}

#[test]
fn huge_header_hits_limits_before_allocating() {
    let img = smooth(8, 8, Layout::Gray);
    let mut jpg = encode(&img, EncodeOptions::new()).unwrap().data;
    let i = (2..jpg.len()).find(|&i| jpg[i] == 0xFF && jpg[i + 1] == 0xC0).unwrap();
    jpg[i + 5..i + 9].copy_from_slice(&[0xFF, 0xDC, 0xFF, 0xDC]); // 65500 x 65500
    let mut limits = Limits::default();
    limits.max_pixels = 1 << 20;
    let err = reg().decode(&jpg, &opts().limits(limits)).unwrap_err();
    assert!(matches!(err, Error::Limits(_)), "{err}");
    // default limits (256 Mi pixels) refuse it as well; probe alone does too
    assert!(matches!(decode(&jpg), Err(Error::Limits(_))));
    assert!(matches!(reg().probe(&jpg, &opts()), Err(Error::Limits(_))));
}

#[test]
fn exif_orientation_and_density_are_reported() {
    let img = smooth(16, 8, Layout::Rgb);
    let jpg = encode(&img, EncodeOptions::new()).unwrap().data;
    // APP1 Exif, big-endian TIFF, IFD0 with one entry: Orientation (SHORT, 1) = 6
    let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01".to_vec();
    tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
    tiff.extend([0, 0, 0, 0]);
    let mut app1 = vec![0xFF, 0xE1];
    let len = (2 + 6 + tiff.len()) as u16;
    app1.extend(len.to_be_bytes());
    app1.extend(b"Exif\0\0");
    app1.extend(&tiff);
    let mut with_exif = jpg[..2].to_vec();
    with_exif.extend(&app1);
    with_exif.extend(&jpg[2..]);
    let info = reg().probe(&with_exif, &opts()).unwrap();
    assert_eq!(info.metadata.orientation, Some(6));
    assert_eq!(info.metadata.exif.as_deref(), Some(&tiff[..]));
    assert_eq!(decode(&with_exif).unwrap(), decode(&jpg).unwrap());
    // the encoder's JFIF header has density 1:1 in unknown units: no DPI
    assert_eq!(reg().probe(&jpg, &opts()).unwrap().metadata.dpi(), None);
}

// ---- parallel band encoding (restart intervals) and compressor reuse ----

/// A photo-like picture: the smooth gradients plus pseudo-random texture of amplitude 48.
fn textured(w: u32, h: u32, layout: Layout, seed: u64) -> Image {
    let mut img = smooth(w, h, layout);
    let noise = common::random_image(w, h, img.format(), seed);
    for y in 0..h {
        let n = noise.row(y).to_vec();
        for (p, r) in img.row_mut(y).iter_mut().zip(n) {
            *p = p.saturating_add(r % 48);
        }
    }
    img
}

/// Offset of the first entropy-coded byte (just past the SOS header).
fn scan_start(data: &[u8]) -> usize {
    let mut i = 2;
    loop {
        assert_eq!(data[i], 0xFF, "marker expected at {i}");
        let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
        if data[i + 1] == 0xDA {
            return i + 2 + len;
        }
        i += 2 + len;
    }
}

/// The restart interval from the DRI marker (if any) and the number of RSTn markers in the
/// entropy-coded data.
fn restarts(data: &[u8]) -> (Option<u16>, usize) {
    let mut i = 2;
    let mut interval = None;
    while data[i + 1] != 0xDA {
        if data[i + 1] == 0xDD {
            interval = Some(u16::from_be_bytes([data[i + 4], data[i + 5]]));
        }
        i += 2 + u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
    }
    let scan = &data[scan_start(data)..];
    let rst = scan
        .windows(2)
        .filter(|w| w[0] == 0xFF && (0xD0..=0xD7).contains(&w[1]))
        .count();
    (interval, rst)
}

/// libjpeg-turbo's own single-threaded encode with a restart interval of `interval` MCUs
/// (raw API with a fresh instance, so nothing of pixcodec is involved).
fn libjpeg_restart_encode(img: &Image, quality: i32, subsamp: raw::TJSAMP, interval: u16) -> Vec<u8> {
    let pf = match img.format().layout {
        Layout::Gray => raw::TJPF_TJPF_GRAY,
        Layout::Rgb => raw::TJPF_TJPF_RGB,
        _ => raw::TJPF_TJPF_CMYK,
    } as libc::c_int;
    // SAFETY: test helper; every pointer refers to live buffers of the stated sizes.
    unsafe {
        let hd = raw::tj3Init(raw::TJINIT_TJINIT_COMPRESS as libc::c_int);
        assert!(!hd.is_null());
        let set = |p: raw::TJPARAM, v: i32| assert_eq!(raw::tj3Set(hd, p as libc::c_int, v), 0);
        set(raw::TJPARAM_TJPARAM_SUBSAMP, subsamp);
        set(raw::TJPARAM_TJPARAM_QUALITY, quality);
        set(raw::TJPARAM_TJPARAM_RESTARTBLOCKS, i32::from(interval));
        let mut buf: *mut libc::c_uchar = std::ptr::null_mut();
        let mut size: raw::size_t = 0;
        let (w, h) = (img.width() as i32, img.height() as i32);
        let rc = raw::tj3Compress8(hd, img.as_bytes().as_ptr(), w, 0, h, pf, &mut buf, &mut size);
        take_raw_output(hd, rc, buf, size)
    }
}

fn subsamp_code(s: &str) -> raw::TJSAMP {
    match s {
        "444" => raw::TJSAMP_TJSAMP_444,
        "422" => raw::TJSAMP_TJSAMP_422,
        "420" => raw::TJSAMP_TJSAMP_420,
        "440" => raw::TJSAMP_TJSAMP_440,
        "411" => raw::TJSAMP_TJSAMP_411,
        _ => raw::TJSAMP_TJSAMP_GRAY,
    }
}

#[test]
fn parallel_encode_is_libjpeg_restart_encode_and_decodes_like_a_single_encode() {
    // Odd sizes, sizes that are and are not multiples of the MCU, every subsampling,
    // gray and CMYK (YCCK), several qualities; all large enough to be split into bands.
    let cases: &[(u32, u32, Layout, &str, i64)] = &[
        (1024, 600, Layout::Rgb, "420", 90),
        (1921, 1081, Layout::Rgb, "420", 90),
        (777, 1001, Layout::Rgb, "420", 75),
        (4099, 130, Layout::Rgb, "420", 95),
        (513, 1031, Layout::Rgb, "444", 90),
        (1000, 999, Layout::Rgb, "422", 50),
        (801, 803, Layout::Rgb, "440", 100),
        (1203, 509, Layout::Rgb, "411", 85),
        (1283, 457, Layout::Gray, "420", 90),
        (725, 733, Layout::Gray, "444", 30),
        (769, 700, Layout::Cmyk, "420", 90),
        (741, 745, Layout::Cmyk, "444", 80),
    ];
    for (i, &(w, h, layout, sub, q)) in cases.iter().enumerate() {
        let what = format!("{w}x{h} {layout:?} {sub} q{q}");
        let img = textured(w, h, layout, 7 + i as u64);
        let o = EncodeOptions::new().subsampling(sub).quality(q as u8);
        let par = encode(&img, o.clone()).unwrap().data;
        let single = encode(&img, o.set("parallel", false)).unwrap().data;
        let (interval, rst) = restarts(&par);
        let interval = interval.unwrap_or_else(|| panic!("{what}: not encoded in bands"));
        assert_eq!(restarts(&single), (None, 0), "{what}");
        // Byte for byte what libjpeg-turbo writes itself with that restart interval.
        let sub = if layout == Layout::Gray { "gray" } else { sub };
        let reference = libjpeg_restart_encode(&img, q as i32, subsamp_code(sub), interval);
        assert!(par == reference, "{what}: differs from libjpeg-turbo's restart encode");
        // The same pixels as a single-threaded encode, through three decoders.
        let a = decode(&par).unwrap();
        let b = decode(&single).unwrap();
        assert!(a.as_ref().pixels_eq(&b.as_ref()), "{what}: decoded pixels differ");
        if layout != Layout::Cmyk {
            let pf = if layout == Layout::Gray {
                turbojpeg::PixelFormat::GRAY
            } else {
                turbojpeg::PixelFormat::RGB
            };
            let t = turbojpeg::decompress(&par, pf).unwrap();
            assert_eq!(t.pixels, a.as_bytes(), "{what}: turbojpeg crate");
            #[cfg(feature = "image-rs")]
            {
                let zp = image::load_from_memory_with_format(&par, image::ImageFormat::Jpeg).unwrap();
                let zs = image::load_from_memory_with_format(&single, image::ImageFormat::Jpeg).unwrap();
                assert_eq!(zp.as_bytes(), zs.as_bytes(), "{what}: image crate (zune-jpeg)");
            }
        }
        // Size: DRI (6 bytes) plus per band an RST marker, its 1-padding and a restarted DC.
        let bands = rst + 1;
        let extra = par.len() as i64 - single.len() as i64;
        eprintln!(
            "{what}: {bands} bands, {} vs {} bytes (+{extra})",
            par.len(),
            single.len()
        );
        assert!(
            extra <= 6 + 32 * (bands as i64 - 1),
            "{what}: {extra} extra bytes for {bands} bands"
        );
    }
}

#[test]
fn small_or_non_baseline_encodes_are_not_split() {
    // The threshold: 511x511 is one piece, 512x512 is two bands (of 16 MCU rows each).
    assert_eq!(PARALLEL_MIN_PIXELS, 512 * 512);
    let img = textured(511, 511, Layout::Rgb, 1);
    assert_eq!(restarts(&encode(&img, EncodeOptions::new()).unwrap().data), (None, 0));
    let img = textured(512, 512, Layout::Rgb, 1);
    assert_eq!(
        restarts(&encode(&img, EncodeOptions::new()).unwrap().data),
        (Some(32 * 16), 1)
    );
    let big = textured(1100, 700, Layout::Rgb, 2);
    for (name, opts) in [
        ("progressive", EncodeOptions::new().progressive(true)),
        ("optimize", EncodeOptions::new().set("optimize", true)),
        ("arithmetic", EncodeOptions::new().set("arithmetic", true)),
    ] {
        let a = encode(&big, opts.clone()).unwrap().data;
        let b = encode(&big, opts.set("parallel", false)).unwrap().data;
        assert_eq!(a, b, "{name}");
        assert_eq!(restarts(&a).0, None, "{name}");
    }
}

#[test]
fn parallel_encode_bytes_do_not_depend_on_the_thread_count() {
    let img = textured(1500, 900, Layout::Rgb, 3);
    let (buf, stride) = common::padded_copy(&img, 5);
    let view = ImageRef::new(&buf, 1500, 900, img.format(), stride).unwrap();
    let reference = encode(&img, EncodeOptions::new()).unwrap().data;
    assert!(restarts(&reference).1 > 0);
    for threads in [1, 2, 3, 7] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let a = pool.install(|| encode(&img, EncodeOptions::new()).unwrap().data);
        let b = pool.install(|| reg().encode(view, "jpeg", &EncodeOptions::new()).unwrap().data);
        assert!(a == reference && b == reference, "{threads} threads");
    }
}

#[test]
fn pooled_compressors_reset_every_setting_between_encodes() {
    // Interleave settings on the compressors a reused encoder keeps (its first one and its
    // band compressors, used on rayon's threads) and compare
    // each result with a fresh compressor of the turbojpeg crate.
    let rgb = textured(300, 200, Layout::Rgb, 4);
    let gray = textured(200, 120, Layout::Gray, 5);
    let big = textured(1100, 700, Layout::Rgb, 6);
    let fresh = |img: &Image, q: i32, sub: turbojpeg::Subsamp, prog: bool, opt: bool, ari: bool| {
        let mut c = turbojpeg::Compressor::new().unwrap();
        c.set_quality(q).unwrap();
        c.set_subsamp(sub).unwrap();
        c.set_progressive(prog).unwrap();
        c.set_optimize(opt).unwrap();
        c.set_arithmetic(ari).unwrap();
        let pf = if img.format().layout == Layout::Gray {
            turbojpeg::PixelFormat::GRAY
        } else {
            turbojpeg::PixelFormat::RGB
        };
        let input = turbojpeg::Image {
            pixels: img.as_bytes(),
            width: img.width() as usize,
            pitch: img.row_bytes(),
            height: img.height() as usize,
            format: pf,
        };
        c.compress_to_vec(input).unwrap()
    };
    use turbojpeg::Subsamp as S;
    for round in 0..2 {
        let seq: Vec<(&Image, EncodeOptions, Vec<u8>)> = vec![
            (
                &rgb,
                EncodeOptions::new().progressive(true).quality(40),
                fresh(&rgb, 40, S::Sub2x2, true, false, false),
            ),
            (
                &gray,
                EncodeOptions::new().set("arithmetic", true),
                fresh(&gray, 90, S::Gray, false, false, true),
            ),
            (
                &rgb,
                EncodeOptions::new().subsampling("444").set("optimize", true),
                fresh(&rgb, 90, S::None, false, true, false),
            ),
            (
                &big,
                EncodeOptions::new().set("parallel", false),
                fresh(&big, 90, S::Sub2x2, false, false, false),
            ),
            (
                &rgb,
                EncodeOptions::new(),
                fresh(&rgb, 90, S::Sub2x2, false, false, false),
            ),
        ];
        for (k, (img, o, want)) in seq.into_iter().enumerate() {
            assert!(encode(img, o).unwrap().data == want, "round {round} step {k}");
            // A refused encode in between changes nothing.
            assert!(encode(&rgb, EncodeOptions::new().subsampling("gray")).is_err());
            // A banded encode in between uses several of the encoder's compressors.
            assert!(restarts(&encode(&big, EncodeOptions::new()).unwrap().data).0.is_some());
        }
    }
}

#[test]
fn decoding_inherits_nothing_from_earlier_decodes() {
    // Interleaved decodes (different files, sizes, draft scaling) on one thread give what a
    // first decode gives; a file whose quantization tables were cut out is refused even right
    // after a file that had them (libjpeg keeps tables in a reused decompressor).
    let a = encode(&textured(300, 200, Layout::Rgb, 8), EncodeOptions::new())
        .unwrap()
        .data;
    let b = encode(&textured(97, 61, Layout::Gray, 9), EncodeOptions::new().quality(50))
        .unwrap()
        .data;
    let first_a = decode(&a).unwrap();
    let first_b = decode(&b).unwrap();
    let mut d = reg().decoder(&a, &opts()).unwrap();
    assert!(d.draft(80, 50).unwrap());
    let small_a = {
        let info = d.info().clone();
        let mut img = Image::new(info.width, info.height, info.format).unwrap();
        d.decode_into(img.as_mut()).unwrap();
        img
    };
    // cut the DQT segment(s) out of `a`
    let mut no_dqt = a[..2].to_vec();
    let mut i = 2;
    while a[i + 1] != 0xDA {
        let len = u16::from_be_bytes([a[i + 2], a[i + 3]]) as usize;
        if a[i + 1] != 0xDB {
            no_dqt.extend_from_slice(&a[i..i + 2 + len]);
        }
        i += 2 + len;
    }
    no_dqt.extend_from_slice(&a[i..]);
    for _ in 0..3 {
        assert!(decode(&a).unwrap().as_ref().pixels_eq(&first_a.as_ref()));
        assert!(
            matches!(decode(&no_dqt), Err(Error::Decode { .. })),
            "no DQT must be refused"
        );
        assert!(decode(&a[..a.len() / 2]).is_err());
        assert!(decode(&b).unwrap().as_ref().pixels_eq(&first_b.as_ref()));
        let mut d = reg().decoder(&a, &opts()).unwrap();
        assert!(d.draft(80, 50).unwrap());
        let mut img = Image::new(small_a.width(), small_a.height(), small_a.format()).unwrap();
        d.decode_into(img.as_mut()).unwrap();
        assert!(img.as_ref().pixels_eq(&small_a.as_ref()));
    }
}

/// Checks a raw `tj3Compress*` return code, copies out the JPEG it wrote and frees the
/// output buffer and the handle.
///
/// # Safety
/// `hd` is a live TurboJPEG handle and `buf`/`size` are what the compress call set.
unsafe fn take_raw_output(
    hd: turbojpeg::raw::tjhandle,
    rc: libc::c_int,
    buf: *mut libc::c_uchar,
    size: turbojpeg::raw::size_t,
) -> Vec<u8> {
    use turbojpeg::raw;
    assert_eq!(
        rc,
        0,
        "{}",
        std::ffi::CStr::from_ptr(raw::tj3GetErrorStr(hd)).to_string_lossy()
    );
    let v = std::slice::from_raw_parts(buf, size as usize).to_vec();
    raw::tj3Free(buf.cast());
    raw::tj3Destroy(hd);
    v
}

/// A decode from outside rayon's pool runs as two bands (`tj3SetCroppingRegion`) unless the
/// parallelism rule says one pass (other decodes in progress, or band decodes paused on a busy
/// machine; the unit test `band_decode_equals_one_pass` in `src/codecs/jpeg_turbo/bands.rs`
/// calls the band path itself); a decode on a one-thread pool runs as one pass. Both must give
/// the same pixels for every subsampling, gray and CMYK, restart markers or none, into packed
/// and padded rows (padding untouched), and a truncated file must fail both ways.
#[test]
fn band_decode_matches_a_single_pass_decode() {
    // The band path needs a pool of at least two threads (the test machine has two cores).
    let _ = rayon::ThreadPoolBuilder::new().num_threads(2).build_global();
    assert!(
        rayon::current_num_threads() >= 2,
        "the band decode needs a pool of two threads"
    );
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let mut files = Vec::new();
    let rgb = common::random_image(700, 613, PixelFormat::new(Layout::Rgb, SampleType::U8), 11);
    for sub in ["444", "422", "420", "440", "411"] {
        for parallel in [false, true] {
            let o = EncodeOptions::new().set("subsampling", sub).set("parallel", parallel);
            files.push((
                format!("rgb {sub} parallel={parallel}"),
                pixcodec::encode(rgb.as_ref(), "jpeg", &o).unwrap().data,
            ));
        }
    }
    for layout in [Layout::Gray, Layout::Cmyk] {
        let img = common::random_image(640, 480, PixelFormat::new(layout, SampleType::U8), 12);
        files.push((
            format!("{layout:?}"),
            pixcodec::encode(img.as_ref(), "jpeg", &EncodeOptions::new())
                .unwrap()
                .data,
        ));
    }
    if let Some(dir) = common::corpus_dir() {
        let photo = pixcodec::read(dir.join("photos/kodim23.png")).unwrap();
        files.push((
            "kodim23".into(),
            pixcodec::encode(photo.as_ref(), "jpeg", &EncodeOptions::new())
                .unwrap()
                .data,
        ));
    }
    for (name, file) in &files {
        let single = one.install(|| pixcodec::decode(file)).unwrap();
        assert!(
            u64::from(single.width()) * u64::from(single.height()) >= PARALLEL_MIN_PIXELS,
            "{name}"
        );
        let banded = pixcodec::decode(file).unwrap();
        assert!(
            banded.as_ref().pixels_eq(&single.as_ref()),
            "{name}: band decode differs"
        );
        let (mut store, stride) = common::padded_copy(&single, 5);
        store.iter_mut().enumerate().for_each(|(i, b)| {
            if i % stride >= single.row_bytes() {
                *b = 0xA5
            } else {
                *b = 0
            }
        });
        let out = ImageMut::new(&mut store, single.width(), single.height(), single.format(), stride).unwrap();
        pixcodec::decode_into(file, out).unwrap();
        for y in 0..single.height() as usize {
            let row = &store[y * stride..][..stride.min(store.len() - y * stride)];
            assert_eq!(
                &row[..single.row_bytes()],
                single.as_ref().row(y as u32),
                "{name}: padded row {y}"
            );
            assert!(
                row[single.row_bytes()..].iter().all(|&b| b == 0xA5),
                "{name}: padding of row {y} written"
            );
        }
        let cut = &file[..file.len() * 3 / 4];
        assert!(pixcodec::decode(cut).is_err(), "{name}: truncated file decoded (bands)");
        assert!(
            one.install(|| pixcodec::decode(cut)).is_err(),
            "{name}: truncated file decoded (single)"
        );
    }
}

/// Decodes an 8-bit JPEG to RGB with the raw TurboJPEG API in one instance, with
/// `TJPARAM_FASTDCT` set to `fast`: the reference for [`pixcodec::DctMethod`].
fn raw_decode_rgb8(data: &[u8], fast: bool) -> Vec<u8> {
    // SAFETY: test helper; every pointer refers to live buffers of the stated sizes.
    unsafe {
        let hd = raw::tj3Init(raw::TJINIT_TJINIT_DECOMPRESS as libc::c_int);
        assert!(!hd.is_null());
        assert_eq!(
            raw::tj3Set(hd, raw::TJPARAM_TJPARAM_FASTDCT as libc::c_int, fast as libc::c_int),
            0
        );
        assert_eq!(
            raw::tj3DecompressHeader(hd, data.as_ptr(), data.len() as raw::size_t),
            0
        );
        let w = raw::tj3Get(hd, raw::TJPARAM_TJPARAM_JPEGWIDTH as libc::c_int);
        let h = raw::tj3Get(hd, raw::TJPARAM_TJPARAM_JPEGHEIGHT as libc::c_int);
        let mut out = vec![0u8; (w * h * 3) as usize];
        let rc = raw::tj3Decompress8(
            hd,
            data.as_ptr(),
            data.len() as raw::size_t,
            out.as_mut_ptr(),
            0,
            raw::TJPF_TJPF_RGB as libc::c_int,
        );
        assert_eq!(
            rc,
            0,
            "{}",
            std::ffi::CStr::from_ptr(raw::tj3GetErrorStr(hd)).to_string_lossy()
        );
        raw::tj3Destroy(hd);
        out
    }
}

#[test]
fn dct_method_fast_decodes_as_turbojpegs_fastdct_in_one_piece_and_in_bands() {
    use pixcodec::DctMethod;
    // Noise at quality 98, where the two IDCTs differ most; large enough for the band decode.
    let img = common::random_image(1024, 768, PixelFormat::new(Layout::Rgb, SampleType::U8), 7);
    let data = encode(&img, EncodeOptions::new().quality(98)).unwrap().data;
    let fast_ref = raw_decode_rgb8(&data, true);
    let accurate_ref = raw_decode_rgb8(&data, false);
    assert_ne!(fast_ref, accurate_ref, "the two IDCTs must differ on this file");

    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let fast = opts().dct_method(DctMethod::Fast);
    for (what, img) in [
        ("bands", reg().decode(&data, &fast).unwrap()),
        ("one piece", one.install(|| reg().decode(&data, &fast)).unwrap()),
    ] {
        assert!(img.as_bytes() == fast_ref.as_slice(), "fast, {what}");
    }
    // The default is accurate, and so is an explicit Accurate.
    assert!(decode(&data).unwrap().as_bytes() == accurate_ref.as_slice());
    let accurate = opts().dct_method(DctMethod::Accurate);
    assert!(reg().decode(&data, &accurate).unwrap().as_bytes() == accurate_ref.as_slice());

    // A decoder says whether it applied the choice: lossless JPEG has no DCT.
    let mut dec = reg().decoder(&data, &opts()).unwrap();
    assert!(dec.set_dct_method(DctMethod::Fast).unwrap());
    let gray = Image::from_samples(16, 8, Layout::Gray, &[7u8; 128]).unwrap();
    let lossless = encode(&gray, EncodeOptions::new().set("lossless", true)).unwrap().data;
    let mut dec = reg().decoder(&lossless, &opts()).unwrap();
    assert!(!dec.set_dct_method(DctMethod::Fast).unwrap());
    assert_eq!(reg().decode(&lossless, &fast).unwrap(), gray);

    // The spellings: ours and TensorFlow's, any case; others are errors listing them.
    for (s, m) in [
        ("fast", DctMethod::Fast),
        ("INTEGER_FAST", DctMethod::Fast),
        ("Accurate", DctMethod::Accurate),
        ("integer_accurate", DctMethod::Accurate),
    ] {
        assert_eq!(s.parse::<DctMethod>().unwrap(), m, "{s}");
    }
    let e = "float".parse::<DctMethod>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid argument: unknown DCT method 'float' (accurate, fast)"
    );
}
