//! TIFF tags kept as stored on the command line: `info` lists their numbers ("tiff tags:
//! 33550, 33922, 34735, 34737 (4)") and `--json` gives each one's tag, type, count and byte
//! size, on a GeoTIFF built here byte by byte and on one pixcodec writes from
//! `Metadata::tiff_tags`; `convert` TIFF → TIFF keeps them, TIFF → PNG prints a `note:` line
//! for each one.

use std::path::Path;

mod common;
use common::{run, s, unwrapped};

use pixcodec::metadata::TiffTag;
use pixcodec::{EncodeOptions, Layout, Metadata, PixelFormat, SampleType};

const SCALE: [f64; 3] = [0.5, 0.5, 0.0];
const TIEPOINT: [f64; 6] = [0.0, 0.0, 0.0, 440720.0, 3751320.0, 0.0];
/// GeoKeyDirectory: version 1.1.0, one key: GTModelTypeGeoKey (1024) = 2 (geographic).
const GEOKEYS: [u16; 8] = [1, 1, 0, 1, 1024, 0, 1, 2];
const ASCII: &[u8] = b"WGS 84|\0";

fn doubles(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn shorts(v: &[u16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A field of an IFD entry: type, count, value bytes (little-endian).
type Field = (u16, u64, Vec<u8>);

/// An 8x4 8-bit gray little-endian TIFF (one uncompressed strip) with the GeoTIFF tags
/// ModelPixelScale, ModelTiepoint, GeoKeyDirectory and GeoAsciiParams.
fn geotiff() -> Vec<u8> {
    let pixels: Vec<u8> = (0..32u8).map(|i| i * 8).collect();
    let short = |v: u16| (3u16, 1u64, v.to_le_bytes().to_vec());
    let long = |v: u32| (4u16, 1u64, v.to_le_bytes().to_vec());
    let mut entries: Vec<(u16, Field)> = vec![
        (256, short(8)),
        (257, short(4)),
        (258, short(8)),
        (259, short(1)),
        (262, short(1)),
        (273, long(0)), // the strip offset, set below
        (277, short(1)),
        (278, short(4)),
        (279, long(pixels.len() as u32)),
        (33550, (12, 3, doubles(&SCALE))),
        (33922, (12, 6, doubles(&TIEPOINT))),
        (34735, (3, 8, shorts(&GEOKEYS))),
        (34737, (2, ASCII.len() as u64, ASCII.to_vec())),
    ];
    let ifd_len = 2 + entries.len() * 12 + 4;
    let mut data_at = 8 + ifd_len;
    let outside: usize = entries
        .iter()
        .map(|(_, e)| if e.2.len() > 4 { e.2.len() } else { 0 })
        .sum();
    let strip_at = (data_at + outside) as u32;
    entries[5].1 .2 = strip_at.to_le_bytes().to_vec();

    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    let mut data = Vec::new();
    for (tag, (ty, count, bytes)) in &entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&ty.to_le_bytes());
        out.extend_from_slice(&(*count as u32).to_le_bytes());
        if bytes.len() <= 4 {
            let mut b = bytes.clone();
            b.resize(4, 0);
            out.extend_from_slice(&b);
        } else {
            out.extend_from_slice(&(data_at as u32).to_le_bytes());
            data.extend_from_slice(bytes);
            data_at += bytes.len();
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&data);
    assert_eq!(out.len() as u32, strip_at);
    out.extend_from_slice(&pixels);
    out
}

/// The tags pixcodec should carry from [`geotiff`], values in the machine's byte order.
fn expected() -> Vec<TiffTag> {
    let ne_d = |v: &[f64]| v.iter().flat_map(|x| x.to_ne_bytes()).collect::<Vec<u8>>();
    vec![
        TiffTag::new(33550, 12, 3, ne_d(&SCALE)).unwrap(),
        TiffTag::new(33922, 12, 6, ne_d(&TIEPOINT)).unwrap(),
        TiffTag::new(34735, 3, 8, GEOKEYS.iter().flat_map(|x| x.to_ne_bytes()).collect()).unwrap(),
        TiffTag::new(34737, 2, 8, ASCII.to_vec()).unwrap(),
    ]
}

fn tags_of(path: &Path) -> Vec<TiffTag> {
    pixcodec::probe(&std::fs::read(path).unwrap())
        .unwrap()
        .metadata
        .tiff_tags
}

/// `info` and `info --json` on `path`, which holds the tags of [`expected`].
fn check_info(path: &Path) {
    let o = run(&["info", s(path)]);
    assert!(o.status.success(), "{}", unwrapped(&o.stderr));
    let out = unwrapped(&o.stdout);
    assert!(out.contains("tiff tags: 33550, 33922, 34735, 34737 (4)"), "{out}");
    assert!(out.contains("metadata: ") && out.contains("tiff_tags"), "{out}");

    let o = run(&["info", "--json", s(path)]);
    assert!(o.status.success(), "{}", unwrapped(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tags = v[0]["tiff_tags"].as_array().expect("tiff_tags is an array");
    let got: Vec<(u64, u64, u64, u64)> = tags
        .iter()
        .map(|t| {
            (
                t["tag"].as_u64().unwrap(),
                t["type"].as_u64().unwrap(),
                t["count"].as_u64().unwrap(),
                t["bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (33550, 12, 3, 24),
            (33922, 12, 6, 48),
            (34735, 3, 8, 16),
            (34737, 2, 8, 8)
        ]
    );
    assert!(
        v[0]["metadata"].as_array().unwrap().iter().any(|m| m == "tiff_tags"),
        "{v}"
    );
}

#[test]
fn info_lists_the_tiff_tags_of_a_geotiff() {
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("geo.tif");
    std::fs::write(&tif, geotiff()).unwrap();
    assert_eq!(tags_of(&tif), expected());
    check_info(&tif);
}

#[test]
fn info_lists_the_tiff_tags_pixcodec_writes() {
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("written.tif");
    let img = pixcodec::testkit::generate(12, 8, PixelFormat::new(Layout::Rgb, SampleType::U16), 3);
    let mut m = Metadata::default();
    m.tiff_tags = expected();
    pixcodec::write(img.as_ref(), &tif, &EncodeOptions::new().metadata(m)).unwrap();
    assert_eq!(tags_of(&tif), expected());
    check_info(&tif);
}

#[test]
fn info_without_tiff_tags_has_no_line_and_an_empty_list() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("plain.png");
    let img = pixcodec::testkit::generate(4, 4, PixelFormat::new(Layout::Gray, SampleType::U8), 1);
    pixcodec::write(img.as_ref(), &png, &EncodeOptions::new()).unwrap();
    let o = run(&["info", s(&png)]);
    assert!(!unwrapped(&o.stdout).contains("tiff tags"));
    let o = run(&["info", "--json", s(&png)]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["tiff_tags"], serde_json::json!([]));
}

#[test]
fn convert_keeps_tiff_tags_in_tiff_and_notes_them_for_png() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("geo.tif");
    std::fs::write(&src, geotiff()).unwrap();

    let tif = dir.path().join("copy.tif");
    let o = run(&["convert", s(&src), s(&tif)]);
    assert!(o.status.success(), "{}", unwrapped(&o.stderr));
    assert!(!unwrapped(&o.stderr).contains("tiff tag"), "{}", unwrapped(&o.stderr));
    assert_eq!(tags_of(&tif), expected());

    let png = dir.path().join("geo.png");
    let o = run(&["convert", s(&src), s(&png)]);
    assert!(o.status.success(), "{}", unwrapped(&o.stderr));
    let err = unwrapped(&o.stderr);
    for tag in [33550, 33922, 34735, 34737] {
        assert!(err.contains(&format!("tiff tag {tag}")), "{err}");
    }
    assert!(tags_of(&png).is_empty());
}
