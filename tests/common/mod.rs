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

/// A deterministic pseudo-random image (the conformance kit's generator; floats stay finite).
pub fn random_image(width: u32, height: u32, format: PixelFormat, seed: u64) -> Image {
    pixcodec::testkit::generate(width, height, format, seed)
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

/// A `tiff` crate decode result as native-endian bytes, for the differential TIFF tests
/// (every result type has a pixcodec counterpart since `F16`; `Option` keeps the callers'
/// signature).
pub fn tiff_crate_bytes(result: tiff::decoder::DecodingResult) -> Option<Vec<u8>> {
    use tiff::decoder::DecodingResult as D;
    Some(match result {
        D::U8(v) => v,
        D::U16(v) => bytemuck::cast_slice(&v).to_vec(),
        D::U32(v) => bytemuck::cast_slice(&v).to_vec(),
        D::U64(v) => bytemuck::cast_slice(&v).to_vec(),
        D::I8(v) => bytemuck::cast_slice(&v).to_vec(),
        D::I16(v) => bytemuck::cast_slice(&v).to_vec(),
        D::I32(v) => bytemuck::cast_slice(&v).to_vec(),
        D::I64(v) => bytemuck::cast_slice(&v).to_vec(),
        D::F32(v) => bytemuck::cast_slice(&v).to_vec(),
        D::F64(v) => bytemuck::cast_slice(&v).to_vec(),
        D::F16(v) => bytemuck::cast_slice::<pixcodec::f16, u8>(&v).to_vec(),
    })
}
