//! pixcodec's parallel TIFF strip reader against the `tiff` crate: every corpus TIFF and
//! generated files (LZW, Deflate, predictor, big-endian, odd sizes) decode to the same bytes.

mod common;

use pixcodec::{EncodeOptions, Image, Layout, PixelFormat, SampleType};

/// The tiff crate's own decode of the first page, as native-endian bytes.
fn crate_bytes(data: &[u8]) -> Option<Vec<u8>> {
    let mut dec = tiff::decoder::Decoder::new(std::io::Cursor::new(data)).ok()?;
    common::tiff_crate_bytes(dec.read_image().ok()?)
}

fn pattern(width: u32, height: u32, format: PixelFormat) -> Image {
    let mut img = Image::new(width, height, format).expect("image");
    let mut state = 0x9e37_79b9u32;
    for y in 0..height {
        for (i, b) in img.row_mut(y).iter_mut().enumerate() {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            // Smooth with some noise so predictor and compression both matter.
            *b = ((i as u32 / 3 + y) as u8).wrapping_add((state >> 29) as u8);
        }
    }
    img
}

#[test]
fn corpus_tiffs_match_the_tiff_crate() {
    let Some(dir) = common::corpus_dir() else { return };
    let mut checked = 0;
    let mut files = Vec::new();
    let mut dirs = vec![dir.join("tiff")];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(d).expect("tiff dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "tif" || e == "tiff") {
                files.push(path);
            }
        }
    }
    for path in files {
        let data = std::fs::read(&path).expect("read");
        let (Ok(img), Some(expect)) = (pixcodec::decode(&data), crate_bytes(&data)) else {
            continue;
        };
        // WhiteIsZero and sub-byte files are transformed on purpose; compare the rest.
        if img.as_bytes().len() == expect.len() && !path.to_string_lossy().contains("miniswhite") {
            assert!(
                img.as_bytes() == &expect[..],
                "{} differs from the tiff crate",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 5, "only {checked} corpus files compared");
}

#[test]
fn generated_strips_round_trip_and_match_the_tiff_crate() {
    let formats = [
        PixelFormat::new(Layout::Rgb, SampleType::U8),
        PixelFormat::new(Layout::Gray, SampleType::U16),
        PixelFormat::new(Layout::Gray, SampleType::U32),
        PixelFormat::new(Layout::Rgba, SampleType::I16),
        PixelFormat::new(Layout::Gray, SampleType::F32),
        PixelFormat::new(Layout::GrayAlpha, SampleType::U64),
    ];
    for format in formats {
        // Tall enough for many strips (strips are 256 KiB), with a short last strip.
        let img = pattern(517, 611, format);
        for compression in ["none", "lzw", "deflate"] {
            for predictor in [false, true] {
                if predictor && format.sample.is_float() {
                    continue;
                }
                let opts = EncodeOptions::new().compression(compression).predictor(predictor);
                let enc = pixcodec::encode(img.as_ref(), "tiff", &opts).expect("encode");
                let back = pixcodec::decode(&enc.data).expect("decode");
                assert!(
                    back.as_ref().pixels_eq(&img.as_ref()),
                    "{format} {compression} {predictor}"
                );
                let theirs = crate_bytes(&enc.data).expect("tiff crate decode");
                assert!(
                    theirs == img.as_bytes(),
                    "tiff crate disagrees: {format} {compression} {predictor}"
                );
            }
        }
    }
}

#[test]
fn truncated_compressed_strips_are_decode_errors() {
    let img = pattern(300, 900, PixelFormat::new(Layout::Rgb, SampleType::U8));
    for compression in ["lzw", "deflate"] {
        let enc = pixcodec::encode(img.as_ref(), "tiff", &EncodeOptions::new().compression(compression)).unwrap();
        // Corrupt the middle of the strip data (the IFD is at the start of the file).
        let mut bad = enc.data.clone();
        let mid = bad.len() / 2;
        bad[mid..mid + 64].iter_mut().for_each(|b| *b = 0xff);
        match pixcodec::decode(&bad) {
            Err(e) => assert!(matches!(e, pixcodec::Error::Decode { .. }), "{compression}: {e}"),
            Ok(back) => assert!(!back.as_ref().pixels_eq(&img.as_ref()), "{compression}"),
        }
    }
}
