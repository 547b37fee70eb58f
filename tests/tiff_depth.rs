//! TIFF integers of every width 1..=32 bits (issue 17): files built here byte by byte, with a
//! bit-by-bit packer and predictor of their own (independent of pixcodec's decoder), through
//! strips and tiles, chunky and planar, predictor 2, none/Deflate/ZSTD/PackBits compression,
//! unsigned and signed; decoded bit-exact into the next wider type. Then the encoder's
//! `significant_bits` round trip, its refusals, ZSTD, and malformed packed files.

use pixcodec::{DecodeOptions, EncodeOptions, ErrorKind, Image, Layout, Limits, PixelFormat, Registry, SampleType};

fn registry() -> Registry {
    Registry::with_builtins()
}

fn dopts() -> DecodeOptions {
    DecodeOptions::new().codec("tiff")
}

/// How the test file lays out its samples.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// Tile size, or `None` for strips of `rows_per_strip` rows.
    tile: Option<(u32, u32)>,
    rows_per_strip: u32,
    planar: bool,
    predictor: bool,
    /// 1 none, 8 Deflate, 32773 PackBits, 50000 ZSTD.
    compression: u16,
}

/// Writes `bits` bits of `v`, most significant first, at bit `pos` of `out`.
fn put_bits(out: &mut [u8], pos: usize, v: u32, bits: u32) {
    for b in 0..bits {
        if (v >> (bits - 1 - b)) & 1 == 1 {
            let p = pos + b as usize;
            out[p / 8] |= 0x80 >> (p % 8);
        }
    }
}

/// PackBits as literal packets only (valid, if not small).
fn packbits_literal(row: &[u8], out: &mut Vec<u8>) {
    for chunk in row.chunks(128) {
        out.push((chunk.len() - 1) as u8);
        out.extend_from_slice(chunk);
    }
}

/// One chunk's packed rows: `cols` x `rows` pixels of `spp` samples from `sample(x, y, s)`
/// (0 outside the image), predicted modulo 2^bits when asked.
fn chunk_bytes(
    cols: u32,
    rows: u32,
    spp: u32,
    bits: u32,
    predictor: bool,
    sample: impl Fn(u32, u32, u32) -> u32,
) -> Vec<Vec<u8>> {
    let mask = if bits == 32 { u32::MAX } else { (1u32 << bits) - 1 };
    let row_bytes = (cols as usize * spp as usize * bits as usize).div_ceil(8);
    (0..rows)
        .map(|y| {
            let mut row = vec![0u8; row_bytes];
            for x in 0..cols {
                for s in 0..spp {
                    let mut v = sample(x, y, s) & mask;
                    if predictor && x > 0 {
                        v = v.wrapping_sub(sample(x - 1, y, s) & mask) & mask;
                    }
                    let k = (x * spp + s) as usize;
                    if matches!(bits, 16 | 32) {
                        // Whole 16/32-bit samples are stored in the file's byte order (II).
                        let n = bits as usize / 8;
                        row[k * n..(k + 1) * n].copy_from_slice(&v.to_le_bytes()[..n]);
                    } else {
                        put_bits(&mut row, k * bits as usize, v, bits);
                    }
                }
            }
            row
        })
        .collect()
}

fn compress(rows: Vec<Vec<u8>>, compression: u16) -> Vec<u8> {
    let raw: Vec<u8> = rows.concat();
    match compression {
        1 => raw,
        8 => {
            use std::io::Write;
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
            z.write_all(&raw).unwrap();
            z.finish().unwrap()
        }
        32773 => {
            let mut out = Vec::new();
            rows.iter().for_each(|r| packbits_literal(r, &mut out));
            out
        }
        50000 => zstd::bulk::compress(&raw, 3).unwrap(),
        c => panic!("compression {c}"),
    }
}

/// A little-endian classic TIFF of `w` x `h` pixels, `channels` samples of `bits` bits
/// (`values[(y * w + x) * channels + c]`, two's complement truncated for signed ones).
fn build(w: u32, h: u32, channels: u32, bits: u32, signed: bool, values: &[i64], shape: Shape) -> Vec<u8> {
    let at = |x: u32, y: u32, c: u32| -> u32 {
        if x >= w || y >= h {
            0
        } else {
            values[((y * w + x) * channels + c) as usize] as u32
        }
    };
    let (cw, ch) = shape.tile.unwrap_or((w, shape.rows_per_strip));
    let (across, down) = (w.div_ceil(cw), h.div_ceil(ch));
    let planes = if shape.planar { channels } else { 1 };
    let spp = if shape.planar { 1 } else { channels };
    let mut chunks = Vec::new();
    for plane in 0..planes {
        for band in 0..down {
            for col in 0..across {
                let (x0, y0) = (col * cw, band * ch);
                // Strips hold only the rows left; tiles are whole.
                let rows = if shape.tile.is_some() { ch } else { ch.min(h - y0) };
                let rows = chunk_bytes(cw, rows, spp, bits, shape.predictor, |x, y, s| {
                    at(x0 + x, y0 + y, if shape.planar { plane } else { s })
                });
                chunks.push(compress(rows, shape.compression));
            }
        }
    }
    let mut tags: Vec<(u16, u16, Vec<u32>)> = vec![
        (256, 4, vec![w]),
        (257, 4, vec![h]),
        (258, 3, vec![bits; channels as usize]),
        (259, 3, vec![u32::from(shape.compression)]),
        (262, 3, vec![if channels >= 3 { 2 } else { 1 }]),
        (277, 3, vec![channels]),
        (284, 3, vec![if shape.planar { 2 } else { 1 }]),
        (317, 3, vec![if shape.predictor { 2 } else { 1 }]),
        (339, 3, vec![if signed { 2 } else { 1 }; channels as usize]),
    ];
    if channels == 2 || channels == 4 {
        tags.push((338, 3, vec![2]));
    }
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    let mut counts = Vec::new();
    // Header, then the chunks, then the IFD and its out-of-line values.
    let mut file = b"II*\0\0\0\0\0".to_vec();
    for c in &chunks {
        offsets.push((8 + data.len()) as u32);
        counts.push(c.len() as u32);
        data.extend_from_slice(c);
        data.push(0); // odd padding between chunks
    }
    file.extend_from_slice(&data);
    match shape.tile {
        Some((tw, tl)) => {
            tags.push((322, 4, vec![tw]));
            tags.push((323, 4, vec![tl]));
            tags.push((324, 4, offsets));
            tags.push((325, 4, counts));
        }
        None => {
            tags.push((273, 4, offsets));
            tags.push((278, 4, vec![shape.rows_per_strip]));
            tags.push((279, 4, counts));
        }
    }
    tags.sort_by_key(|t| t.0);
    if file.len() % 2 == 1 {
        file.push(0);
    }
    let ifd_at = file.len();
    file[4..8].copy_from_slice(&(ifd_at as u32).to_le_bytes());
    let mut extra_at = ifd_at + 2 + tags.len() * 12 + 4;
    let mut ifd = (tags.len() as u16).to_le_bytes().to_vec();
    let mut extra = Vec::new();
    for (tag, typ, vals) in &tags {
        ifd.extend_from_slice(&tag.to_le_bytes());
        ifd.extend_from_slice(&typ.to_le_bytes());
        ifd.extend_from_slice(&(vals.len() as u32).to_le_bytes());
        let bytes: Vec<u8> = vals
            .iter()
            .flat_map(|&v| {
                if *typ == 3 {
                    (v as u16).to_le_bytes().to_vec()
                } else {
                    v.to_le_bytes().to_vec()
                }
            })
            .collect();
        if bytes.len() <= 4 {
            let mut b = bytes.clone();
            b.resize(4, 0);
            ifd.extend_from_slice(&b);
        } else {
            ifd.extend_from_slice(&(extra_at as u32).to_le_bytes());
            extra_at += bytes.len();
            extra.extend_from_slice(&bytes);
        }
    }
    ifd.extend_from_slice(&0u32.to_le_bytes());
    file.extend_from_slice(&ifd);
    file.extend_from_slice(&extra);
    file
}

/// Deterministic values covering the width's whole range, extremes included.
fn values(n: usize, bits: u32, signed: bool, seed: u64) -> Vec<i64> {
    let (lo, hi) = if signed {
        (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1)
    } else {
        (0, (1i64 << bits) - 1)
    };
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|i| match i % 7 {
            0 => lo,
            3 => hi,
            _ => {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                lo + (s % (hi - lo + 1) as u64) as i64
            }
        })
        .collect()
}

/// The expected image: `values` in the next wider type.
fn expected(w: u32, h: u32, layout: Layout, bits: u32, signed: bool, vals: &[i64]) -> Image {
    let ty = match (bits, signed) {
        (1..=8, false) => SampleType::U8,
        (1..=8, true) => SampleType::I8,
        (9..=16, false) => SampleType::U16,
        (9..=16, true) => SampleType::I16,
        (_, false) => SampleType::U32,
        (_, true) => SampleType::I32,
    };
    let bytes: Vec<u8> = vals
        .iter()
        .flat_map(|&v| match ty.size() {
            1 => vec![v as u8],
            2 => (v as u16).to_ne_bytes().to_vec(),
            _ => (v as u32).to_ne_bytes().to_vec(),
        })
        .collect();
    Image::from_bytes(w, h, PixelFormat::new(layout, ty), &bytes).unwrap()
}

#[test]
fn every_width_decodes_exactly_through_every_layout() {
    let reg = registry();
    let (w, h) = (21u32, 19u32);
    let shapes = [
        Shape {
            tile: None,
            rows_per_strip: 4,
            planar: false,
            predictor: false,
            compression: 1,
        },
        Shape {
            tile: None,
            rows_per_strip: 5,
            planar: false,
            predictor: true,
            compression: 8,
        },
        Shape {
            tile: Some((16, 16)),
            rows_per_strip: 0,
            planar: false,
            predictor: true,
            compression: 50000,
        },
        Shape {
            tile: None,
            rows_per_strip: 7,
            planar: true,
            predictor: true,
            compression: 32773,
        },
        Shape {
            tile: Some((32, 16)),
            rows_per_strip: 0,
            planar: true,
            predictor: false,
            compression: 8,
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut cases = 0;
    for bits in 1..=32u32 {
        for signed in [false, true] {
            for (layout, channels) in [(Layout::Gray, 1u32), (Layout::Rgb, 3), (Layout::GrayAlpha, 2)] {
                for (k, shape) in shapes.iter().enumerate() {
                    if shape.planar && channels == 1 {
                        continue;
                    }
                    let seed = u64::from(bits) * 1000 + k as u64 * 10 + u64::from(channels) + u64::from(signed) * 7;
                    let vals = values((w * h * channels) as usize, bits, signed, seed);
                    let file = build(w, h, channels, bits, signed, &vals, *shape);
                    let want = expected(w, h, layout, bits, signed, &vals);
                    let what = format!("{bits}-bit signed={signed} {layout} {shape:?}");
                    let info = reg.probe(&file, &dopts()).unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(info.format, want.format(), "{what}");
                    let narrower = bits < want.format().sample.bits();
                    assert_eq!(info.significant_bits, narrower.then_some(bits as u8), "{what}");
                    let got = reg.decode(&file, &dopts()).unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert!(got == want, "{what}");
                    // From a file too (read through a reader, not from memory).
                    let path = dir.path().join(format!("{cases}.tif"));
                    std::fs::write(&path, &file).unwrap();
                    let got = reg
                        .read(&path, &dopts())
                        .unwrap_or_else(|e| panic!("{what} (file): {e}"));
                    assert!(got == want, "{what} (file)");
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 32 * 2 * (5 + 5 + 3));
}

#[test]
fn significant_bits_round_trips_at_the_stored_width() {
    let reg = registry();
    let (w, h) = (13u32, 9u32);
    let mut cases = 0;
    for bits in 1..=32u32 {
        for signed in [false, true] {
            for (layout, channels) in [(Layout::Gray, 1u32), (Layout::Rgba, 4)] {
                let vals = values((w * h * channels) as usize, bits, signed, u64::from(bits));
                let img = expected(w, h, layout, bits, signed, &vals);
                for comp in ["none", "lzw", "deflate", "packbits", "zstd"] {
                    for pred in [false, true] {
                        let what = format!("{bits}-bit signed={signed} {layout} {comp} pred={pred}");
                        let opts = EncodeOptions::new()
                            .compression(comp)
                            .predictor(pred)
                            .set("significant_bits", i64::from(bits));
                        let enc = reg
                            .encode(img.as_ref(), "tiff", &opts)
                            .unwrap_or_else(|e| panic!("{what}: {e}"));
                        assert!(enc.report.exact, "{what}");
                        let info = reg.probe(&enc.data, &dopts()).unwrap();
                        let narrower = bits < img.format().sample.bits();
                        assert_eq!(info.significant_bits, narrower.then_some(bits as u8), "{what}");
                        let back = reg.decode(&enc.data, &dopts()).unwrap();
                        assert!(back == img, "{what}");
                        if comp == "none" && !pred && narrower {
                            // The same bytes as the independent builder's single strip.
                            let rows = chunk_bytes(w, h, channels, bits, false, |x, y, c| {
                                vals[((y * w + x) * channels + c) as usize] as u32
                            });
                            let packed: Vec<u8> = rows.concat();
                            assert_eq!(&enc.data[enc.data.len() - packed.len()..], &packed[..], "{what}");
                        }
                        cases += 1;
                    }
                }
            }
        }
    }
    assert_eq!(cases, 32 * 2 * 2 * 5 * 2);
}

#[test]
fn significant_bits_refusals_name_the_problem() {
    let reg = registry();
    let img = Image::from_samples::<u16>(3, 1, Layout::Gray, &[0, 4095, 4096]).unwrap();
    let opts = EncodeOptions::new().set("significant_bits", 12i64);
    let e = reg.encode(img.as_ref(), "tiff", &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("sample 4096 at pixel (2, 0) channel 0"), "{e}");
    assert!(e.to_string().contains("does not fit 12 bits (0..=4095)"), "{e}");
    // A width whose file would decode as another type.
    let e = reg
        .encode(
            img.as_ref(),
            "tiff",
            &EncodeOptions::new().set("significant_bits", 6i64),
        )
        .unwrap_err();
    assert!(e.to_string().contains("use 9..=16 for U16"), "{e}");
    // Floats have no packed form.
    let f = Image::from_samples::<f32>(1, 1, Layout::Gray, &[0.5]).unwrap();
    let e = reg
        .encode(f.as_ref(), "tiff", &EncodeOptions::new().set("significant_bits", 24i64))
        .unwrap_err();
    assert!(e.to_string().contains("8, 16 and 32-bit integer samples"), "{e}");
    // Out of the option's range.
    assert!(reg
        .encode(
            img.as_ref(),
            "tiff",
            &EncodeOptions::new().set("significant_bits", 33i64)
        )
        .is_err());
    // The full width is the ordinary file.
    let full = reg
        .encode(
            img.as_ref(),
            "tiff",
            &EncodeOptions::new().set("significant_bits", 16i64),
        )
        .unwrap();
    assert_eq!(reg.probe(&full.data, &dopts()).unwrap().significant_bits, None);
}

#[test]
fn zstd_levels_and_deflate_level_range() {
    let reg = registry();
    let img = pixcodec::testkit::generate(64, 48, PixelFormat::new(Layout::Rgb, SampleType::U16), 5);
    let mut sizes = Vec::new();
    for level in [1i64, 3, 19] {
        let opts = EncodeOptions::new().compression("zstd").level(level).predictor(true);
        let enc = reg.encode(img.as_ref(), "tiff", &opts).unwrap();
        assert!(reg.decode(&enc.data, &dopts()).unwrap() == img, "level {level}");
        sizes.push(enc.data.len());
    }
    // The default (level not given) is libzstd's 3.
    let dflt = reg
        .encode(
            img.as_ref(),
            "tiff",
            &EncodeOptions::new().compression("zstd").predictor(true),
        )
        .unwrap();
    assert_eq!(dflt.data.len(), sizes[1]);
    let e = reg
        .encode(
            img.as_ref(),
            "tiff",
            &EncodeOptions::new().compression("deflate").level(12),
        )
        .unwrap_err();
    assert!(e.to_string().contains("deflate levels are 1..=9, got 12"), "{e}");
}

#[test]
fn zstd_strip_padded_to_full_height_decodes() {
    // A last strip whose frame holds more rows than the image (some writers pad it):
    // the one-shot decoder refuses it, the streaming fallback reads what fits.
    let (w, h) = (5u32, 3u32);
    let raw: Vec<u8> = (0..w * 4).map(|i| i as u8).collect(); // 4 rows for a 3-row image
    let data = zstd::bulk::compress(&raw, 3).unwrap();
    let mut file = b"II*\0".to_vec();
    let ifd_at = 8 + data.len() + data.len() % 2;
    file.extend_from_slice(&(ifd_at as u32).to_le_bytes());
    file.extend_from_slice(&data);
    file.resize(ifd_at, 0);
    let tags: [(u16, u16, u32); 8] = [
        (256, 4, w),
        (257, 4, h),
        (258, 3, 8),
        (259, 3, 50000),
        (262, 3, 1),
        (273, 4, 8),
        (278, 4, 4),
        (279, 4, data.len() as u32),
    ];
    file.extend_from_slice(&(tags.len() as u16).to_le_bytes());
    for (tag, typ, v) in tags {
        file.extend_from_slice(&tag.to_le_bytes());
        file.extend_from_slice(&typ.to_le_bytes());
        file.extend_from_slice(&1u32.to_le_bytes());
        file.extend_from_slice(&v.to_le_bytes());
    }
    file.extend_from_slice(&0u32.to_le_bytes());
    let img = registry().decode(&file, &dopts()).unwrap();
    assert_eq!(img.as_bytes(), &raw[..(w * h) as usize]);
}

#[test]
fn malformed_packed_files_give_clear_errors() {
    let reg = registry();
    let (w, h) = (40u32, 30u32);
    let vals = values((w * h) as usize, 12, false, 9);
    let shape = Shape {
        tile: None,
        rows_per_strip: 8,
        planar: false,
        predictor: true,
        compression: 1,
    };
    let file = build(w, h, 1, 12, false, &vals, shape);
    // Every truncation is an error, never a panic.
    for cut in (0..file.len()).step_by(7) {
        assert!(reg.decode(&file[..cut], &dopts()).is_err(), "cut at {cut}");
    }
    // A strip cut short inside the file.
    let zshape = Shape {
        compression: 50000,
        ..shape
    };
    let z = build(w, h, 1, 12, false, &vals, zshape);
    assert!(reg.decode(&z, &dopts()).unwrap() == expected(w, h, Layout::Gray, 12, false, &vals));
    let mut bad = z.clone();
    // Corrupt the first frame's content.
    for b in bad[12..40].iter_mut() {
        *b ^= 0xA5;
    }
    let e = reg.decode(&bad, &dopts()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
}

#[test]
fn huge_12bit_claims_are_limits_errors() {
    // 16 x 16 pixels of data, but the header claims 100000 x 100000 (20 GB as U16).
    let vals = values(16 * 16, 12, false, 3);
    let shape = Shape {
        tile: None,
        rows_per_strip: 16,
        planar: false,
        predictor: false,
        compression: 1,
    };
    let mut file = build(16, 16, 1, 12, false, &vals, shape);
    // Patch ImageWidth, ImageLength and RowsPerStrip (LONG values) in the IFD.
    let ifd = u32::from_le_bytes(file[4..8].try_into().unwrap()) as usize;
    let n = u16::from_le_bytes([file[ifd], file[ifd + 1]]) as usize;
    let mut patched = 0;
    for k in 0..n {
        let e = ifd + 2 + k * 12;
        if matches!(u16::from_le_bytes([file[e], file[e + 1]]), 256 | 257 | 278) {
            file[e + 8..e + 12].copy_from_slice(&100_000u32.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 3);
    let reg = registry();
    let info = reg.probe(&file, &dopts()).unwrap();
    assert_eq!((info.width, info.significant_bits), (100_000, Some(12)));
    let opts = dopts().limits(Limits::default());
    let e = reg.decode(&file, &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limits, "{e}");
}

/// Values tifffile 2026.3.3 reads from corpus files (planes interleaved): the first samples
/// and the sum of all samples. The full comparison against tifffile is in
/// `python/tests/test_tiff_depth.py`.
#[test]
fn corpus_odd_depths_match_tifffile_values() {
    let Some(dir) = std::env::var_os("PIXCODEC_CORPUS")
        .map(std::path::PathBuf::from)
        .or_else(|| Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")))
        .map(|c| c.join("tiff"))
        .filter(|p| p.is_dir())
    else {
        eprintln!("skipping: TIFF corpus not found");
        return;
    };
    let cases: [(&str, &str, &[u64], u64); 6] = [
        (
            "hpredict-1c-12b.tiff",
            "Gray U16",
            &[100, 200, 300, 400, 1000, 2000, 3000, 4000],
            11000,
        ),
        (
            "miniswhite-1c-12b.tiff",
            "Gray U16",
            &[0, 1000, 2000, 4095, 100, 500, 3000, 3500],
            14195,
        ),
        (
            "miniswhite-1c-6b.tiff",
            "Gray U8",
            &[0, 10, 20, 30, 40, 50, 60, 63, 0, 10, 20, 30],
            546,
        ),
        (
            "seq/seq-3c-24b-planar-6296c0c9.tiff",
            "Rgb U32",
            &[0, 100, 200, 1, 101, 201, 2, 102, 202, 3, 103, 203],
            174_720,
        ),
        (
            "12bit.cropped.rgb.tiff",
            "Rgb U16",
            &[8, 8, 8, 9, 9, 9, 0, 0, 0, 0, 0, 0],
            32919,
        ),
        (
            "seq/seq-3c-10b-contig-d08d5dc0.tiff",
            "Rgb U16",
            &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
            294_528,
        ),
    ];
    let reg = registry();
    for (file, format, head, sum) in cases {
        let img = reg
            .read(dir.join(file), &dopts())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(img.format().to_string(), format, "{file}");
        let v: Vec<u64> = match img.format().sample {
            SampleType::U8 => img.to_vec::<u8>().unwrap().into_iter().map(u64::from).collect(),
            SampleType::U16 => img.to_vec::<u16>().unwrap().into_iter().map(u64::from).collect(),
            _ => img.to_vec::<u32>().unwrap().into_iter().map(u64::from).collect(),
        };
        assert_eq!(&v[..head.len()], head, "{file}");
        assert_eq!(v.iter().sum::<u64>(), sum, "{file}");
    }
}
