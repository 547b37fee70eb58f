//! Built-in codec backends, one module each.

use std::sync::Arc;

use crate::codec::Codec;

#[cfg(feature = "image-rs")]
pub mod image_rs;
#[cfg(feature = "jpeg-turbo")]
pub mod jpeg_turbo;
pub mod npy;
#[cfg(feature = "png")]
pub mod png;
#[cfg(feature = "tiff")]
pub mod tiff;

/// The built-in codecs enabled by Cargo features.
#[allow(clippy::vec_init_then_push)]
pub fn builtins() -> Vec<Arc<dyn Codec>> {
    let mut v: Vec<Arc<dyn Codec>> = Vec::new();
    #[cfg(feature = "png")]
    v.push(Arc::new(png::PngCodec::new()));
    #[cfg(feature = "jpeg-turbo")]
    v.push(Arc::new(jpeg_turbo::JpegTurboCodec::new()));
    #[cfg(feature = "tiff")]
    v.push(Arc::new(tiff::TiffCodec::new()));
    v.push(Arc::new(npy::NpyCodec::new()));
    #[cfg(feature = "image-rs")]
    for c in image_rs::ImageRsCodec::all() {
        v.push(Arc::new(c));
    }
    v
}
