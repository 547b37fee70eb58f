//! Significant bits in PNG: sub-byte gray decodes to its stored values (as TIFF does), sBIT
//! files whose samples are bit-replicated decode to their significant bits, the
//! `significant_bits` encode option writes both back, and the rule
//! (`ImageInfo::significant_bits = Some(n)`: the decoded values are the stored n-bit values)
//! holds across PNG, TIFF and JPEG.
#![cfg(all(feature = "png", feature = "tiff"))]

mod common;

use pixcodec::{DecodeOptions, EncodeOptions, ErrorKind, Image, Layout, PixelFormat, Registry, SampleType};

fn suite_file(name: &str) -> Option<Vec<u8>> {
    let path = common::corpus_dir()?.join("png/pngsuite").join(name);
    Some(std::fs::read(path).unwrap())
}

/// The chunks of a PNG file: (type, data).
fn chunks(file: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    let mut v = Vec::new();
    let mut pos = 8;
    while pos + 12 <= file.len() {
        let len = u32::from_be_bytes(file[pos..pos + 4].try_into().unwrap()) as usize;
        let kind: [u8; 4] = file[pos + 4..pos + 8].try_into().unwrap();
        v.push((kind, file[pos + 8..pos + 8 + len].to_vec()));
        pos += 12 + len;
    }
    v
}

fn chunk<'a>(c: &'a [([u8; 4], Vec<u8>)], kind: &[u8; 4]) -> Option<&'a [u8]> {
    c.iter().find(|(k, _)| k == kind).map(|(_, d)| d.as_slice())
}

/// The file's samples as the `png` crate reads them without any transformation: (IHDR bit
/// depth, samples widened to u16; sub-byte samples unpacked, palette indices as stored).
fn raw_samples(file: &[u8]) -> (u8, Vec<u16>) {
    let mut dec = png::Decoder::new(std::io::Cursor::new(file));
    dec.set_transformations(png::Transformations::IDENTITY);
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0u8; r.output_buffer_size().unwrap()];
    let frame = r.next_frame(&mut buf).unwrap();
    let depth = frame.bit_depth as u8;
    let (w, h, ch) = (frame.width as usize, frame.height as usize, frame.color_type.samples());
    let line = frame.line_size;
    let mut out = Vec::new();
    for y in 0..h {
        let row = &buf[y * line..(y + 1) * line];
        match depth {
            16 => out.extend(row[..w * ch * 2].chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]]))),
            8 => out.extend(row[..w * ch].iter().map(|&b| u16::from(b))),
            d => {
                let d = d as usize;
                for i in 0..w * ch {
                    let bit = i * d;
                    let v = (row[bit / 8] >> (8 - d - bit % 8)) & ((1 << d) - 1) as u8;
                    out.push(u16::from(v));
                }
            }
        }
    }
    (depth, out)
}

/// `x` of `n` bits replicated to `depth` bits (the PNG specification's recommended scaling).
fn replicate(x: u32, n: u32, depth: u32) -> u32 {
    let mut r = 0;
    let mut filled = 0;
    while filled < depth {
        r = (r << n) | x;
        filled += n;
    }
    r >> (filled - depth)
}

fn reg() -> &'static Registry {
    Registry::global()
}

fn dopts() -> DecodeOptions {
    DecodeOptions::new()
}

// ---------------------------------------------------------------------------------------------
// Decoding PngSuite

#[test]
fn sub_byte_gray_decodes_to_stored_values() {
    for (name, bits) in [
        ("basn0g01.png", 1u8),
        ("basn0g02.png", 2),
        ("basn0g04.png", 4),
        ("basi0g01.png", 1),
    ] {
        let Some(file) = suite_file(name) else { return };
        let (depth, raw) = raw_samples(&file);
        assert_eq!(depth, bits, "{name}");
        let info = reg().probe(&file, &dopts()).unwrap();
        assert_eq!(info.significant_bits, Some(bits), "{name}: probe");
        assert_eq!(info.format, PixelFormat::new(Layout::Gray, SampleType::U8), "{name}");
        let img = reg().decode(&file, &dopts()).unwrap();
        let px = img.to_vec::<u8>().unwrap();
        let raw_u8: Vec<u8> = raw.iter().map(|&v| v as u8).collect();
        assert_eq!(px, raw_u8, "{name}: decoded values differ from the stored ones");
        let max = *px.iter().max().unwrap();
        assert!(max >= (1u8 << bits) / 2 && max < 1 << bits, "{name}: max {max}");
    }
    // basn0g01 row 0 is ff ff ff fe (independently read from the file): 31 ones, then a zero.
    let Some(file) = suite_file("basn0g01.png") else { return };
    let px = reg().decode(&file, &dopts()).unwrap().to_vec::<u8>().unwrap();
    let mut row0 = [1u8; 32];
    row0[31] = 0;
    assert_eq!(&px[..32], &row0);
}

#[test]
fn sub_byte_gray_with_trns_has_alpha_at_the_same_depth() {
    // tbbn0g04: 4-bit gray, tRNS gray 15. Row 0 is all 15 (transparent); (5, 5) is 14.
    let Some(file) = suite_file("tbbn0g04.png") else { return };
    let (info, img) = decode_with_info(&file);
    assert_eq!(info.format, PixelFormat::new(Layout::GrayAlpha, SampleType::U8));
    assert_eq!(info.significant_bits, Some(4));
    let px = img.to_vec::<u8>().unwrap();
    assert_eq!(&px[..4], &[15, 0, 15, 0]);
    let i = (5 * 32 + 5) * 2;
    assert_eq!(&px[i..i + 2], &[14, 15]);
}

fn decode_with_info(file: &[u8]) -> (pixcodec::ImageInfo, Image) {
    let info = reg().probe(file, &dopts()).unwrap();
    let mut img = Image::new(info.width, info.height, info.format).unwrap();
    let after = reg().decode_into(file, img.as_mut(), &dopts()).unwrap();
    assert_eq!(
        after.significant_bits, info.significant_bits,
        "probe and decode_into agree"
    );
    (info, img)
}

/// cs3n3p08 (palette, sBIT 3) holds bit-replicated 3-bit entries: it decodes to 0..=7 with
/// `significant_bits` 3. cs5n2c08 / cs5n3p08 (sBIT 5) were scaled by rounding `v * 255 / 31`,
/// not by replication (value 3 is stored as 25, its replication is 24): their samples are
/// returned as stored, and so are cs3n2c16's (sBIT 13, 16-bit, also rounded).
/// cs8n* have no sBIT.
#[test]
fn sbit_files_decode_to_significant_bits_when_replicated() {
    let Some(file) = suite_file("cs3n3p08.png") else { return };
    assert_eq!(chunk(&chunks(&file), b"sBIT"), Some(&[3u8, 3, 3][..]));
    let (info, img) = decode_with_info(&file);
    assert_eq!(info.significant_bits, Some(3));
    assert_eq!(info.format, PixelFormat::new(Layout::Rgb, SampleType::U8));
    let px = img.to_vec::<u8>().unwrap();
    let values: std::collections::BTreeSet<u8> = px.iter().copied().collect();
    assert_eq!(values.into_iter().collect::<Vec<_>>(), (0..8).collect::<Vec<u8>>());
    // The palette expansion, independently: index -> PLTE entry >> 5.
    let c = chunks(&file);
    let plte = chunk(&c, b"PLTE").unwrap();
    let (_, idx) = raw_samples(&file);
    let expect: Vec<u8> = idx
        .iter()
        .flat_map(|&i| plte[i as usize * 3..i as usize * 3 + 3].iter().map(|&v| v >> 5))
        .collect();
    assert_eq!(px, expect);

    for name in ["cs5n2c08.png", "cs5n3p08.png"] {
        let Some(file) = suite_file(name) else { return };
        assert_eq!(chunk(&chunks(&file), b"sBIT"), Some(&[5u8, 5, 5][..]), "{name}");
        let (info, img) = decode_with_info(&file);
        assert_eq!(info.significant_bits, None, "{name}: samples are not replicated");
        let px = img.to_vec::<u8>().unwrap();
        assert!(
            px.contains(&25),
            "{name}: stored samples kept (25 = round(3 * 255 / 31))"
        );
    }

    let Some(file) = suite_file("cs3n2c16.png") else { return };
    assert_eq!(chunk(&chunks(&file), b"sBIT"), Some(&[13u8, 13, 13][..]));
    let (_, raw) = raw_samples(&file);
    let replicated = raw
        .iter()
        .all(|&v| replicate(u32::from(v) >> 3, 13, 16) == u32::from(v));
    // Its samples were scaled by rounding too (8185 is stored for the 13-bit value 1023).
    assert!(!replicated && raw.contains(&8185));
    let (info, img) = decode_with_info(&file);
    assert_eq!(info.significant_bits, None);
    assert_eq!(img.to_vec::<u16>().unwrap(), raw);

    for name in ["cs8n2c08.png", "cs8n3p08.png"] {
        let Some(file) = suite_file(name) else { return };
        assert_eq!(reg().probe(&file, &dopts()).unwrap().significant_bits, None, "{name}");
    }
}

/// An sBIT file written by the `png` crate (an independent writer): replicated samples
/// decode to the significant bits; a file whose low bits are not the replication keeps its
/// samples; different sBIT values per channel keep the samples too.
#[test]
fn sbit_consistency_is_checked_on_every_sample() {
    fn write(samples: &[u8], color: png::ColorType, sbit: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let ch = color.samples();
        let mut enc = png::Encoder::new(&mut out, (samples.len() / ch) as u32, 1);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        w.write_chunk(png::chunk::sBIT, sbit).unwrap();
        w.write_image_data(samples).unwrap();
        drop(w);
        out
    }
    let five: Vec<u8> = (0..32u32).map(|v| replicate(v, 5, 8) as u8).collect();
    let file = write(&five, png::ColorType::Grayscale, &[5]);
    let (info, img) = decode_with_info(&file);
    assert_eq!(info.significant_bits, Some(5));
    assert_eq!(img.to_vec::<u8>().unwrap(), (0..32u8).collect::<Vec<_>>());

    // One sample (the last) with a low bit that is not the replication.
    let mut off = five.clone();
    *off.last_mut().unwrap() ^= 1;
    let file = write(&off, png::ColorType::Grayscale, &[5]);
    let (info, img) = decode_with_info(&file);
    assert_eq!(info.significant_bits, None);
    assert_eq!(img.to_vec::<u8>().unwrap(), off);

    // RGB 5/6/5: one value cannot describe it; samples as stored.
    let rgb: Vec<u8> = five.iter().flat_map(|&v| [v, v, v]).collect();
    let file = write(&rgb, png::ColorType::Rgb, &[5, 6, 5]);
    let (info, img) = decode_with_info(&file);
    assert_eq!(info.significant_bits, None);
    assert_eq!(img.to_vec::<u8>().unwrap(), rgb);

    // sBIT 8 on 8-bit samples: nothing to do.
    let file = write(&five, png::ColorType::Grayscale, &[8]);
    assert_eq!(reg().probe(&file, &dopts()).unwrap().significant_bits, None);
}

// ---------------------------------------------------------------------------------------------
// Encoding with the option

fn encode_bits(img: &Image, bits: i64) -> pixcodec::Result<Vec<u8>> {
    reg()
        .encode(img.as_ref(), "png", &EncodeOptions::new().set("significant_bits", bits))
        .map(|e| e.data)
}

/// Deterministic values below 2^bits.
fn values(n: usize, bits: u32, seed: u64) -> Vec<u64> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            // The extremes first, so every run holds 0 and the largest value.
            match i {
                0 => 0,
                1 => (1 << bits) - 1,
                _ => s % (1 << bits),
            }
        })
        .collect()
}

#[test]
fn round_trips_keep_values_and_significant_bits() {
    let layouts = [Layout::Gray, Layout::GrayAlpha, Layout::Rgb, Layout::Rgba];
    for layout in layouts {
        for (w, h) in [(1u32, 1u32), (7, 3), (33, 5)] {
            let n = w as usize * h as usize * layout.channels();
            for bits in 1..=8u32 {
                let v: Vec<u8> = values(n, bits, u64::from(bits) + w as u64)
                    .iter()
                    .map(|&x| x as u8)
                    .collect();
                let img = Image::from_samples(w, h, layout, &v).unwrap();
                let data = encode_bits(&img, i64::from(bits)).unwrap();
                let c = chunks(&data);
                let ihdr = chunk(&c, b"IHDR").unwrap();
                let sub = layout == Layout::Gray && matches!(bits, 1 | 2 | 4);
                assert_eq!(
                    ihdr[8],
                    if sub { bits as u8 } else { 8 },
                    "{layout} U8 {bits} bits: IHDR depth"
                );
                let expect_sbit = (bits < 8 && !sub).then(|| vec![bits as u8; layout.channels()]);
                assert_eq!(
                    chunk(&c, b"sBIT").map(<[u8]>::to_vec),
                    expect_sbit,
                    "{layout} U8 {bits}"
                );
                let (info, back) = decode_with_info(&data);
                assert!(back == img, "{layout} U8 {bits} bits {w}x{h}: values differ");
                assert_eq!(
                    info.significant_bits,
                    (bits < 8).then_some(bits as u8),
                    "{layout} U8 {bits}"
                );
            }
            for bits in [1u32, 4, 9, 12, 15, 16] {
                let v: Vec<u16> = values(n, bits, u64::from(bits) * 7 + h as u64)
                    .iter()
                    .map(|&x| x as u16)
                    .collect();
                let img = Image::from_samples(w, h, layout, &v).unwrap();
                let data = encode_bits(&img, i64::from(bits)).unwrap();
                let (info, back) = decode_with_info(&data);
                assert!(back == img, "{layout} U16 {bits} bits: values differ");
                assert_eq!(
                    info.significant_bits,
                    (bits < 16).then_some(bits as u8),
                    "{layout} U16 {bits}"
                );
            }
        }
    }
}

/// A 12-bit U16 image written with `significant_bits` 12: the file holds 16-bit samples
/// `(v << 4) | (v >> 8)` and an sBIT chunk of 12, checked byte by byte.
#[test]
fn twelve_bit_png_has_sbit_12_and_replicated_samples() {
    let v: Vec<u16> = vec![0, 1, 0x800, 0xabc, 4095, 17];
    let img = Image::from_samples(3, 2, Layout::Gray, &v).unwrap();
    let data = encode_bits(&img, 12).unwrap();
    let c = chunks(&data);
    assert_eq!(&c[0].0, b"IHDR");
    assert_eq!(c[0].1[8..10], [16, 0], "16-bit gray");
    assert_eq!(&c[1].0, b"sBIT", "sBIT right after IHDR");
    assert_eq!(c[1].1, [12]);
    // Whole chunk bytes: length 1, type, value, CRC.
    let at = data.windows(4).position(|w| w == b"sBIT").unwrap() - 4;
    let crc = crc(b"sBIT\x0c");
    let mut expect = vec![0, 0, 0, 1];
    expect.extend_from_slice(b"sBIT\x0c");
    expect.extend_from_slice(&crc.to_be_bytes());
    assert_eq!(&data[at..at + 13], &expect[..]);
    let (depth, raw) = raw_samples(&data);
    assert_eq!(depth, 16);
    let want: Vec<u16> = v.iter().map(|&x| (x << 4) | (x >> 8)).collect();
    assert_eq!(raw, want);
    let (info, back) = decode_with_info(&data);
    assert_eq!(info.significant_bits, Some(12));
    assert_eq!(back.to_vec::<u16>().unwrap(), v);
}

fn crc(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 { (c >> 1) ^ 0xedb8_8320 } else { c >> 1 };
        }
    }
    !c
}

/// A 1-bit PNG written with the option is a real 1-bit file: the `png` crate reads the same
/// bits back, MSB first, rows padded.
#[test]
fn one_bit_png_is_packed() {
    let v: Vec<u8> = (0..11 * 3).map(|i| (i % 3 == 0) as u8).collect();
    let img = Image::from_samples(11, 3, Layout::Gray, &v).unwrap();
    let data = encode_bits(&img, 1).unwrap();
    let (depth, raw) = raw_samples(&data);
    assert_eq!(depth, 1);
    assert_eq!(raw, v.iter().map(|&b| u16::from(b)).collect::<Vec<_>>());
    // The same file through the parallel (segmented) path of a large image.
    let big: Vec<u8> = (0..2048 * 3100).map(|i| ((i / 7) % 2) as u8).collect();
    let img = Image::from_samples(2048, 3100, Layout::Gray, &big).unwrap();
    let data = encode_bits(&img, 1).unwrap();
    assert!(reg().decode(&data, &dopts()).unwrap() == img);
}

#[test]
fn refusals_name_the_first_sample_that_does_not_fit() {
    let img = Image::from_samples(3, 2, Layout::Gray, &[0u8, 1, 1, 0, 2, 1]).unwrap();
    let e = encode_bits(&img, 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let m = e.to_string();
    assert!(
        m.contains("sample 2 at pixel (1, 1) channel 0") && m.contains("1 bits"),
        "{m}"
    );

    let img = Image::from_samples(2, 1, Layout::Rgb, &[0u16, 4095, 7, 1, 4096, 0]).unwrap();
    let m = encode_bits(&img, 12).unwrap_err().to_string();
    assert!(m.contains("sample 4096 at pixel (1, 0) channel 1"), "{m}");

    let img = Image::from_samples(1, 1, Layout::Gray, &[1u8]).unwrap();
    for bad in [9i64, 17, -1] {
        let e = encode_bits(&img, bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad}: {e}");
    }
    // 0 and the full width write the samples as they are, without sBIT.
    for full in [0i64, 8] {
        let data = encode_bits(&img, full).unwrap();
        assert!(chunk(&chunks(&data), b"sBIT").is_none());
        assert_eq!(reg().probe(&data, &dopts()).unwrap().significant_bits, None);
    }
}

#[test]
fn the_option_is_in_the_codec_table() {
    let png = reg().by_name("png").unwrap();
    let spec = png
        .encode_options()
        .iter()
        .find(|o| o.name == "significant_bits")
        .expect("png lists significant_bits");
    let tiff = reg().by_name("tiff").unwrap();
    assert!(tiff.encode_options().iter().any(|o| o.name == spec.name));
}

// ---------------------------------------------------------------------------------------------
// One rule across codecs

/// The same 1, 2 and 4-bit gray values written as TIFF and as PNG decode to the same image
/// and the same `significant_bits`.
#[test]
fn tiff_and_png_sub_byte_gray_decode_alike() {
    for bits in [1u32, 2, 4] {
        let v: Vec<u8> = values(13 * 5, bits, u64::from(bits)).iter().map(|&x| x as u8).collect();
        let img = Image::from_samples(13, 5, Layout::Gray, &v).unwrap();
        let opts = EncodeOptions::new().set("significant_bits", i64::from(bits));
        let tiff = reg().encode(img.as_ref(), "tiff", &opts).unwrap().data;
        let png = reg().encode(img.as_ref(), "png", &opts).unwrap().data;
        let (ti, tp) = (
            reg().probe(&tiff, &dopts()).unwrap(),
            reg().probe(&png, &dopts()).unwrap(),
        );
        assert_eq!(
            (ti.significant_bits, tp.significant_bits),
            (Some(bits as u8), Some(bits as u8))
        );
        let (a, b) = (
            reg().decode(&tiff, &dopts()).unwrap(),
            reg().decode(&png, &dopts()).unwrap(),
        );
        assert!(a == b && a == img, "{bits} bits: TIFF and PNG decode differently");
    }
    // PngSuite's 1-bit gray, rewritten as a 1-bit TIFF, reads back the same.
    let Some(file) = suite_file("basn0g01.png") else { return };
    let img = reg().decode(&file, &dopts()).unwrap();
    let tiff = reg()
        .encode(
            img.as_ref(),
            "tiff",
            &EncodeOptions::new().set("significant_bits", 1i64),
        )
        .unwrap()
        .data;
    assert!(reg().decode(&tiff, &dopts()).unwrap() == img);
}

/// A 12-bit JPEG (libjpeg-turbo's `monkey12.jpg`) decodes to 0..=4095 with
/// `significant_bits` 12; written to PNG with that value it carries sBIT 12 and reads back.
#[test]
fn twelve_bit_jpeg_to_png_carries_sbit() {
    let Some(dir) = common::corpus_dir() else { return };
    let Ok(file) = std::fs::read(dir.join("jpeg/monkey12.jpg")) else {
        eprintln!("skipping: monkey12.jpg not in the corpus");
        return;
    };
    let info = reg().probe(&file, &dopts()).unwrap();
    assert_eq!(info.significant_bits, Some(12));
    let img = reg().decode(&file, &dopts()).unwrap();
    let png = reg()
        .encode(
            img.as_ref(),
            "png",
            &EncodeOptions::new().set("significant_bits", i64::from(info.significant_bits.unwrap())),
        )
        .unwrap();
    assert!(png.report.exact);
    let sbit = vec![12u8; img.format().channels()];
    assert_eq!(chunk(&chunks(&png.data), b"sBIT"), Some(&sbit[..]));
    let (back_info, back) = decode_with_info(&png.data);
    assert_eq!(back_info.significant_bits, Some(12));
    assert!(back == img);
}
