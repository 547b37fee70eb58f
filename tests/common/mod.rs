//! Shared helpers for the integration tests.
#![allow(dead_code)]

use pixcodec::{Image, PixelFormat};

/// The conformance corpus (`../shared/corpus`, or `$PIXCODEC_CORPUS`), or None with a message.
pub fn corpus_dir() -> Option<std::path::PathBuf> {
    let p = std::env::var_os("PIXCODEC_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: corpus not found at {}", p.display());
        None
    }
}

/// A deterministic pseudo-random image (xorshift), with finite values for floats.
pub fn random_image(width: u32, height: u32, format: PixelFormat, seed: u64) -> Image {
    let mut img = Image::new(width, height, format).unwrap();
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let size = format.sample.size();
    for y in 0..height {
        for chunk in img.row_mut(y).chunks_exact_mut(size) {
            let r = next();
            match format.sample {
                pixcodec::SampleType::F32 => {
                    let v = ((r >> 11) as f64 / (1u64 << 53) as f64 * 2000.0 - 1000.0) as f32;
                    chunk.copy_from_slice(&v.to_ne_bytes())
                }
                pixcodec::SampleType::F64 => {
                    let v = (r >> 11) as f64 / (1u64 << 53) as f64 * 2e6 - 1e6;
                    chunk.copy_from_slice(&v.to_ne_bytes())
                }
                _ => chunk.copy_from_slice(&r.to_ne_bytes()[..size]),
            }
        }
    }
    img
}

/// Copies `img` into a buffer whose rows carry `pad` extra bytes filled with 0xA5.
pub fn padded_copy(img: &Image, pad: usize) -> (Vec<u8>, usize) {
    let stride = img.row_bytes() + pad * img.format().sample.size();
    let mut buf = vec![0xA5u8; stride * img.height() as usize];
    for y in 0..img.height() {
        let s = y as usize * stride;
        buf[s..s + img.row_bytes()].copy_from_slice(img.row(y));
    }
    (buf, stride)
}
