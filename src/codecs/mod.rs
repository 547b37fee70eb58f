//! Built-in codec backends, one module each.

use std::sync::Arc;

use crate::codec::Codec;

#[cfg(feature = "image-rs")]
pub mod image_rs;
pub mod npy;

/// The built-in codecs enabled by Cargo features.
pub fn builtins() -> Vec<Arc<dyn Codec>> {
    #[allow(unused_mut)]
    let mut v: Vec<Arc<dyn Codec>> = Vec::new();
    v.push(Arc::new(npy::NpyCodec::new()));
    #[cfg(feature = "image-rs")]
    for c in image_rs::ImageRsCodec::all() {
        v.push(Arc::new(c));
    }
    v
}
