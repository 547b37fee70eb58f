//! Built-in codec backends, one module each.

use std::sync::Arc;

use crate::codec::Codec;

#[cfg(feature = "tiff")]
pub mod tiff;

/// The built-in codecs enabled by Cargo features.
#[allow(clippy::vec_init_then_push)]
pub fn builtins() -> Vec<Arc<dyn Codec>> {
    #[allow(unused_mut)]
    let mut v: Vec<Arc<dyn Codec>> = Vec::new();
    #[cfg(feature = "tiff")]
    v.push(Arc::new(tiff::TiffCodec::new()));
    v
}
