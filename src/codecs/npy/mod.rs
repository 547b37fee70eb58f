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
//! What the image leaves out of the array is carried in
//! [`Metadata::npy`](crate::Metadata::npy) ([`NpyArray`](crate::metadata::NpyArray)): a
//! channel axis of length 1 (`(H, W, 1)`), a page axis of length 1 (`(1, H, W)`) and the
//! `bool` dtype (`|b1`). Decoding records them; encoding with that metadata writes them back,
//! so a C-ordered native-endian array goes through decode and encode byte-identical. A
//! `bool` fact on samples other than 0 and 1 is an error naming the first; facts the image
//! cannot take (a channel axis on Rgb, `bool` on U16) are reported in
//! [`EncodeReport::metadata_dropped`](crate::EncodeReport::metadata_dropped), as is every
//! other metadata item (npy stores none).
//!
//! Files: `header.rs` (the header dictionary: parsing, geometry, the one writer),
//! `decode.rs`, `encode.rs`; the array facts type and the notes of the codecs that drop them
//! are in `src/metadata/npy.rs`.

mod decode;
mod encode;
mod header;

use crate::codec::{Capabilities, Codec, CodecDescriptor, Decoder, Encoder, Fidelity, Source};
use crate::error::{Error, Result};
use crate::format::Layout;
use crate::format::PixelFormat;
use crate::limits::Limits;
use crate::metadata::{Metadata, MetadataItem, MetadataNote};
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

    /// Every item but the array facts is dropped (npy stores no metadata); the facts are
    /// written, except a channel axis of length 1 on an image with several channels and
    /// `bool` on samples other than U8.
    fn metadata_fit(&self, metadata: &Metadata, format: PixelFormat) -> Vec<MetadataNote> {
        let mut notes: Vec<MetadataNote> = metadata
            .items()
            .into_iter()
            .filter(|i| {
                !i.is_npy()
                    && !matches!(
                        i,
                        MetadataItem::Photometric | MetadataItem::FrameTiming | MetadataItem::LoopCount
                    )
            })
            .map(|i| MetadataNote::new(i, "npy cannot store metadata"))
            .collect();
        notes.extend(metadata.photometric_dropped("npy"));
        notes.extend(metadata.timing_dropped("npy"));
        let facts = metadata.npy;
        if facts.channel_axis && format.channels() != 1 {
            notes.push(MetadataNote::new(
                MetadataItem::NpyChannelAxis,
                format!(
                    "the image is {}, so its channel axis has length {}, not 1",
                    format.layout,
                    format.channels()
                ),
            ));
        }
        if facts.bool_dtype && format.sample != SampleType::U8 {
            notes.push(MetadataNote::new(
                MetadataItem::NpyBool,
                format!(
                    "bool arrays hold U8 0/1 and the samples are {}; they are written as {}",
                    format.sample, format.sample
                ),
            ));
        }
        notes
    }
}
