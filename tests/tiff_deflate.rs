//! The libdeflate Deflate path and the front-to-back TIFF writer, differentially: every file
//! pixcodec writes reads back identically through the `tiff` crate (all pages), Deflate files
//! written by the `tiff` crate read identically through pixcodec (from memory and from a file),
//! strips that decode to more rows than the page needs still read, and corrupt Deflate strips
//! are decode errors, never panics.

mod common;

use pixcodec::{DecodeOptions, EncodeOptions, Image, ImageRef, Layout, PixelFormat, Registry, SampleType};
use proptest::prelude::*;

/// The tiff crate's decode of every page, as native-endian bytes.
fn crate_pages(data: &[u8]) -> Vec<Vec<u8>> {
    let mut dec = tiff::decoder::Decoder::new(std::io::Cursor::new(data)).expect("tiff crate reads the header");
    let mut pages = Vec::new();
    loop {
        let v = common::tiff_crate_bytes(dec.read_image().expect("tiff crate decodes the page"))
            .expect("a pixcodec sample type");
        pages.push(v);
        if !dec.more_images() {
            return pages;
        }
        dec.next_image().expect("next IFD");
    }
}

fn all_formats() -> Vec<PixelFormat> {
    let mut v = Vec::new();
    for layout in Layout::ALL {
        for sample in SampleType::ALL {
            v.push(PixelFormat::new(layout, sample));
        }
    }
    v
}

/// Encodes, then checks the tiff crate and pixcodec (memory and file) both read `pages` back.
fn check(pages: &[ImageRef<'_>], opts: &EncodeOptions, what: &str) -> Vec<u8> {
    let reg = Registry::global();
    let mut data = Vec::new();
    reg.encode_pages_into(pages, "tiff", opts, &mut data)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let theirs = crate_pages(&data);
    assert_eq!(theirs.len(), pages.len(), "{what}: page count");
    for (i, (t, p)) in theirs.iter().zip(pages).enumerate() {
        let packed: Vec<u8> = p.rows().flatten().copied().collect();
        assert!(t == &packed, "{what}: the tiff crate reads page {i} differently");
    }
    let ours = reg
        .decode_pages(&data, &DecodeOptions::default())
        .expect("pixcodec decode");
    for (i, (o, p)) in ours.iter().zip(pages).enumerate() {
        assert!(o.as_ref().pixels_eq(p), "{what}: pixcodec reads page {i} differently");
    }
    data
}

#[test]
fn deflate_output_of_every_format_level_and_predictor_reads_identically_in_the_tiff_crate() {
    for (k, format) in all_formats().into_iter().enumerate() {
        let img = common::random_image(37, 29, format, k as u64);
        for level in [1, 6, 9] {
            for predictor in [false, true] {
                if predictor && format.sample.is_float() {
                    continue;
                }
                let opts = EncodeOptions::new()
                    .compression("deflate")
                    .level(level)
                    .predictor(predictor);
                check(
                    &[img.as_ref()],
                    &opts,
                    &format!("{format} level {level} predictor {predictor}"),
                );
            }
        }
    }
}

#[test]
fn many_strip_pages_padded_input_multi_page_and_bigtiff_read_identically() {
    let formats = [
        PixelFormat::new(Layout::Rgb, SampleType::U8),
        PixelFormat::new(Layout::Gray, SampleType::U16),
        PixelFormat::new(Layout::Rgba, SampleType::U16),
        PixelFormat::new(Layout::Gray, SampleType::F32),
        PixelFormat::new(Layout::Cmyk, SampleType::U8),
        PixelFormat::new(Layout::GrayAlpha, SampleType::I32),
    ];
    let dir = std::env::temp_dir().join(format!("pixcodec-tiff-pages-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (k, format) in formats.into_iter().enumerate() {
        // Several 256 KiB strips and a short last one; an odd-sized second page so the next
        // IFD needs its word-alignment byte.
        let a = common::random_image(613, 301, format, 10 + k as u64);
        let b = common::random_image(33, 7, format, 20 + k as u64);
        let (buf, stride) = common::padded_copy(&a, 3);
        let padded = ImageRef::new(&buf, a.width(), a.height(), format, stride).expect("padded view");
        let pages = [padded, b.as_ref(), a.as_ref()];
        for compression in ["none", "deflate", "lzw", "packbits"] {
            for bigtiff in [false, true] {
                for predictor in [false, true] {
                    if predictor && format.sample.is_float() {
                        continue;
                    }
                    let opts = EncodeOptions::new()
                        .compression(compression)
                        .predictor(predictor)
                        .set("bigtiff", bigtiff);
                    let what = format!("{format} {compression} bigtiff {bigtiff} predictor {predictor}");
                    let data = check(&pages, &opts, &what);
                    // The reader path (strips read from a file, not borrowed from memory).
                    let path = dir.join("page.tif");
                    std::fs::write(&path, &data).unwrap();
                    let first = Registry::global()
                        .read(&path, &DecodeOptions::default())
                        .expect("read file");
                    assert!(first.as_ref().pixels_eq(&pages[0]), "{what}: read from a file");
                    let kind: u16 = if bigtiff { 43 } else { 42 };
                    assert_eq!(data[2..4], kind.to_ne_bytes(), "{what}: header kind");
                }
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn uncompressed_file_is_header_ifd_and_the_pixels_themselves() {
    let img = common::random_image(64, 48, PixelFormat::new(Layout::Rgb, SampleType::U8), 3);
    let data = check(&[img.as_ref()], &EncodeOptions::new(), "none");
    // Pixels are written straight through, in one run, after the header and IFD.
    let n = img.as_bytes().len();
    assert_eq!(&data[data.len() - n..], img.as_bytes());
    assert!(data.len() - n < 512, "{} bytes of header and IFD", data.len() - n);
}

#[test]
fn deflate_files_written_by_the_tiff_crate_read_identically_from_memory_and_from_a_file() {
    use tiff::encoder::{colortype, compression::DeflateLevel, Compression, TiffEncoder};
    let w = 700u32;
    let h = 500u32;
    let rgb = common::random_image(w, h, PixelFormat::new(Layout::Rgb, SampleType::U8), 5);
    let labels: Vec<u32> = (0..w * h).map(|i| (i / 4096) * 7).collect();
    let dir = std::env::temp_dir().join(format!("pixcodec-tiff-deflate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for level in [DeflateLevel::Fast, DeflateLevel::Balanced, DeflateLevel::Best] {
        let mut a = std::io::Cursor::new(Vec::new());
        TiffEncoder::new(&mut a)
            .unwrap()
            .with_compression(Compression::Deflate(level))
            .write_image::<colortype::RGB8>(w, h, rgb.as_bytes())
            .unwrap();
        let mut b = std::io::Cursor::new(Vec::new());
        TiffEncoder::new(&mut b)
            .unwrap()
            .with_compression(Compression::Deflate(level))
            .write_image::<colortype::Gray32>(w, h, &labels)
            .unwrap();
        for (name, data, expect) in [
            ("rgb", a.into_inner(), rgb.as_bytes().to_vec()),
            ("labels", b.into_inner(), bytemuck::cast_slice(&labels).to_vec()),
        ] {
            let mem = pixcodec::decode(&data).expect("decode from memory");
            assert!(mem.as_bytes() == &expect[..], "{name} {level:?} from memory");
            let path = dir.join(format!("{name}.tif"));
            std::fs::write(&path, &data).unwrap();
            let file = Registry::global()
                .read(&path, &DecodeOptions::default())
                .expect("decode from file");
            assert!(file.as_bytes() == &expect[..], "{name} {level:?} from a file");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A classic little-endian TIFF of 8-bit gray with the given strips (zlib streams).
fn gray8_deflate_tiff(w: u32, h: u32, rows_per_strip: u32, strips: &[Vec<u8>]) -> Vec<u8> {
    let n = strips.len() as u32;
    let entries: u32 = 9;
    let ifd_len = 2 + entries * 12 + 4;
    let arrays_at = 8 + ifd_len;
    let data_at = arrays_at + 8 * n;
    let mut offsets = Vec::new();
    let mut at = data_at;
    for s in strips {
        offsets.push(at);
        at += s.len() as u32;
    }
    let mut f = b"II*\0".to_vec();
    f.extend_from_slice(&8u32.to_le_bytes());
    f.extend_from_slice(&(entries as u16).to_le_bytes());
    let mut entry = |tag: u16, ty: u16, count: u32, value: u32| {
        f.extend_from_slice(&tag.to_le_bytes());
        f.extend_from_slice(&ty.to_le_bytes());
        f.extend_from_slice(&count.to_le_bytes());
        f.extend_from_slice(&value.to_le_bytes());
    };
    entry(256, 4, 1, w);
    entry(257, 4, 1, h);
    entry(258, 3, 1, 8);
    entry(259, 3, 1, 8);
    entry(262, 3, 1, 1);
    entry(273, 4, n, arrays_at);
    entry(277, 3, 1, 1);
    entry(278, 4, 1, rows_per_strip);
    entry(279, 4, n, arrays_at + 4 * n);
    f.extend_from_slice(&0u32.to_le_bytes());
    offsets.iter().for_each(|o| f.extend_from_slice(&o.to_le_bytes()));
    strips
        .iter()
        .for_each(|s| f.extend_from_slice(&(s.len() as u32).to_le_bytes()));
    strips.iter().for_each(|s| f.extend_from_slice(s));
    f
}

fn zlib(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_last_strip_holding_more_rows_than_the_page_reads_like_libtiff() {
    // 5 x 3 gray, 2 rows per strip; the last strip is written full height (2 rows), as some
    // writers do: the extra row is ignored.
    let pixels: Vec<u8> = (0..15).map(|i| i * 11).collect();
    let mut last = pixels[10..].to_vec();
    last.extend_from_slice(&[0xEE; 5]);
    let file = gray8_deflate_tiff(5, 3, 2, &[zlib(&pixels[..10]), zlib(&last)]);
    let img = pixcodec::decode(&file).expect("over-long last strip decodes");
    assert_eq!(img.as_bytes(), &pixels[..]);
    // A strip short of its rows is an error.
    let short = gray8_deflate_tiff(5, 3, 2, &[zlib(&pixels[..9]), zlib(&pixels[10..])]);
    let e = pixcodec::decode(&short).unwrap_err();
    assert!(matches!(e, pixcodec::Error::Decode { .. }), "{e}");
}

#[test]
fn corrupt_deflate_strips_are_decode_errors_not_panics() {
    let pixels: Vec<u8> = (0..64 * 40).map(|i| ((i * 7) % 251) as u8).collect();
    let strips: Vec<Vec<u8>> = pixels.chunks(64 * 8).map(zlib).collect();
    let good = gray8_deflate_tiff(64, 40, 8, &strips);
    assert_eq!(pixcodec::decode(&good).unwrap().as_bytes(), &pixels[..]);
    let data_at = good.len() - strips.iter().map(Vec::len).sum::<usize>();
    let mut errors = 0;
    let mut state = 0x2545_f491u32;
    for round in 0..400 {
        let mut bad = good.clone();
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let at = data_at + (state as usize >> 8) % (good.len() - data_at);
        match round % 3 {
            0 => bad[at] ^= 1 << (state % 8),
            1 => bad[at] = 0xff,
            _ => bad[at..].iter_mut().take(16).for_each(|b| *b = !*b),
        }
        match std::panic::catch_unwind(|| pixcodec::decode(&bad)) {
            Err(_) => panic!("round {round}: decoder panicked on a corrupt strip at byte {at}"),
            Ok(Err(e)) => {
                assert!(matches!(e, pixcodec::Error::Decode { .. }), "round {round}: {e}");
                errors += 1;
            }
            Ok(Ok(_)) => {}
        }
    }
    assert!(errors > 300, "only {errors} of 400 corruptions were detected");
    // Truncated zlib streams (the checksum and part of the data missing).
    let cut: Vec<Vec<u8>> = strips.iter().map(|s| s[..s.len() / 2].to_vec()).collect();
    let e = pixcodec::decode(&gray8_deflate_tiff(64, 40, 8, &cut)).unwrap_err();
    assert!(matches!(e, pixcodec::Error::Decode { .. }), "{e}");
}

#[test]
fn higher_levels_compress_no_worse_and_every_level_round_trips() {
    let img = common::random_image(256, 256, PixelFormat::new(Layout::Gray, SampleType::U16), 9);
    // Smooth data so the levels differ.
    let smooth: Vec<u16> = (0..256 * 256)
        .map(|i| ((i % 256) * 3 + (i / 256) * 5) as u16 ^ (i as u16 & 3))
        .collect();
    let smooth = ImageRef::from_samples(&smooth, 256, 256, Layout::Gray).unwrap();
    let mut sizes = Vec::new();
    for level in 1..=9 {
        let opts = EncodeOptions::new().compression("deflate").level(level);
        check(&[img.as_ref()], &opts, &format!("noise level {level}"));
        sizes.push(check(&[smooth], &opts, &format!("smooth level {level}")).len());
    }
    assert!(sizes[8] <= sizes[0], "level 9 {} vs level 1 {}", sizes[8], sizes[0]);
}

fn any_format() -> impl Strategy<Value = PixelFormat> {
    (0..Layout::ALL.len(), 0..SampleType::ALL.len())
        .prop_map(|(l, s)| PixelFormat::new(Layout::ALL[l], SampleType::ALL[s]))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Random shapes, formats, levels and predictor: the tiff crate reads our Deflate files.
    #[test]
    fn random_deflate_files_read_identically(
        w in 1u32..300,
        h in 1u32..300,
        format in any_format(),
        level in 1i64..=9,
        predictor: bool,
        seed: u64,
    ) {
        let img: Image = common::random_image(w, h, format, seed);
        let predictor = predictor && !format.sample.is_float();
        let opts = EncodeOptions::new().compression("deflate").level(level).predictor(predictor);
        check(&[img.as_ref()], &opts, &format!("{w}x{h} {format} level {level} predictor {predictor}"));
    }
}
