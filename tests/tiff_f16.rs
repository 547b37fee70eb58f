//! 16-bit float TIFF (SampleFormat 3, BitsPerSample 16, `SampleType::F16`): the corpus'
//! fp16 files against independent references (the raw strip bytes, the `tiff` crate's
//! decoder, the same data stored three ways), hand-made big-endian files with predictors
//! 1, 2 and 3, and pixcodec's own F16 files (every layout, compression and predictor, with
//! NaN payloads, infinities, subnormals and -0.0) read back by the `tiff` crate bit for bit.
//! The floating-point predictor is also checked for F32 and F64, which it now covers too.

mod common;

use pixcodec::{f16, DecodeOptions, EncodeOptions, Image, Layout, PixelFormat, SampleType};

/// The `tiff` crate's decode of the first page, as native-endian bytes.
fn crate_bytes(data: &[u8]) -> Vec<u8> {
    let mut dec = tiff::decoder::Decoder::new(std::io::Cursor::new(data)).expect("tiff crate opens");
    common::tiff_crate_bytes(dec.read_image().expect("tiff crate decodes")).expect("a pixcodec sample type")
}

fn halves(img: &Image) -> Vec<u16> {
    img.to_vec::<f16>().unwrap().iter().map(|h| h.to_bits()).collect()
}

fn corpus(name: &str) -> Option<Vec<u8>> {
    let p = common::corpus_dir()?.join("tiff").join(name);
    match std::fs::read(&p) {
        Ok(d) => Some(d),
        Err(_) => {
            eprintln!("skipping: {} not found", p.display());
            None
        }
    }
}

#[test]
fn corpus_random_fp16_three_codings_agree_with_the_tiff_crate() {
    // The same 16x16 image stored plain (Deflate), with predictor 2 and with predictor 3.
    let Some(plain) = corpus("random-fp16.tiff") else {
        return;
    };
    let reference = pixcodec::decode(&plain).unwrap();
    assert_eq!(reference.format(), PixelFormat::new(Layout::Gray, SampleType::F16));
    assert_eq!(
        reference.as_bytes(),
        crate_bytes(&plain),
        "plain: differs from the tiff crate"
    );
    let v = halves(&reference);
    assert!(v.iter().all(|&b| f16::from_bits(b).is_finite()));
    assert!(
        v.iter().collect::<std::collections::BTreeSet<_>>().len() > 100,
        "not random-looking"
    );
    for name in ["random-fp16-pred2.tiff", "random-fp16-pred3.tiff"] {
        let data = corpus(name).unwrap();
        let img = pixcodec::decode(&data).unwrap();
        assert_eq!(img, reference, "{name}");
        assert_eq!(
            img.as_bytes(),
            crate_bytes(&data),
            "{name}: differs from the tiff crate"
        );
    }
}

#[test]
fn corpus_white_and_black_fp16() {
    // white-fp16.tiff is uncompressed: its one strip at offset 8 is the reference.
    let Some(white) = corpus("white-fp16.tiff") else { return };
    let img = pixcodec::decode(&white).unwrap();
    assert_eq!(img.as_bytes(), &white[8..8 + 256 * 256 * 2]);
    assert!(halves(&img).iter().all(|&b| b == 0x3c00), "1.0 everywhere");
    // The predictor files hold another 256x256 image of 0.0 and 1.0: the same with
    // predictor 2 and 3, and as the tiff crate reads it.
    let pred2 = corpus("white-fp16-pred2.tiff").unwrap();
    let pred3 = corpus("white-fp16-pred3.tiff").unwrap();
    let a = pixcodec::decode(&pred2).unwrap();
    assert_eq!(pixcodec::decode(&pred3).unwrap(), a);
    assert_eq!(a.as_bytes(), crate_bytes(&pred2));
    assert_eq!(a.as_bytes(), crate_bytes(&pred3));
    let v = halves(&a);
    assert!(v.iter().all(|&b| b == 0 || b == 0x3c00));
    assert!(v.contains(&0) && v.contains(&0x3c00));
    let black = corpus("single-black-fp16.tiff").unwrap();
    let img = pixcodec::decode(&black).unwrap();
    assert_eq!(img.as_bytes(), crate_bytes(&black));
    let v = halves(&img);
    // 1.0 everywhere but one dark pixel (half 0x1382, about 0.00074).
    assert_eq!(v.iter().filter(|&&b| b == 0x3c00).count(), 256 * 256 - 1);
    assert_eq!(v.iter().filter(|&&b| b == 0x1382).count(), 1);
}

/// A minimal big-endian classic TIFF: one Gray F16 strip, uncompressed, with `predictor`,
/// holding the already predictor-coded bytes `strip`.
fn big_endian_gray_f16(w: u32, h: u32, predictor: u16, strip: &[u8]) -> Vec<u8> {
    let entries: [(u16, u16, u32); 11] = [
        (256, 4, w),                  // ImageWidth (LONG)
        (257, 4, h),                  // ImageLength
        (258, 3, 16),                 // BitsPerSample (SHORT)
        (259, 3, 1),                  // Compression: none
        (262, 3, 1),                  // BlackIsZero
        (273, 4, 0),                  // StripOffsets, patched below
        (277, 3, 1),                  // SamplesPerPixel
        (278, 4, h),                  // RowsPerStrip
        (279, 4, strip.len() as u32), // StripByteCounts
        (317, 3, predictor as u32),   // Predictor
        (339, 3, 3),                  // SampleFormat: IEEE float
    ];
    let data_at = 8 + 2 + entries.len() as u32 * 12 + 4;
    let mut out = b"MM\0*".to_vec();
    out.extend(8u32.to_be_bytes());
    out.extend((entries.len() as u16).to_be_bytes());
    for (tag, typ, value) in entries {
        let value = if tag == 273 { data_at } else { value };
        out.extend(tag.to_be_bytes());
        out.extend(typ.to_be_bytes());
        out.extend(1u32.to_be_bytes());
        if typ == 3 {
            out.extend((value as u16).to_be_bytes());
            out.extend([0, 0]);
        } else {
            out.extend(value.to_be_bytes());
        }
    }
    out.extend(0u32.to_be_bytes());
    out.extend_from_slice(strip);
    out
}

#[test]
fn big_endian_files_with_every_predictor() {
    // Rows of halves: +0, -0, subnormals, 1, -2.5, 65504, infinities, a NaN with payload.
    let (w, h) = (6u32, 2u32);
    let v: [u16; 12] = [
        0x0000, 0x8000, 0x0001, 0x03ff, 0x3c00, 0xc100, 0x7bff, 0x7c00, 0xfc00, 0x7e5a, 0x0400, 0xbbff,
    ];
    let mut plain = Vec::new();
    let mut pred2 = Vec::new();
    let mut pred3 = Vec::new();
    for row in v.chunks(w as usize) {
        // Predictor 2 on 16-bit samples: differences of the integer bit patterns.
        for (i, &s) in row.iter().enumerate() {
            plain.extend(s.to_be_bytes());
            let d = if i == 0 { s } else { s.wrapping_sub(row[i - 1]) };
            pred2.extend(d.to_be_bytes());
        }
        // Predictor 3: high bytes, then low bytes, then byte differences along the row.
        let mut planes: Vec<u8> = row.iter().map(|s| (s >> 8) as u8).collect();
        planes.extend(row.iter().map(|&s| s as u8));
        let mut coded = planes.clone();
        for i in 1..coded.len() {
            coded[i] = planes[i].wrapping_sub(planes[i - 1]);
        }
        pred3.extend(coded);
    }
    for (predictor, strip) in [(1, &plain), (2, &pred2), (3, &pred3)] {
        let file = big_endian_gray_f16(w, h, predictor, strip);
        let img = pixcodec::decode(&file).unwrap_or_else(|e| panic!("predictor {predictor}: {e}"));
        assert_eq!(img.format(), PixelFormat::new(Layout::Gray, SampleType::F16));
        assert_eq!(halves(&img), v, "predictor {predictor}");
        assert_eq!(
            img.as_bytes(),
            crate_bytes(&file),
            "predictor {predictor}: the tiff crate disagrees"
        );
        // A file is read through a reader (not the in-memory path): the same values.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("be.tif");
        std::fs::write(&path, &file).unwrap();
        let back = pixcodec::Registry::global().read(&path, &DecodeOptions::new()).unwrap();
        assert_eq!(back, img, "predictor {predictor} from a file");
    }
}

/// Halves with every special value repeated across the image, plus random finite ones.
fn f16_image(w: u32, h: u32, layout: Layout, seed: u64) -> Image {
    let specials = [
        0x0000u16, 0x8000, 0x0001, 0x8001, 0x03ff, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x7d01,
    ];
    let mut img = common::random_image(w, h, PixelFormat::new(layout, SampleType::F16), seed);
    let n = (w * h) as usize * layout.channels();
    let mut v: Vec<u16> = bytemuck::cast_slice(img.as_bytes()).to_vec();
    for i in (0..n).step_by(3) {
        v[i] = specials[(i / 3) % specials.len()];
    }
    img = Image::from_samples(w, h, layout, &v.iter().map(|&b| f16::from_bits(b)).collect::<Vec<_>>()).unwrap();
    img
}

#[test]
fn pixcodec_f16_files_read_back_bit_exact_here_and_in_the_tiff_crate() {
    for layout in Layout::ALL {
        // 300 rows: several strips, the last one short.
        let img = f16_image(37, 300, layout, layout as u64 + 1);
        for compression in ["none", "lzw", "deflate", "packbits"] {
            for predictor in [false, true] {
                let what = format!("{layout} {compression} predictor={predictor}");
                let opts = EncodeOptions::new().compression(compression).predictor(predictor);
                let enc = pixcodec::encode(img.as_ref(), "tiff", &opts).unwrap();
                assert!(enc.report.exact, "{what}");
                let back = pixcodec::decode(&enc.data).unwrap();
                assert_eq!(back, img, "{what}");
                // The tiff crate reads gray/RGB/RGBA/CMYK F16 files too (it has no GrayAlpha
                // f16 colour type and refuses that one).
                if layout != Layout::GrayAlpha {
                    assert_eq!(crate_bytes(&enc.data), img.as_bytes(), "{what}: tiff crate");
                }
            }
        }
    }
}

/// The value of IFD entry `tag` (SHORT or LONG, count 1) of a little-endian classic TIFF.
fn tag_value(d: &[u8], tag: u16) -> Option<u32> {
    let at = u32::from_le_bytes(d[4..8].try_into().unwrap()) as usize;
    let n = u16::from_le_bytes([d[at], d[at + 1]]) as usize;
    (0..n).map(|i| at + 2 + i * 12).find_map(|e| {
        (u16::from_le_bytes([d[e], d[e + 1]]) == tag).then(|| match u16::from_le_bytes([d[e + 2], d[e + 3]]) {
            3 => u32::from(u16::from_le_bytes([d[e + 8], d[e + 9]])),
            _ => u32::from_le_bytes(d[e + 8..e + 12].try_into().unwrap()),
        })
    })
}

#[test]
fn predictor_option_writes_3_for_floats_and_2_for_integers_with_compression() {
    if cfg!(target_endian = "big") {
        return; // tag_value reads little-endian files
    }
    for sample in SampleType::ALL {
        for layout in [Layout::Gray, Layout::Rgb, Layout::Rgba] {
            let img = common::random_image(29, 40, PixelFormat::new(layout, sample), 9);
            let opts = EncodeOptions::new().compression("deflate").predictor(true);
            let data = pixcodec::encode(img.as_ref(), "tiff", &opts).unwrap().data;
            let want = if sample.is_float() { 3 } else { 2 };
            assert_eq!(tag_value(&data, 317), Some(want as u32), "{layout} {sample}");
            assert_eq!(pixcodec::decode(&data).unwrap(), img, "{layout} {sample}");
            // The tiff crate undoes predictor 3 for f16/f32/f64 on its own: an independent check
            // of the byte-plane layout (it lacks 8/64-bit integer RGBA colour types only).
            assert_eq!(crate_bytes(&data), img.as_bytes(), "{layout} {sample}: tiff crate");
            let plain = pixcodec::encode(img.as_ref(), "tiff", &EncodeOptions::new().compression("deflate"))
                .unwrap()
                .data;
            assert_eq!(tag_value(&plain, 317), None, "{layout} {sample}: no predictor tag");
            // Uncompressed: the predictor has no effect (libtiff would not undo it there).
            let raw = EncodeOptions::new().compression("none").predictor(true);
            let raw = pixcodec::encode(img.as_ref(), "tiff", &raw).unwrap().data;
            assert_eq!(tag_value(&raw, 317), None, "{layout} {sample}: none + predictor");
            let at = tag_value(&raw, 273).unwrap() as usize; // one strip: its offset
            assert_eq!(
                &raw[at..at + img.as_bytes().len()],
                img.as_bytes(),
                "{layout} {sample}: raw strip"
            );
        }
    }
}
