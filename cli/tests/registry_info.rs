//! Issue 18, item 5: `info` shows values (ICC size and description, resolution, orientation,
//! EXIF size, every page's size and format) with typed JSON; `codecs` is a compact table
//! with `--verbose` for the full lists and typed option fields in `--json`; no line of either
//! is longer than 160 characters.

use std::path::Path;
use std::process::{Command, Output};

use pixcodec::{EncodeOptions, Image, Layout, PixelFormat, Registry, SampleType};

const BIN: &str = env!("CARGO_BIN_EXE_pixcodec");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run pixcodec")
}

fn out(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn assert_short_lines(text: &str) {
    for line in text.lines() {
        assert!(
            line.chars().count() <= 160,
            "{} characters: {line}",
            line.chars().count()
        );
    }
}

#[test]
fn codecs_is_a_compact_table_with_a_verbose_form() {
    let table = out(&run(&["codecs"]));
    assert_short_lines(&table);
    let line = |name: &str| {
        table
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no row for {name}:\n{table}"))
            .to_string()
    };
    let png = line("png");
    assert!(
        png.contains("Gray/GrayAlpha/Rgb/Rgba U8,U16") && png.contains("same as decode"),
        "{png}"
    );
    let jpeg = line("jpeg-turbo");
    assert!(jpeg.contains("Gray/Rgb/Cmyk U8,U16 (lossy)"), "{jpeg}");
    let tiff = line("tiff");
    assert!(tiff.contains("U8..U64,I8..I64") && tiff.contains("multi"), "{tiff}");
    assert!(line("gif-image-rs").contains("Rgba U8 (lossy)"));
    let verbose = out(&run(&["codecs", "--verbose"]));
    assert_short_lines(&verbose);
    assert!(
        verbose.contains("option quality (int 1..=100, default 90)"),
        "{verbose}"
    );
    assert!(verbose.contains("Rgba U16 (exact)"), "{verbose}");
}

#[test]
fn codecs_json_has_typed_option_fields() {
    let v: serde_json::Value = serde_json::from_str(&out(&run(&["codecs", "--json"]))).unwrap();
    let codec = |name: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    let option = |c: &serde_json::Value, name: &str| {
        c["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == name)
            .unwrap()
            .clone()
    };
    let jpeg = codec("jpeg-turbo");
    let q = option(&jpeg, "quality");
    assert_eq!(
        (&q["kind"], &q["min"], &q["max"], &q["default"]),
        (&"int".into(), &1.into(), &100.into(), &90.into())
    );
    let p = option(&jpeg, "progressive");
    assert_eq!((&p["kind"], &p["default"]), (&"bool".into(), &false.into()));
    let sub = option(&jpeg, "subsampling");
    assert_eq!(sub["kind"], "choice");
    assert!(sub["choices"].as_array().unwrap().iter().any(|c| c == "444"));
    assert!(sub["default"].is_string());
    let tiff = codec("tiff");
    let c = option(&tiff, "compression");
    assert!(c["choices"].as_array().unwrap().iter().any(|c| c == "deflate"), "{c}");
}

#[test]
fn info_lists_every_page_with_its_format() {
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("stack.tif");
    let g16 = PixelFormat::new(Layout::Gray, SampleType::U16);
    let pages = [
        pixcodec::testkit::generate(8, 6, g16, 1),
        pixcodec::testkit::generate(8, 6, g16, 2),
        pixcodec::testkit::generate(4, 4, g16, 3),
    ];
    let views: Vec<_> = pages.iter().map(Image::as_ref).collect();
    Registry::with_builtins()
        .write_pages(&views, &tif, &EncodeOptions::new())
        .unwrap();
    let text = out(&run(&["info", s(&tif)]));
    assert!(text.contains("3 pages"), "{text}");
    assert!(text.contains("  pages 0-1: 8x6 Gray U16; 2: 4x4 Gray U16"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&out(&run(&["info", "--json", s(&tif)]))).unwrap();
    let list = v[0]["page_list"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(
        (&list[2]["width"], &list[2]["pixel_format"]),
        (&4.into(), &"Gray U16".into())
    );
    assert_eq!(v[0]["bits_per_sample"], 16);
    assert_eq!(v[0]["pages"], 3);
}

/// An EXIF APP1 segment (big-endian TIFF, IFD0 with the orientation tag) after SOI.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut v = jpeg[..2].to_vec();
    v.extend_from_slice(&[0xFF, 0xE1]);
    v.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    v.extend_from_slice(&app1);
    v.extend_from_slice(&jpeg[2..]);
    v
}

#[test]
fn info_shows_orientation_and_exif_values() {
    let dir = tempfile::tempdir().unwrap();
    let img = pixcodec::testkit::generate(16, 8, PixelFormat::new(Layout::Rgb, SampleType::U8), 4);
    let jpeg = Registry::with_builtins()
        .encode(img.as_ref(), "jpeg", &EncodeOptions::new())
        .unwrap()
        .data;
    let path = dir.path().join("turned.jpg");
    std::fs::write(&path, with_exif_orientation(&jpeg, 6)).unwrap();
    let text = out(&run(&["info", s(&path)]));
    assert!(text.contains("metadata: exif, orientation"), "{text}");
    assert!(
        text.contains("  orientation: 6 (rotated 90° clockwise to display)"),
        "{text}"
    );
    assert!(text.contains("  exif: 26 bytes"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&out(&run(&["info", "--json", s(&path)]))).unwrap();
    assert_eq!(v[0]["orientation"]["value"], 6);
    assert_eq!(v[0]["exif_bytes"], 26);
    assert!(v[0]["icc_profile"].is_null() && v[0]["dpi"].is_null());
}

/// A photo from the shared corpus with an sRGB profile and a pHYs resolution.
#[test]
fn info_shows_icc_description_and_resolution() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/photos/exoplanet_diagram.png");
    if !path.is_file() {
        eprintln!("skipping: corpus file {} not found", path.display());
        return;
    }
    let text = out(&run(&["info", s(&path)]));
    assert!(
        text.contains("  icc profile: 3144 bytes, \"sRGB IEC61966-2.1\" (RGB, v2.1)"),
        "{text}"
    );
    assert!(
        text.contains("  resolution: 2835 x 2835 per metre (72.01 x 72.01 dpi)"),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&out(&run(&["info", "--json", s(&path)]))).unwrap();
    let icc = &v[0]["icc_profile"];
    assert_eq!(
        (&icc["bytes"], &icc["description"]),
        (&3144.into(), &"sRGB IEC61966-2.1".into())
    );
    assert!(v[0]["dpi"][0].as_f64().unwrap() > 72.0);
}

/// PngSuite `ct1n0g04.png` holds six tEXt entries; a re-encode in place would drop them.
#[test]
fn info_shows_text_keys_and_in_place_refuses_to_drop_them() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/png/pngsuite/ct1n0g04.png");
    if !corpus.is_file() {
        eprintln!("skipping: corpus file {} not found", corpus.display());
        return;
    }
    let text = out(&run(&["info", s(&corpus)]));
    assert!(text.contains("metadata: text"), "{text}");
    assert!(
        text.contains("  text keys: Title, Author, Copyright, Description, Software, Disclaimer"),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&out(&run(&["info", "--json", s(&corpus)]))).unwrap();
    assert_eq!(v[0]["text_keys"][0], "Title");
    assert_eq!(v[0]["text_keys"].as_array().unwrap().len(), 6);
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("t.png");
    std::fs::copy(&corpus, &png).unwrap();
    // npy holds no text: an in-place re-encode to it is refused, the file left as it was.
    let o = run(&["convert", s(&png), s(&png), "--format", "npy", "--force-extension"]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(err.contains("would drop its metadata (text"), "{err}");
    assert_eq!(std::fs::read(&png).unwrap(), std::fs::read(&corpus).unwrap());
    // PNG keeps the text chunks: the in-place re-encode is allowed and keeps every entry.
    let o = run(&["convert", s(&png), s(&png)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let before = pixcodec::probe(&std::fs::read(&corpus).unwrap()).unwrap().metadata.text;
    let after = pixcodec::probe(&std::fs::read(&png).unwrap()).unwrap().metadata.text;
    assert_eq!(after, before);
    assert_eq!(after.len(), 6);
}

#[test]
fn info_shows_the_stored_bit_depth() {
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("twelve.tif");
    let samples: Vec<u16> = (0..48u16).map(|i| i * 85).collect(); // 0..=3995: fits 12 bits
    let img = Image::from_samples(8, 6, Layout::Gray, &samples).unwrap();
    let opts = EncodeOptions::new().set("significant_bits", 12i64).compression("lzw");
    Registry::global().write(img.as_ref(), &tif, &opts).unwrap();
    let text = out(&run(&["info", s(&tif)]));
    assert!(text.contains("8x6 Gray U16 (12-bit samples stored)"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&out(&run(&["info", "--json", s(&tif)]))).unwrap();
    assert_eq!(
        (&v[0]["bits_per_sample"], &v[0]["significant_bits"]),
        (&16.into(), &12.into())
    );
    // A full-width file says nothing extra.
    let full = dir.path().join("full.tif");
    Registry::global()
        .write(img.as_ref(), &full, &EncodeOptions::new())
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&out(&run(&["info", "--json", s(&full)]))).unwrap();
    assert!(v[0]["significant_bits"].is_null(), "{v}");
    assert!(!out(&run(&["info", s(&full)])).contains("samples stored"));
}
