//! Lossless JPEG (SOF3, 2..16 bits) and 12-bit lossy JPEG encoding through `jpeg-turbo`, and
//! the capability that depends on options (`exact_with`: exact with `lossless=true`).
#![cfg(feature = "jpeg-turbo")]

mod common;

use pixcodec::compare::compare;
use pixcodec::{
    DecodeOptions, EncodeOptions, ErrorKind, Fidelity, Image, ImageRef, Layout, PixelFormat, Registry, SampleType,
};

fn reg() -> Registry {
    Registry::with_builtins()
}

/// A deterministic image whose samples use the full range of `precision` bits (noise plus
/// gradients, so every predictor sees real differences).
fn image(w: u32, h: u32, layout: Layout, sample: SampleType, precision: u32, seed: u64) -> Image {
    let max = (1u64 << precision) - 1;
    let c = layout.channels();
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let n = (w * h) as usize * c;
    let values: Vec<u64> = (0..n)
        .map(|i| {
            let (x, y) = ((i / c) as u64 % u64::from(w), (i / c) as u64 / u64::from(w));
            let smooth = (x * 37 + y * 11) * max / (u64::from(w) * 37 + u64::from(h) * 11);
            match i % 5 {
                0 => next() % (max + 1),
                1 => max,
                2 => 0,
                _ => smooth,
            }
        })
        .collect();
    match sample {
        SampleType::U8 => {
            let v: Vec<u8> = values.iter().map(|&x| x as u8).collect();
            Image::from_samples(w, h, layout, &v).unwrap()
        }
        SampleType::U16 => {
            let v: Vec<u16> = values.iter().map(|&x| x as u16).collect();
            Image::from_samples(w, h, layout, &v).unwrap()
        }
        other => panic!("no JPEG test images of {other}"),
    }
}

/// The sampling factors byte of each component in the SOF segment.
fn sampling(data: &[u8]) -> Vec<u8> {
    let mut i = 2;
    loop {
        let (m, len) = (data[i + 1], u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize);
        if (0xC0..=0xCF).contains(&m) && !matches!(m, 0xC4 | 0xC8 | 0xCC) {
            let n = data[i + 9] as usize;
            return (0..n).map(|c| data[i + 10 + 3 * c + 1]).collect();
        }
        i += 2 + len;
    }
}

/// The SOF marker type (0xC3 for lossless) and its precision byte.
fn sof(data: &[u8]) -> (u8, u8) {
    let mut i = 2;
    while i + 4 < data.len() {
        assert_eq!(data[i], 0xFF, "marker expected at {i}");
        let m = data[i + 1];
        let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
        if (0xC0..=0xCF).contains(&m) && !matches!(m, 0xC4 | 0xC8 | 0xCC) {
            return (m, data[i + 4]);
        }
        i += 2 + len;
    }
    panic!("no SOF marker");
}

fn lossless(precision: u32, predictor: i64) -> EncodeOptions {
    let o = EncodeOptions::new().set("lossless", true).set("predictor", predictor);
    if precision == 0 {
        o
    } else {
        o.set("precision", precision as i64)
    }
}

#[test]
fn lossless_round_trips_bit_exact_at_every_precision_and_predictor() {
    let reg = reg();
    let mut checked = 0;
    for layout in [Layout::Gray, Layout::Rgb, Layout::Cmyk] {
        for (sample, precisions) in [
            (SampleType::U8, &[2u32, 5, 7, 8][..]),
            (SampleType::U16, &[9u32, 10, 12, 13, 14, 16][..]),
        ] {
            for &precision in precisions {
                for predictor in 1..=7 {
                    let seed = u64::from(precision) * 31 + predictor as u64;
                    let img = image(37, 23, layout, sample, precision, seed);
                    let enc = reg
                        .encode(img.as_ref(), "jpeg", &lossless(precision, predictor))
                        .unwrap();
                    let label = format!("{layout:?} {sample} precision {precision} predictor {predictor}");
                    assert!(enc.report.exact, "{label}: {:?}", enc.report.lossy_reason);
                    assert_eq!(enc.report.lossy_reason, None, "{label}");
                    assert_eq!(sof(&enc.data), (0xC3, precision as u8), "{label}");
                    let info = reg.probe(&enc.data, &DecodeOptions::new()).unwrap();
                    assert!(!info.lossy_source, "{label}");
                    assert_eq!(info.format, img.format(), "{label}");
                    let full = (sample.size() * 8) as u32;
                    let stored = (precision < full).then_some(precision as u8);
                    assert_eq!(info.significant_bits, stored, "{label}: significant_bits");
                    let back = reg.decode(&enc.data, &DecodeOptions::new()).unwrap();
                    assert_eq!(back, img, "{label}: not bit-exact");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 3 * 10 * 7);
}

#[test]
fn lossless_default_precision_is_the_sample_width() {
    let reg = reg();
    for (sample, bits) in [(SampleType::U8, 8), (SampleType::U16, 16)] {
        let img = image(64, 17, Layout::Rgb, sample, bits, 5);
        let opts = EncodeOptions::new().set("lossless", true);
        let enc = reg.encode(img.as_ref(), "jpg", &opts).unwrap();
        assert_eq!(sof(&enc.data), (0xC3, bits as u8));
        assert!(enc.report.exact);
        assert_eq!(reg.decode(&enc.data, &DecodeOptions::new()).unwrap(), img);
    }
}

#[test]
fn padded_and_misaligned_views_encode_the_same_pixels() {
    let reg = reg();
    let img = image(19, 11, Layout::Rgb, SampleType::U16, 16, 9);
    let want = reg.encode(img.as_ref(), "jpeg", &lossless(0, 4)).unwrap().data;
    // Rows 3 samples longer, starting at an odd address: copied to aligned memory first.
    let stride = img.row_bytes() + 6;
    let mut buf = vec![0x5Au8; 1 + stride * 11];
    for y in 0..11 {
        buf[1 + y * stride..1 + y * stride + img.row_bytes()].copy_from_slice(img.row(y as u32));
    }
    let view = ImageRef::new(&buf[1..], 19, 11, img.format(), stride).unwrap();
    let got = reg.encode(view, "jpeg", &lossless(0, 4)).unwrap().data;
    assert_eq!(got, want);
    let (padded, stride) = common::padded_copy(&img, 5);
    let view = ImageRef::new(&padded, 19, 11, img.format(), stride).unwrap();
    assert_eq!(reg.encode(view, "jpeg", &lossless(0, 4)).unwrap().data, want);
}

#[test]
fn values_above_the_precision_are_refused_naming_the_first() {
    let reg = reg();
    let mut v = vec![100u16; 8 * 4 * 3];
    v[(2 * 8 + 5) * 3 + 1] = 1024; // x=5, y=2, channel 1
    v[(3 * 8) * 3] = 2000; // later in row order
    let img = Image::from_samples(8, 4, Layout::Rgb, &v).unwrap();
    let err = reg.encode(img.as_ref(), "jpeg", &lossless(10, 1)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact);
    let msg = err.to_string();
    assert!(msg.contains("1024") && msg.contains("x=5, y=2, channel 1"), "{msg}");
    assert!(msg.contains("precision=10") && msg.contains("0..=1023"), "{msg}");
    // 11 bits hold 1024 and 2000.
    let enc = reg.encode(img.as_ref(), "jpeg", &lossless(11, 1)).unwrap();
    assert_eq!(reg.decode(&enc.data, &DecodeOptions::new()).unwrap(), img);

    let g: Vec<u8> = (0..64).map(|i| if i == 9 { 16 } else { 15 }).collect();
    let gray = Image::from_samples(8, 8, Layout::Gray, &g).unwrap();
    let msg = reg
        .encode(gray.as_ref(), "jpeg", &lossless(4, 1))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("sample 16 at x=1, y=1 ") && msg.contains("0..=15"),
        "{msg}"
    );
}

#[test]
fn point_transform_is_reported_lossy_and_drops_low_bits() {
    let reg = reg();
    let img = image(16, 16, Layout::Gray, SampleType::U16, 16, 3);
    let opts = lossless(0, 1).set("point_transform", 3);
    let enc = reg.encode(img.as_ref(), "jpeg", &opts).unwrap();
    assert!(!enc.report.exact);
    let reason = enc.report.lossy_reason.as_deref().unwrap();
    assert!(reason.contains("point_transform=3"), "{reason}");
    let back = reg.decode(&enc.data, &DecodeOptions::new()).unwrap();
    let want: Vec<u16> = img.to_vec::<u16>().unwrap().iter().map(|v| v >> 3 << 3).collect();
    assert_eq!(back.to_vec::<u16>().unwrap(), want);
    // require_exact refuses it before writing.
    let err = reg
        .encode(img.as_ref(), "jpeg", &opts.clone().require_exact(true))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact);
    // point_transform must stay below the precision.
    let err = reg
        .encode(img.as_ref(), "jpeg", &lossless(9, 1).set("point_transform", 9))
        .unwrap_err();
    assert!(err.to_string().contains("point_transform=9"), "{err}");
}

#[test]
fn options_that_do_not_apply_are_refused() {
    let reg = reg();
    let u8img = image(8, 8, Layout::Rgb, SampleType::U8, 8, 1);
    let u16img = image(8, 8, Layout::Gray, SampleType::U16, 16, 1);
    let cases: [(&Image, EncodeOptions, &str); 8] = [
        (&u8img, lossless(0, 1).quality(80), "quality"),
        (&u8img, lossless(0, 1).set("subsampling", "444"), "subsampling"),
        (&u8img, lossless(0, 1).progressive(true), "progressive"),
        (&u8img, EncodeOptions::new().set("predictor", 2), "lossless=true"),
        (&u8img, EncodeOptions::new().set("point_transform", 1), "lossless=true"),
        (&u8img, lossless(9, 1), "precision=9"),
        (&u16img, lossless(8, 1), "precision=8"),
        (&u16img, EncodeOptions::new().set("precision", 16), "precision=16"),
    ];
    for (img, opts, needle) in cases {
        let err = reg.encode(img.as_ref(), "jpeg", &opts).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{needle}: {err}");
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
}

#[test]
fn twelve_bit_lossy_encode_of_u16() {
    let reg = reg();
    for layout in [Layout::Gray, Layout::Rgb] {
        let img = image(48, 40, layout, SampleType::U16, 12, 11);
        let enc = reg
            .encode(img.as_ref(), "jpeg", &EncodeOptions::new().quality(95))
            .unwrap();
        assert!(!enc.report.exact);
        let reason = enc.report.lossy_reason.as_deref().unwrap();
        assert!(reason.starts_with("JPEG is lossy (12-bit, quality 95"), "{reason}");
        let (marker, precision) = sof(&enc.data);
        assert!(matches!(marker, 0xC1 | 0xC0), "{marker:#x}");
        assert_eq!(precision, 12);
        let info = reg.probe(&enc.data, &DecodeOptions::new()).unwrap();
        assert!(info.lossy_source);
        let back = reg.decode(&enc.data, &DecodeOptions::new()).unwrap();
        assert_eq!(back.format(), img.format());
        let v = back.to_vec::<u16>().unwrap();
        assert!(v.iter().all(|&s| s <= 4095));
        // Noise is hard for DCT coding; the smooth parts must stay close.
        let c = compare(&img.as_ref(), &back.as_ref()).unwrap();
        assert!(c.psnr_db > 20.0, "{layout:?}: PSNR {}", c.psnr_db);
    }
    // The chroma subsampling option applies to 12-bit files too; lossless is always 4:4:4.
    let rgb = image(32, 16, Layout::Rgb, SampleType::U16, 12, 6);
    for (sub, want) in [
        ("420", [0x22, 0x11, 0x11]),
        ("422", [0x21, 0x11, 0x11]),
        ("444", [0x11; 3]),
    ] {
        let enc = reg
            .encode(rgb.as_ref(), "jpeg", &EncodeOptions::new().subsampling(sub))
            .unwrap();
        assert_eq!(sampling(&enc.data), want, "{sub}");
    }
    let enc = reg.encode(rgb.as_ref(), "jpeg", &lossless(0, 1)).unwrap();
    assert_eq!(sampling(&enc.data), [0x11; 3]);
    // A smooth ramp comes back near exact.
    let ramp: Vec<u16> = (0..64 * 64).map(|i| ((i % 64) * 60 + (i / 64) * 3) as u16).collect();
    let img = Image::from_samples(64, 64, Layout::Gray, &ramp).unwrap();
    let enc = reg
        .encode(img.as_ref(), "jpeg", &EncodeOptions::new().quality(100))
        .unwrap();
    let back = reg.decode(&enc.data, &DecodeOptions::new()).unwrap();
    let c = compare(&img.as_ref(), &back.as_ref()).unwrap();
    assert!(c.max_abs_diff <= 8.0, "max difference {}", c.max_abs_diff);
}

#[test]
fn twelve_bit_refuses_values_above_4095_and_names_lossless() {
    let reg = reg();
    let mut v = vec![4095u16; 10 * 3 * 3];
    v[(10 + 7) * 3 + 2] = 4096; // x=7, y=1, channel 2
    let img = Image::from_samples(10, 3, Layout::Rgb, &v).unwrap();
    let err = reg.encode(img.as_ref(), "jpeg", &EncodeOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact);
    let msg = err.to_string();
    assert!(msg.contains("4096 at x=7, y=1, channel 2"), "{msg}");
    assert!(msg.contains("12-bit") && msg.contains("lossless=true"), "{msg}");
    // The same image is exact with lossless=true.
    let enc = reg.encode(img.as_ref(), "jpeg", &lossless(0, 1)).unwrap();
    assert!(enc.report.exact);
}

#[test]
fn capability_exact_with_and_require_exact() {
    let reg = reg();
    let codec = reg.by_name("jpeg-turbo").unwrap();
    let u16fmt = PixelFormat::new(Layout::Gray, SampleType::U16);
    let row = *codec.capabilities().encode_row(u16fmt).unwrap();
    assert_eq!((row.fidelity, row.exact_with), (Fidelity::Lossy, Some("lossless=true")));
    let specs = codec.encode_options();
    let resolve = |o: EncodeOptions| o.resolve("jpeg-turbo", specs).unwrap();
    assert_eq!(
        codec.encode_fidelity_with(u16fmt, &resolve(EncodeOptions::new())),
        Some(Fidelity::Lossy)
    );
    assert_eq!(
        codec.encode_fidelity_with(u16fmt, &resolve(lossless(0, 1))),
        Some(Fidelity::Exact)
    );
    assert_eq!(
        codec.encode_fidelity_with(u16fmt, &resolve(lossless(0, 1).set("point_transform", 1))),
        Some(Fidelity::Lossy)
    );
    // Codecs without option-dependent rows keep their table.
    let png = reg.by_name("png").unwrap();
    assert!(png.capabilities().encode.iter().all(|r| r.exact_with.is_none()));

    let img = image(20, 20, Layout::Gray, SampleType::U16, 16, 2);
    let err = reg
        .encode(img.as_ref(), "jpeg", &EncodeOptions::new().require_exact(true))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact);
    let msg = err.to_string();
    assert!(
        msg.contains("lossless=true") && msg.contains("nothing was written"),
        "{msg}"
    );
    let enc = reg
        .encode(img.as_ref(), "jpeg", &lossless(0, 1).require_exact(true).verify(true))
        .unwrap();
    assert!(enc.report.exact);
    assert!(enc.report.verification.unwrap().identical);
    // U8 too: lossy by default, exact with lossless=true.
    let rgb = image(20, 20, Layout::Rgb, SampleType::U8, 8, 2);
    let err = reg
        .encode(rgb.as_ref(), "jpeg", &EncodeOptions::new().require_exact(true))
        .unwrap_err();
    assert!(err.to_string().contains("Set lossless=true"), "{err}");
    let enc = reg
        .encode(rgb.as_ref(), "jpeg", &lossless(0, 7).require_exact(true))
        .unwrap();
    assert!(enc.report.exact);
    // Cannot-hold formats still say so, whatever the options.
    let rgba = Image::new(4, 4, PixelFormat::new(Layout::Rgba, SampleType::U16)).unwrap();
    let err = reg.encode(rgba.as_ref(), "jpeg", &lossless(0, 1)).unwrap_err();
    assert!(err.to_string().contains("cannot store Rgba U16"), "{err}");
}

#[test]
fn reused_encoder_switches_between_lossy_lossless_and_12_bit() {
    let reg = reg();
    let u8img = image(33, 9, Layout::Rgb, SampleType::U8, 8, 4);
    let u16img = image(33, 9, Layout::Rgb, SampleType::U16, 12, 4);
    let mut buf = Vec::new();
    for round in 0..3 {
        let r = reg
            .encode_into(u8img.as_ref(), "jpeg", &lossless(0, 2), &mut buf)
            .unwrap();
        assert!(r.exact, "round {round}");
        assert_eq!(reg.decode(&buf, &DecodeOptions::new()).unwrap(), u8img);
        let r = reg
            .encode_into(u8img.as_ref(), "jpeg", &EncodeOptions::new(), &mut buf)
            .unwrap();
        assert!(!r.exact);
        assert_eq!(sof(&buf), (0xC0, 8));
        let r = reg
            .encode_into(u16img.as_ref(), "jpeg", &EncodeOptions::new(), &mut buf)
            .unwrap();
        assert!(!r.exact);
        assert_eq!(sof(&buf).1, 12);
        let r = reg
            .encode_into(u16img.as_ref(), "jpeg", &lossless(12, 6), &mut buf)
            .unwrap();
        assert!(r.exact);
        assert_eq!(reg.decode(&buf, &DecodeOptions::new()).unwrap(), u16img);
    }
}

#[test]
fn corpus_monkey12_decodes_and_re_encodes_as_12_bit() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let data = std::fs::read(dir.join("jpeg/monkey12.jpg")).unwrap();
    let reg = reg();
    let img = reg.decode(&data, &DecodeOptions::new()).unwrap();
    assert_eq!(img.format(), PixelFormat::new(Layout::Rgb, SampleType::U16));
    // The file's own 12-bit values are kept exactly by a lossless 12-bit JPEG ...
    let enc = reg.encode(img.as_ref(), "jpeg", &lossless(12, 1)).unwrap();
    assert!(enc.report.exact);
    assert_eq!(reg.decode(&enc.data, &DecodeOptions::new()).unwrap(), img);
    // ... and re-encoded as 12-bit lossy JPEG, they stay close.
    let enc = reg
        .encode(img.as_ref(), "jpeg", &EncodeOptions::new().quality(95))
        .unwrap();
    assert_eq!(sof(&enc.data).1, 12);
    let back = reg.decode(&enc.data, &DecodeOptions::new()).unwrap();
    let c = compare(&img.as_ref(), &back.as_ref()).unwrap();
    eprintln!("monkey12 re-encoded at quality 95: PSNR {:.1} dB", c.psnr_db);
    assert!(c.psnr_db > 35.0, "PSNR {}", c.psnr_db);
}
