//! `convert` keeps metadata: everything the output format holds is written, each dropped item
//! is a `note:` line, `--metadata strict` refuses (exit 3, nothing written), `strip` writes none.

use std::path::Path;
use std::process::{Command, Output};

use pixcodec::{EncodeOptions, Layout, Metadata, PixelFormat, Resolution, ResolutionUnit, SampleType};

const BIN: &str = env!("CARGO_BIN_EXE_pixcodec");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run pixcodec")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A little-endian EXIF block whose IFD0 holds Make ("Cam") besides nothing else.
fn camera_exif() -> Vec<u8> {
    let mut v = b"II*\0".to_vec();
    v.extend_from_slice(&8u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&0x010Fu16.to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&4u32.to_le_bytes());
    v.extend_from_slice(b"Cam\0");
    v.extend_from_slice(&0u32.to_le_bytes());
    v
}

#[test]
fn convert_keeps_reports_refuses_and_strips_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let jpg = dir.path().join("in.jpg");
    let img = pixcodec::testkit::generate(24, 16, PixelFormat::new(Layout::Rgb, SampleType::U8), 1);
    let mut m = Metadata::default();
    m.icc_profile = Some((0..5000).map(|i| i as u8).collect());
    m.exif = Some(pixcodec::metadata::exif::minimal(6));
    m.orientation = Some(6);
    m.resolution = Some(Resolution::new(300.0, 300.0, ResolutionUnit::Inch));
    pixcodec::write(img.as_ref(), &jpg, &EncodeOptions::new().metadata(m.clone())).unwrap();

    // JPEG -> TIFF: ICC, orientation (the whole of this EXIF block), resolution kept.
    let tif = dir.path().join("out.tif");
    let o = run(&["convert", s(&jpg), s(&tif)]);
    assert!(o.status.success() && !stderr(&o).contains("note: "), "{}", stderr(&o));
    let got = pixcodec::probe(&std::fs::read(&tif).unwrap()).unwrap().metadata;
    assert_eq!(got.icc_profile, m.icc_profile);
    assert_eq!(got.orientation, Some(6));
    assert_eq!(got.resolution, m.resolution);

    // A camera-style EXIF block (IFD0 with Make) cannot become the TIFF's EXIF IFD: a note.
    let jpg2 = dir.path().join("cam.jpg");
    let mut m2 = Metadata::default();
    m2.exif = Some(camera_exif());
    pixcodec::write(img.as_ref(), &jpg2, &EncodeOptions::new().metadata(m2)).unwrap();
    let o = run(&["convert", s(&jpg2), s(&dir.path().join("cam.tif"))]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("note: ") && stderr(&o).contains("does not keep exif: tiff keeps EXIF as an EXIF IFD"),
        "{}",
        stderr(&o)
    );

    // JPEG -> npy: one note per item.
    let npy = dir.path().join("out.npy");
    let o = run(&["convert", s(&jpg), s(&npy)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).matches("npy cannot store metadata").count(),
        4,
        "{}",
        stderr(&o)
    );

    // Strict: exit 3, nothing written.
    let strict = dir.path().join("strict.npy");
    let o = run(&["convert", s(&jpg), s(&strict), "--metadata", "strict"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(!strict.exists());

    // Strip: a PNG without metadata, no notes.
    let png = dir.path().join("strip.png");
    let o = run(&["convert", s(&jpg), s(&png), "--metadata", "strip"]);
    assert!(
        o.status.success() && !stderr(&o).contains("does not keep"),
        "{}",
        stderr(&o)
    );
    assert!(pixcodec::probe(&std::fs::read(&png).unwrap())
        .unwrap()
        .metadata
        .is_empty());
    let o = run(&["convert", s(&jpg), s(&png), "--metadata", "some"]);
    assert!(
        !o.status.success() && stderr(&o).contains("expected keep, strict or strip"),
        "{}",
        stderr(&o)
    );
}
