//! Issue 16, item 7: `convert` carries the input's significant bits to an output codec with a
//! `significant_bits` option (PNG, TIFF) and notes where it cannot.

use std::path::Path;
use std::process::Output;

use pixcodec::{EncodeOptions, Image, Layout};

mod common;
use common::{run, s, unwrapped};

fn stderr(o: &Output) -> String {
    unwrapped(&o.stderr)
}

fn write(path: &Path, img: &Image, bits: i64) {
    let opts = EncodeOptions::new().set("significant_bits", bits);
    pixcodec::write(img.as_ref(), path, &opts).unwrap();
}

#[test]
fn convert_carries_significant_bits_to_png_and_tiff() {
    let dir = tempfile::tempdir().unwrap();
    let v: Vec<u16> = (0..8 * 5).map(|i| (i * 101) % 4096).collect();
    let img = Image::from_samples(8, 5, Layout::Gray, &v).unwrap();
    let tif = dir.path().join("a.tif");
    write(&tif, &img, 12);
    // TIFF 12-bit -> PNG: sBIT 12, the same values back.
    let png = dir.path().join("a.png");
    let o = run(&["convert", s(&tif), s(&png)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let data = std::fs::read(&png).unwrap();
    assert!(data.windows(5).any(|w| w == b"sBIT\x0c"), "no sBIT 12 chunk");
    assert_eq!(pixcodec::probe(&data).unwrap().significant_bits, Some(12));
    assert!(pixcodec::decode(&data).unwrap() == img);
    // An explicit value wins.
    let full = dir.path().join("full.png");
    let o = run(&["convert", s(&tif), s(&full), "-O", "significant_bits=0"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        pixcodec::probe(&std::fs::read(&full).unwrap())
            .unwrap()
            .significant_bits,
        None
    );

    // 1-bit PNG -> TIFF stays 1-bit.
    let b: Vec<u8> = (0..9 * 4).map(|i| (i % 3 == 0) as u8).collect();
    let bimg = Image::from_samples(9, 4, Layout::Gray, &b).unwrap();
    let png1 = dir.path().join("b.png");
    write(&png1, &bimg, 1);
    let tif1 = dir.path().join("b.tif");
    let o = run(&["convert", s(&png1), s(&tif1)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let data = std::fs::read(&tif1).unwrap();
    assert_eq!(pixcodec::probe(&data).unwrap().significant_bits, Some(1));
    assert!(pixcodec::decode(&data).unwrap() == bimg);

    // npy keeps no bit depth: the values are written as they are, with a note.
    let npy = dir.path().join("b.npy");
    let o = run(&["convert", s(&png1), s(&npy)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("1-bit") && err.contains("stores no significant bits"),
        "{err}"
    );
    assert!(pixcodec::decode(&std::fs::read(&npy).unwrap()).unwrap() == bimg);
}

/// A width the output codec cannot store for the type (TIFF keeps U16 at 9..=16 bits) is
/// noted, and the file written at the full width.
#[test]
fn a_width_the_codec_refuses_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let v: Vec<u16> = (0..16).map(|i| i % 32).collect();
    let img = Image::from_samples(4, 4, Layout::Gray, &v).unwrap();
    let png = dir.path().join("five.png");
    write(&png, &img, 5);
    let tif = dir.path().join("five.tif");
    let o = run(&["convert", s(&png), s(&tif)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("significant bits 5 of the input not kept"), "{err}");
    let data = std::fs::read(&tif).unwrap();
    assert_eq!(pixcodec::probe(&data).unwrap().significant_bits, None);
    assert!(pixcodec::decode(&data).unwrap() == img);
}

/// A 12-bit lossless JPEG converted to PNG carries sBIT 12: its samples are written as
/// `(v << 4) | (v >> 8)`, the brightness viewers that ignore sBIT show, and read back as `v`.
#[test]
fn lossless_12_bit_jpeg_to_png_carries_sbit_12() {
    let dir = tempfile::tempdir().unwrap();
    let v: Vec<u16> = (0..16 * 8).map(|i| (i * 37) % 4096).collect();
    let img = Image::from_samples(16, 8, Layout::Gray, &v).unwrap();
    let jpg = dir.path().join("l.jpg");
    let opts = EncodeOptions::new().set("lossless", true).set("precision", 12i64);
    pixcodec::write(img.as_ref(), &jpg, &opts).unwrap();
    assert_eq!(
        pixcodec::probe(&std::fs::read(&jpg).unwrap()).unwrap().significant_bits,
        Some(12)
    );
    let png = dir.path().join("l.png");
    let o = run(&["convert", s(&jpg), s(&png)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let data = std::fs::read(&png).unwrap();
    assert!(data.windows(5).any(|w| w == b"sBIT\x0c"), "no sBIT 12 chunk");
    // The ML loader shows the file's samples, as Pillow does.
    let gray = pixcodec::ml::LoadOptions::new().color_mode(pixcodec::ml::ColorMode::Gray);
    let stored = pixcodec::ml::load_bytes(&data, &gray).unwrap().to_vec::<u16>().unwrap();
    assert_eq!(stored, v.iter().map(|&x| (x << 4) | (x >> 8)).collect::<Vec<_>>());
    assert!(pixcodec::decode(&data).unwrap() == img);
}
