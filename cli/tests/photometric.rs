//! The photometric convention on the command line (issue 16): `info` names it, `convert`
//! prints a `note:` line when the target cannot state it (the remedy named as a flag),
//! `--metadata strict` refuses with exit 3 and writes nothing, and `--invert` stores the same
//! picture in the other convention. Fixtures from `tests/data/photometric/`.

mod common;
use common::{fixture, run, s, unwrapped};

use pixcodec::metadata::Photometric;

#[test]
fn info_names_the_convention() {
    let o = run(&["info", s(&fixture("photometric", "wiz_u8.tif"))]);
    assert!(o.status.success(), "{}", unwrapped(&o.stderr));
    assert!(
        unwrapped(&o.stdout).contains("photometric: white-is-zero"),
        "{}",
        unwrapped(&o.stdout)
    );
    let o = run(&["info", "--json", s(&fixture("photometric", "adobe_cmyk.jpg"))]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let first = if v.is_array() { &v[0] } else { &v };
    assert_eq!(first["photometric"], "adobe-inverted-cmyk", "{v}");
}

#[test]
fn convert_notes_the_convention_and_strict_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("photometric", "wiz_u8.tif");
    let png = dir.path().join("a.png");
    let o = run(&["convert", s(&src), s(&png)]);
    assert!(o.status.success(), "{}", unwrapped(&o.stderr));
    let e = unwrapped(&o.stderr);
    assert!(
        e.contains("note:") && e.contains("does not keep photometric: png cannot state white-is-zero"),
        "{e}"
    );
    assert!(e.contains("convert with --invert to keep the picture"), "{e}");
    assert!(!e.contains("convert::"), "Rust names on the command line: {e}");
    // The samples are written as stored.
    assert_eq!(pixcodec::read(&png).unwrap(), pixcodec::read(&src).unwrap());

    let strict = dir.path().join("b.png");
    let o = run(&["convert", s(&src), s(&strict), "--metadata", "strict"]);
    assert_eq!(o.status.code(), Some(3), "{}", unwrapped(&o.stderr));
    assert!(unwrapped(&o.stderr).contains("png cannot state white-is-zero"));
    assert!(!strict.exists(), "nothing written");

    // TIFF keeps it: no note.
    let tif = dir.path().join("c.tif");
    let o = run(&["convert", s(&src), s(&tif), "--metadata", "strict"]);
    assert!(o.status.success(), "{}", unwrapped(&o.stderr));
    assert!(!unwrapped(&o.stderr).contains("photometric"));
    let info = pixcodec::probe(&std::fs::read(&tif).unwrap()).unwrap();
    assert_eq!(info.metadata.photometric, Some(Photometric::WhiteIsZero));
    // --metadata strip writes no item but keeps what the samples mean.
    let stripped = dir.path().join("d.tif");
    let o = run(&["convert", s(&src), s(&stripped), "--metadata", "strip"]);
    assert!(o.status.success(), "{}", unwrapped(&o.stderr));
    let info = pixcodec::probe(&std::fs::read(&stripped).unwrap()).unwrap();
    assert_eq!(info.metadata.photometric, Some(Photometric::WhiteIsZero));
}

#[test]
fn invert_stores_the_plain_picture() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("photometric", "wiz_u8.tif");
    let png = dir.path().join("a.png");
    let o = run(&["convert", s(&src), s(&png), "--invert", "--metadata", "strict"]);
    assert!(o.status.success(), "{}", unwrapped(&o.stderr));
    assert!(
        unwrapped(&o.stdout).contains("invert white-is-zero->plain"),
        "{}",
        unwrapped(&o.stdout)
    );
    let stored = pixcodec::read(&src).unwrap().to_vec::<u8>().unwrap();
    let want: Vec<u8> = stored.iter().map(|v| 255 - v).collect();
    assert_eq!(pixcodec::read(&png).unwrap().to_vec::<u8>().unwrap(), want);

    // Adobe CMYK to TIFF: plain ink amounts, nothing to report.
    let src = fixture("photometric", "adobe_cmyk.jpg");
    let tif = dir.path().join("b.tif");
    let o = run(&["convert", s(&src), s(&tif), "--invert", "--metadata", "strict"]);
    assert!(o.status.success(), "{}", unwrapped(&o.stderr));
    let stored = pixcodec::read(&src).unwrap().to_vec::<u8>().unwrap();
    let want: Vec<u8> = stored.iter().map(|v| 255 - v).collect();
    assert_eq!(pixcodec::read(&tif).unwrap().to_vec::<u8>().unwrap(), want);
    // Without --invert the TIFF would show inverted: noted.
    let o = run(&["convert", s(&src), s(&dir.path().join("c.tif"))]);
    assert!(o.status.success());
    assert!(unwrapped(&o.stderr).contains("tiff cannot state adobe-inverted-cmyk"));

    // RGB has no inverted convention.
    let rgb = dir.path().join("rgb.png");
    pixcodec::write(
        pixcodec::Image::from_samples::<u8>(1, 1, pixcodec::Layout::Rgb, &[1, 2, 3])
            .unwrap()
            .as_ref(),
        &rgb,
        &pixcodec::EncodeOptions::new(),
    )
    .unwrap();
    let o = run(&["convert", s(&rgb), s(&dir.path().join("d.png")), "--invert"]);
    assert!(!o.status.success());
    assert!(
        unwrapped(&o.stderr).contains("no inverted convention"),
        "{}",
        unwrapped(&o.stderr)
    );
}
