//! The metadata parsers on arbitrary bytes: the EXIF structure check, orientation read and
//! in-place orientation patch (`pixcodec::metadata::exif`), then the same bytes as the EXIF
//! APP1 and as APP2 ICC_PROFILE chunks (sequence numbers and counts from the input) of a small
//! valid JPEG, read back through the JPEG codec's metadata reader, decoded, and written again
//! as PNG, JPEG and TIFF with the metadata read (what each keeps must read back).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pixcodec::metadata::exif;
use pixcodec::{DecodeOptions, EncodeOptions, Image, Layout, Metadata};

/// A valid 8x8 JPEG (SOI, then everything libjpeg-turbo wrote after it).
fn base() -> &'static [u8] {
    static BASE: OnceLock<Vec<u8>> = OnceLock::new();
    BASE.get_or_init(|| {
        let img = Image::from_samples::<u8>(8, 8, Layout::Gray, &[128; 64]).unwrap();
        pixcodec_fuzz::registry()
            .encode(img.as_ref(), "jpeg", &EncodeOptions::new())
            .map(|e| e.data)
            .unwrap_or_default()
    })
}

fn segment(out: &mut Vec<u8>, marker: u8, parts: &[&[u8]]) {
    let len = 2 + parts.iter().map(|p| p.len()).sum::<usize>();
    if len > 0xFFFF {
        return;
    }
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&(len as u16).to_be_bytes());
    for p in parts {
        out.extend_from_slice(p);
    }
}

fuzz_target!(|data: &[u8]| {
    let o = exif::check(data);
    assert_eq!(o.clone().ok().flatten().is_some(), o.is_ok() && exif::orientation(data).is_some());
    let mut m = Metadata::default();
    m.exif = Some(data.to_vec());
    m.orientation = Some(1 + u16::from(data.first().copied().unwrap_or(0)) % 8);
    let (w, _) = exif::for_write(&m);
    if let (Some(w), Ok(_)) = (w, &o) {
        assert_eq!(w.len(), data.len());
        if exif::orientation(data).is_some() {
            assert_eq!(exif::orientation(&w), m.orientation);
        }
    }

    let base = base();
    if base.len() < 2 {
        return;
    }
    let mut jpeg = base[..2].to_vec();
    segment(&mut jpeg, 0xE1, &[b"Exif\0\0", &data[..data.len().min(65000)]]);
    // ICC chunks: each takes (sequence, count, length) from the input, then its bytes.
    let mut rest = data;
    while let [seq, count, len, tail @ ..] = rest {
        let n = (*len as usize * 16).min(tail.len());
        segment(&mut jpeg, 0xE2, &[b"ICC_PROFILE\0", &[*seq, *count], &tail[..n]]);
        rest = &tail[n..];
    }
    jpeg.extend_from_slice(&base[2..]);
    let reg = pixcodec_fuzz::registry();
    let opts = DecodeOptions::new().codec("jpeg-turbo").limits(pixcodec_fuzz::limits());
    let Ok(info) = reg.probe(&jpeg, &opts) else { return };
    let Ok(img) = reg.decode(&jpeg, &opts) else { return };
    for target in ["png", "jpeg", "tiff"] {
        let o = EncodeOptions::new().metadata(info.metadata.clone());
        let e = reg.encode(img.as_ref(), target, &o).expect("a decoded gray image encodes");
        let back = reg.probe(&e.data, &DecodeOptions::new()).expect("pixcodec reads what it wrote").metadata;
        if target != "tiff" {
            assert_eq!(back.icc_profile, info.metadata.icc_profile, "{target}");
        }
        if target == "png" {
            assert_eq!(back.exif, info.metadata.exif);
        }
    }
});
