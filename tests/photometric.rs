//! The photometric convention (issue 16): TIFF WhiteIsZero gray and Adobe's inverted CMYK
//! JPEG decode to the stored samples with `Metadata::photometric` saying so; TIFF writes
//! WhiteIsZero back (PhotometricInterpretation 0), JPEG keeps the Adobe convention; targets
//! that cannot state a convention report it (Strict refuses before writing), and
//! `convert::apply_invert` stores the same picture in the other convention. Fixtures in
//! `tests/data/photometric/` (made by its `make_fixtures.py` with tifffile and Pillow).

mod common;

use std::path::PathBuf;

use pixcodec::convert;
use pixcodec::metadata::{MetadataItem, Photometric};
use pixcodec::{EncodeOptions, ErrorKind, Image, Layout, Metadata, MetadataPolicy, SampleType};

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/photometric")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The decoded first page and its metadata.
fn open(bytes: &[u8]) -> (Image, Metadata) {
    (
        pixcodec::decode(bytes).unwrap(),
        pixcodec::probe(bytes).unwrap().metadata,
    )
}

/// The values of tag `tag` (SHORT) in the first IFD of a classic TIFF.
fn tiff_short(data: &[u8], tag: u16) -> Option<u16> {
    let le = &data[..2] == b"II";
    let u16_at = |i: usize| {
        let b = [data[i], data[i + 1]];
        if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    };
    let u32_at = |i: usize| {
        let b = [data[i], data[i + 1], data[i + 2], data[i + 3]];
        if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    assert_eq!(u16_at(2), 42, "classic TIFF expected");
    let ifd = u32_at(4) as usize;
    (0..usize::from(u16_at(ifd)))
        .map(|k| ifd + 2 + 12 * k)
        .find(|&e| u16_at(e) == tag)
        .map(|e| {
            assert_eq!(u16_at(e + 2), 3, "tag {tag} is not a SHORT");
            u16_at(e + 8)
        })
}

fn has_adobe_app14(jpeg: &[u8]) -> bool {
    jpeg.windows(9).any(|w| w[..2] == [0xFF, 0xEE] && &w[4..9] == b"Adobe")
}

fn with(m: &Metadata) -> EncodeOptions {
    EncodeOptions::new().metadata(m.clone())
}

fn photometric_note(notes: &[pixcodec::MetadataNote]) -> String {
    let n: Vec<_> = notes.iter().filter(|n| n.item == MetadataItem::Photometric).collect();
    assert_eq!(n.len(), 1, "one photometric note expected in {notes:?}");
    n[0].to_string()
}

#[test]
fn tiff_white_is_zero_decodes_the_stored_samples_and_says_so() {
    let (img, m) = open(&fixture("wiz_u8.tif"));
    assert_eq!((img.width(), img.height(), img.format().layout), (16, 8, Layout::Gray));
    let want: Vec<u8> = (0..8u32)
        .flat_map(|y| (0..16u32).map(move |x| ((x * 16 + y) % 256) as u8))
        .collect();
    assert_eq!(img.to_vec::<u8>().unwrap(), want);
    assert_eq!(m.photometric, Some(Photometric::WhiteIsZero));
    assert!(m.present().contains(&"photometric"));

    let (img, m) = open(&fixture("wiz_u16.tif"));
    let want: Vec<u16> = (0..5u32)
        .flat_map(|y| (0..12u32).map(move |x| (x * 5000 + y * 7) as u16))
        .collect();
    assert_eq!(img.to_vec::<u16>().unwrap(), want);
    assert_eq!(m.photometric, Some(Photometric::WhiteIsZero));

    let bytes = fixture("wiz_1bit.tif");
    let info = pixcodec::probe(&bytes).unwrap();
    assert_eq!(info.significant_bits, Some(1));
    assert_eq!(info.metadata.photometric, Some(Photometric::WhiteIsZero));
    let img = pixcodec::decode(&bytes).unwrap();
    assert_eq!(img.to_vec::<u8>().unwrap()[..4], [1, 0, 0, 1]);

    // A plain (BlackIsZero) page says nothing.
    let plain = pixcodec::encode(img.as_ref(), "tiff", &EncodeOptions::new()).unwrap();
    assert_eq!(tiff_short(&plain.data, 262), Some(1));
    assert_eq!(pixcodec::probe(&plain.data).unwrap().metadata.photometric, None);
}

#[test]
fn tiff_to_tiff_keeps_photometric_0() {
    for name in ["wiz_u8.tif", "wiz_u16.tif"] {
        let (img, m) = open(&fixture(name));
        let enc = pixcodec::encode(img.as_ref(), "tiff", &with(&m).compression("lzw")).unwrap();
        assert!(
            enc.report.metadata_dropped.is_empty(),
            "{name}: {:?}",
            enc.report.metadata_dropped
        );
        assert_eq!(tiff_short(&enc.data, 262), Some(0), "{name}: PhotometricInterpretation");
        let (back, bm) = open(&enc.data);
        assert_eq!(back, img, "{name}");
        assert_eq!(bm.photometric, Some(Photometric::WhiteIsZero), "{name}");
        // Strict has nothing to refuse; Strip keeps the convention (it is not an item).
        pixcodec::encode(img.as_ref(), "tiff", &with(&m).metadata_policy(MetadataPolicy::Strict)).unwrap();
        let stripped =
            pixcodec::encode(img.as_ref(), "tiff", &with(&m).metadata_policy(MetadataPolicy::Strip)).unwrap();
        assert!(stripped.report.metadata_dropped.is_empty());
        assert_eq!(tiff_short(&stripped.data, 262), Some(0), "{name}: Strip");
    }
    // The 1-bit page, written back at its own depth.
    let bytes = fixture("wiz_1bit.tif");
    let (img, m) = open(&bytes);
    let enc = pixcodec::encode(img.as_ref(), "tiff", &with(&m).set("significant_bits", 1i64)).unwrap();
    assert_eq!(tiff_short(&enc.data, 262), Some(0));
    assert_eq!(tiff_short(&enc.data, 258), Some(1));
    assert_eq!(open(&enc.data), (img, m));
}

#[test]
fn tiff_writes_white_is_zero_only_where_it_reads_it_back() {
    let mut m = Metadata::default();
    m.photometric = Some(Photometric::WhiteIsZero);
    for (img, why) in [
        (
            Image::from_samples::<i16>(2, 1, Layout::Gray, &[-1, 5]).unwrap(),
            "not with signed samples",
        ),
        (
            Image::from_samples::<f32>(2, 1, Layout::Gray, &[0.0, 1.0]).unwrap(),
            "not with float samples",
        ),
        (
            Image::from_samples::<u8>(1, 1, Layout::GrayAlpha, &[3, 255]).unwrap(),
            "not with alpha",
        ),
        (
            Image::from_samples::<u8>(1, 1, Layout::Rgb, &[1, 2, 3]).unwrap(),
            "white-is-zero describes gray samples and the image is Rgb",
        ),
    ] {
        let enc = pixcodec::encode(img.as_ref(), "tiff", &with(&m)).unwrap();
        let note = photometric_note(&enc.report.metadata_dropped);
        assert!(note.contains(why), "{note}");
        assert_ne!(tiff_short(&enc.data, 262), Some(0), "{why}");
        assert_eq!(pixcodec::decode(&enc.data).unwrap(), img, "{why}: samples as given");
    }
}

#[test]
fn white_is_zero_to_png_is_reported_and_strict_writes_nothing() {
    let (img, m) = open(&fixture("wiz_u8.tif"));
    let enc = pixcodec::encode(img.as_ref(), "png", &with(&m)).unwrap();
    let note = photometric_note(&enc.report.metadata_dropped);
    assert!(
        note.starts_with("photometric: png cannot state white-is-zero") && note.contains("convert::apply_invert("),
        "{note}"
    );
    // The samples are written as they are.
    assert_eq!(pixcodec::decode(&enc.data).unwrap(), img);

    for opts in [
        with(&m).metadata_policy(MetadataPolicy::Strict),
        with(&m).require_exact(true),
    ] {
        let mut out = Vec::new();
        let err = pixcodec::Registry::global()
            .encode_to(img.as_ref(), "png", &opts, &mut out)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotExact);
        assert!(err.to_string().contains("png cannot state white-is-zero"), "{err}");
        assert!(out.is_empty(), "nothing written");
    }
    // Strip writes no item, but the convention is what the samples mean: still reported.
    let enc = pixcodec::encode(img.as_ref(), "png", &with(&m).metadata_policy(MetadataPolicy::Strip)).unwrap();
    assert!(photometric_note(&enc.report.metadata_dropped).contains("png cannot state white-is-zero"));
}

#[test]
fn inverted_white_is_zero_gives_png_the_plain_picture() {
    for name in ["wiz_u8.tif", "wiz_u16.tif"] {
        let (img, mut m) = open(&fixture(name));
        let plain = convert::apply_invert(&img.as_ref(), &mut m, None).unwrap();
        assert_eq!(m.photometric, None);
        let enc = pixcodec::encode(plain.as_ref(), "png", &with(&m).metadata_policy(MetadataPolicy::Strict)).unwrap();
        assert!(enc.report.metadata_dropped.is_empty());
        let back = pixcodec::decode(&enc.data).unwrap();
        match img.format().sample {
            SampleType::U8 => {
                let want: Vec<u8> = img.to_vec::<u8>().unwrap().iter().map(|v| 255 - v).collect();
                assert_eq!(back.to_vec::<u8>().unwrap(), want, "{name}");
            }
            _ => {
                let want: Vec<u16> = img.to_vec::<u16>().unwrap().iter().map(|v| 65535 - v).collect();
                assert_eq!(back.to_vec::<u16>().unwrap(), want, "{name}");
            }
        }
    }
    // 1-bit samples invert within their bit: 1 - v.
    let bytes = fixture("wiz_1bit.tif");
    let info = pixcodec::probe(&bytes).unwrap();
    let (img, mut m) = open(&bytes);
    let plain = convert::apply_invert(&img.as_ref(), &mut m, info.significant_bits).unwrap();
    let want: Vec<u8> = img.to_vec::<u8>().unwrap().iter().map(|v| 1 - v).collect();
    assert_eq!(plain.to_vec::<u8>().unwrap(), want);
    let enc = pixcodec::encode(plain.as_ref(), "tiff", &with(&m).set("significant_bits", 1i64)).unwrap();
    assert_eq!(tiff_short(&enc.data, 262), Some(1));
}

#[test]
fn adobe_cmyk_jpeg_keeps_its_convention() {
    let bytes = fixture("adobe_cmyk.jpg");
    assert!(has_adobe_app14(&bytes));
    let (img, m) = open(&bytes);
    assert_eq!(img.format().layout, Layout::Cmyk);
    assert_eq!(m.photometric, Some(Photometric::AdobeInvertedCmyk));
    // The stored samples are inverted ink amounts (Pillow was given the ink; JPEG is lossy).
    let ink: Vec<u8> = (0..8u32)
        .flat_map(|y| (0..16u32).flat_map(move |x| [x * 16, y * 32, (x + y) * 8, 40]))
        .map(|v| v.min(255) as u8)
        .collect();
    let stored = img.to_vec::<u8>().unwrap();
    let err: u64 = stored
        .iter()
        .zip(&ink)
        .map(|(&s, &i)| u64::from((255 - s).abs_diff(i)))
        .sum();
    assert!(
        err / (ink.len() as u64) < 4,
        "mean error {}",
        err as f64 / ink.len() as f64
    );

    let enc = pixcodec::encode(img.as_ref(), "jpeg", &with(&m).metadata_policy(MetadataPolicy::Strict)).unwrap();
    assert!(
        enc.report.metadata_dropped.is_empty(),
        "{:?}",
        enc.report.metadata_dropped
    );
    assert!(has_adobe_app14(&enc.data));
    assert_eq!(open(&enc.data).1.photometric, Some(Photometric::AdobeInvertedCmyk));
    // Strip writes no item and keeps the convention: nothing to report.
    let enc = pixcodec::encode(img.as_ref(), "jpeg", &with(&m).metadata_policy(MetadataPolicy::Strip)).unwrap();
    assert!(
        enc.report.metadata_dropped.is_empty(),
        "{:?}",
        enc.report.metadata_dropped
    );
    // Lossless: the same samples, the same convention.
    let enc = pixcodec::encode(
        img.as_ref(),
        "jpeg",
        &with(&m).set("lossless", true).require_exact(true),
    )
    .unwrap();
    assert_eq!(open(&enc.data), (img, m));
}

#[test]
fn plain_cmyk_to_jpeg_is_reported_and_invert_keeps_the_picture() {
    let ink: Vec<u8> = (0..64u32).map(|i| (i * 4) as u8).collect();
    let img = Image::from_samples::<u8>(4, 4, Layout::Cmyk, &ink).unwrap();
    // No metadata given at all: the Adobe marker still changes what the samples mean.
    for opts in [
        EncodeOptions::new(),
        EncodeOptions::new().metadata_policy(MetadataPolicy::Strip),
    ] {
        let enc = pixcodec::encode(img.as_ref(), "jpeg", &opts).unwrap();
        let note = photometric_note(&enc.report.metadata_dropped);
        assert!(
            note.contains("Adobe APP14") && note.contains("would show inverted"),
            "{note}"
        );
        assert!(has_adobe_app14(&enc.data));
    }
    let mut out = Vec::new();
    let err = pixcodec::Registry::global()
        .encode_to(
            img.as_ref(),
            "jpeg",
            &EncodeOptions::new().set("lossless", true).require_exact(true),
            &mut out,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact);
    assert!(err.to_string().contains("photometric"), "{err}");
    assert!(out.is_empty());

    // Stored the Adobe way, the file shows the same ink.
    let mut m = Metadata::default();
    let adobe = convert::apply_invert(&img.as_ref(), &mut m, None).unwrap();
    assert_eq!(m.photometric, Some(Photometric::AdobeInvertedCmyk));
    let enc = pixcodec::encode(
        adobe.as_ref(),
        "jpeg",
        &with(&m).set("lossless", true).require_exact(true),
    )
    .unwrap();
    assert!(enc.report.exact && enc.report.metadata_dropped.is_empty());
    let (back, bm) = open(&enc.data);
    assert_eq!(bm.photometric, Some(Photometric::AdobeInvertedCmyk));
    let want: Vec<u8> = ink.iter().map(|v| 255 - v).collect();
    assert_eq!(back.to_vec::<u8>().unwrap(), want);
}

#[test]
fn adobe_cmyk_to_tiff_is_reported_or_inverted_to_plain_ink() {
    let (img, m) = open(&fixture("adobe_cmyk.jpg"));
    let enc = pixcodec::encode(img.as_ref(), "tiff", &with(&m)).unwrap();
    let note = photometric_note(&enc.report.metadata_dropped);
    assert!(
        note.starts_with("photometric: tiff cannot state adobe-inverted-cmyk"),
        "{note}"
    );
    assert_eq!(tiff_short(&enc.data, 262), Some(5));
    assert_eq!(pixcodec::decode(&enc.data).unwrap(), img, "samples written as they are");
    let err = pixcodec::encode(img.as_ref(), "tiff", &with(&m).metadata_policy(MetadataPolicy::Strict)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact);

    let mut m2 = m.clone();
    let plain = convert::apply_invert(&img.as_ref(), &mut m2, None).unwrap();
    let enc = pixcodec::encode(
        plain.as_ref(),
        "tiff",
        &with(&m2).metadata_policy(MetadataPolicy::Strict),
    )
    .unwrap();
    assert!(enc.report.metadata_dropped.is_empty());
    assert_eq!(tiff_short(&enc.data, 262), Some(5));
    let (back, bm) = open(&enc.data);
    assert_eq!(bm.photometric, None);
    let want: Vec<u8> = img.to_vec::<u8>().unwrap().iter().map(|v| 255 - v).collect();
    assert_eq!(back.to_vec::<u8>().unwrap(), want);
}

#[test]
fn codecs_without_the_convention_report_it() {
    let (img, m) = open(&fixture("wiz_u8.tif"));
    for (target, codec) in [("npy", "npy"), ("pgm", "pnm-image-rs"), ("jpeg", "jpeg-turbo")] {
        let enc = pixcodec::encode(img.as_ref(), target, &with(&m)).unwrap();
        let note = photometric_note(&enc.report.metadata_dropped);
        assert!(
            note.starts_with(&format!("photometric: {codec} cannot state white-is-zero")),
            "{target}: {note}"
        );
    }
    // The remedy is named per surface.
    let enc = pixcodec::encode(img.as_ref(), "png", &with(&m)).unwrap();
    let note = photometric_note(&enc.report.metadata_dropped);
    let cli = convert::for_surface(&note, convert::Surface::Cli);
    assert!(cli.contains("convert with --invert to keep the picture"), "{cli}");
    let c = convert::for_surface(&note, convert::Surface::C);
    assert!(
        c.contains("pxc_convert_invert(view, significant_bits, metadata, &out)"),
        "{c}"
    );
}

/// The corpus's WhiteIsZero pages (libtiff's `miniswhite-1c-{1,3,6,12}b`, packed samples)
/// say so, and TIFF writes them back at their depth with PhotometricInterpretation 0.
#[test]
fn corpus_white_is_zero_pages_round_trip() {
    let Some(dir) = common::corpus_dir() else { return };
    let mut seen = 0;
    for bits in [1u8, 3, 6, 12] {
        let p = dir.join(format!("tiff/miniswhite-1c-{bits}b.tiff"));
        let Ok(bytes) = std::fs::read(&p) else { continue };
        let info = pixcodec::probe(&bytes).unwrap();
        assert_eq!(
            info.metadata.photometric,
            Some(Photometric::WhiteIsZero),
            "{}",
            p.display()
        );
        assert_eq!(info.significant_bits, Some(bits), "{}", p.display());
        let img = pixcodec::decode(&bytes).unwrap();
        let opts = with(&info.metadata)
            .set("significant_bits", i64::from(bits))
            .metadata_policy(MetadataPolicy::Strict);
        let enc = pixcodec::encode(img.as_ref(), "tiff", &opts).unwrap();
        assert_eq!(tiff_short(&enc.data, 262), Some(0), "{}", p.display());
        let (back, m) = open(&enc.data);
        assert_eq!(back, img, "{}", p.display());
        assert_eq!(m.photometric, Some(Photometric::WhiteIsZero));
        seen += 1;
    }
    assert_eq!(seen, 4, "the corpus holds the four miniswhite pages");
}
