//! NumPy `.npy` arrays as an exact image format: the lossless bridge to Python.
//!
//! Reading accepts format versions 1.0, 2.0 and 3.0, little- and big-endian data, C and
//! Fortran order, and the dtypes `u1 u2 u4 u8 i1 i2 i4 i8 f4 f8` plus `b1` (bool, read as
//! U8 0/1). Shapes map to images as follows:
//!
//! | shape | image |
//! |---|---|
//! | `(H, W)` | one Gray page |
//! | `(H, W, C)` with `C` in 1..=4 | one page: Gray, GrayAlpha, Rgb, Rgba |
//! | `(N, H, W)` with `W > 4` | N Gray pages |
//! | `(N, H, W, C)` with `C` in 1..=4 | N pages |
//!
//! A 3-D shape whose last axis is 1..=4 is read as channels. Writing produces version 1.0
//! (2.0 when the header needs it), native byte order, C order, with the header laid out
//! byte for byte as `numpy.save` writes it; Gray stacks whose width is at most 4 are
//! written as `(N, H, W, 1)` so that reading them back is unambiguous. CMYK has no
//! `.npy` meaning and is refused.
//!
//! Files: `header.rs` (the header dictionary: parsing, geometry, the one writer),
//! `decode.rs`, `encode.rs`.

mod decode;
mod encode;
mod header;

use crate::codec::{Capabilities, Codec, CodecDescriptor, Decoder, Encoder, Fidelity, Source};
use crate::error::{Error, Result};
use crate::format::Layout;
use crate::limits::Limits;
use crate::sample::SampleType;

pub(crate) use header::header_bytes;

const NAME: &str = "npy";
const MAGIC: &[u8] = b"\x93NUMPY";
const LAYOUTS: [Layout; 4] = [Layout::Gray, Layout::GrayAlpha, Layout::Rgb, Layout::Rgba];

/// The `.npy` codec (exact, multi-page).
pub struct NpyCodec {
    descriptor: CodecDescriptor,
    capabilities: Capabilities,
}

impl NpyCodec {
    /// Creates the codec.
    pub fn new() -> Self {
        NpyCodec {
            descriptor: CodecDescriptor::new(
                NAME,
                "npy",
                "NumPy .npy arrays (exact, all integer and float sample types)",
                &["npy"],
                &["application/x-npy"],
                &[MAGIC],
                100,
            ),
            capabilities: Capabilities {
                decode: Capabilities::grid(&LAYOUTS, &SampleType::ALL, Fidelity::Exact),
                encode: Capabilities::grid(&LAYOUTS, &SampleType::ALL, Fidelity::Exact),
                multi_page_encode: true,
                multi_page_decode: true,
            },
        }
    }
}

impl Default for NpyCodec {
    fn default() -> Self {
        Self::new()
    }
}

fn bad(msg: impl std::fmt::Display) -> Error {
    Error::decode(NAME, msg)
}

impl Codec for NpyCodec {
    fn descriptor(&self) -> &CodecDescriptor {
        &self.descriptor
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn decoder<'a>(&self, source: Source<'a>, limits: &Limits) -> Result<Box<dyn Decoder + 'a>> {
        Ok(Box::new(decode::NpyDecoder::open(source, limits)?))
    }

    fn encoder(&self) -> Result<Box<dyn Encoder>> {
        Ok(Box::new(encode::NpyEncoder))
    }

    fn reusable_encoder(&self) -> bool {
        true
    }
}
