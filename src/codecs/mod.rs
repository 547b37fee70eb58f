//! Built-in codec backends, one module each.

use std::sync::Arc;

use crate::codec::Codec;

pub mod npy;
#[cfg(feature = "png")]
pub mod png;

/// The built-in codecs enabled by Cargo features.
#[allow(clippy::vec_init_then_push)]
pub fn builtins() -> Vec<Arc<dyn Codec>> {
    let mut v: Vec<Arc<dyn Codec>> = Vec::new();
    #[cfg(feature = "png")]
    v.push(Arc::new(png::PngCodec::new()));
    v.push(Arc::new(npy::NpyCodec::new()));
    v
}
