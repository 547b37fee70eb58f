//! Palette TIFFs (PhotometricInterpretation 3) decode as palette PNGs do: `Rgb` with the
//! ColorMap's values, `U8` (entry / 257) when every entry is a multiple of 257, else `U16`.
//! Files are written by hand here (the `tiff` crate does not write palettes); tifffile and
//! Pillow check the same in `python/tests/test_tiff_palette.py`.
#![cfg(feature = "tiff")]

use pixcodec::{DecodeOptions, ErrorKind, Layout, PixelFormat, Registry, SampleType};

/// A little-endian TIFF of one uncompressed strip: `bits`-bit indices (MSB first, rows padded
/// to a byte; 16-bit little-endian), `spp` samples per pixel and the given ColorMap.
fn palette_tiff(w: u32, h: u32, bits: u32, spp: u32, idx: &[u32], colormap: &[u16]) -> Vec<u8> {
    let row_bits = (w * spp * bits) as usize;
    let row_bytes = row_bits.div_ceil(8);
    let mut strip = vec![0u8; row_bytes * h as usize];
    for y in 0..h as usize {
        for x in 0..(w * spp) as usize {
            let v = idx[y * (w * spp) as usize + x];
            if bits == 16 {
                strip[y * row_bytes + 2 * x..][..2].copy_from_slice(&(v as u16).to_le_bytes());
                continue;
            }
            for b in 0..bits as usize {
                if (v >> (bits as usize - 1 - b)) & 1 == 1 {
                    let p = x * bits as usize + b;
                    strip[y * row_bytes + p / 8] |= 0x80 >> (p % 8);
                }
            }
        }
    }
    let mut out = b"II*\0".to_vec();
    let strip_at = 8u32;
    let map_at = strip_at + strip.len() as u32;
    let ifd_at = map_at + 2 * colormap.len() as u32;
    out.extend_from_slice(&ifd_at.to_le_bytes());
    out.extend_from_slice(&strip);
    colormap.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
    // (tag, type, count, value): type 3 SHORT, 4 LONG.
    let entries: [(u16, u16, u32, u32); 10] = [
        (256, 4, 1, w),
        (257, 4, 1, h),
        (258, 3, 1, bits),
        (259, 3, 1, 1),
        (262, 3, 1, 3),
        (273, 4, 1, strip_at),
        (277, 3, 1, spp),
        (278, 4, 1, h),
        (279, 4, 1, strip.len() as u32),
        (320, 3, colormap.len() as u32, map_at),
    ];
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, ty, count, value) in entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&ty.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        if ty == 3 && count == 1 {
            out.extend_from_slice(&(value as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
        } else {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out
}

fn lcg(n: usize, seed: u32, modulo: u32) -> Vec<u32> {
    let mut s = seed.wrapping_mul(2_654_435_761) | 1;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) % modulo
        })
        .collect()
}

#[test]
fn palette_pages_expand_to_the_colour_map() {
    let reg = Registry::global();
    let (w, h) = (13u32, 7u32);
    for bits in [1u32, 2, 4, 8, 16] {
        let n = 1usize << bits;
        let idx = lcg((w * h) as usize, bits, n as u32);
        for eight_bit in [true, false] {
            let mut map: Vec<u16> = lcg(3 * n, bits + 100, 65536).into_iter().map(|v| v as u16).collect();
            if eight_bit {
                map.iter_mut().for_each(|v| *v = (*v >> 8) * 257);
            }
            let file = palette_tiff(w, h, bits, 1, &idx, &map);
            let info = reg.probe(&file, &DecodeOptions::new()).unwrap();
            let sample = if eight_bit { SampleType::U8 } else { SampleType::U16 };
            assert_eq!(info.format, PixelFormat::new(Layout::Rgb, sample), "{bits} bits");
            assert_eq!(info.significant_bits, None);
            let img = reg.decode(&file, &DecodeOptions::new()).unwrap();
            let colour = |i: u32, c: usize| map[c * n + i as usize];
            if eight_bit {
                let want: Vec<u8> = idx
                    .iter()
                    .flat_map(|&i| (0..3).map(move |c| (colour(i, c) / 257) as u8))
                    .collect();
                assert_eq!(img.to_vec::<u8>().unwrap(), want, "{bits} bits, U8");
            } else {
                let want: Vec<u16> = idx.iter().flat_map(|&i| (0..3).map(move |c| colour(i, c))).collect();
                assert_eq!(img.to_vec::<u16>().unwrap(), want, "{bits} bits, U16");
            }
        }
    }
}

#[test]
fn malformed_palettes_are_refused() {
    let reg = Registry::global();
    let idx = vec![0u32; 4];
    // A ColorMap of the wrong length.
    let file = palette_tiff(2, 2, 2, 1, &idx, &[0u16; 6]);
    let e = reg.decode(&file, &DecodeOptions::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert!(e.to_string().contains("ColorMap of 6 entries"), "{e}");
    // Two samples per pixel.
    let file = palette_tiff(2, 2, 8, 2, &[0u32; 8], &[0u16; 768]);
    let e = reg.decode(&file, &DecodeOptions::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.to_string().contains("palette image with 2 sample(s)"), "{e}");
}
