//! Built-in codec backends, one module each.

use std::sync::Arc;

use crate::codec::Codec;

#[cfg(feature = "jpeg-turbo")]
pub mod jpeg_turbo;

/// The built-in codecs enabled by Cargo features.
#[allow(clippy::vec_init_then_push)]
pub fn builtins() -> Vec<Arc<dyn Codec>> {
    #[allow(unused_mut)]
    let mut v: Vec<Arc<dyn Codec>> = Vec::new();
    #[cfg(feature = "jpeg-turbo")]
    v.push(Arc::new(jpeg_turbo::JpegTurboCodec::new()));
    v
}
