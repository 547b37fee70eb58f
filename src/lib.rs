//! # pixcodec
//!
//! Exact image codecs behind one registry. Decoding returns the samples the file holds,
//! at the file's own depth and sample type; encoding never narrows, clips, rescales or
//! drops channels behind your back, and tells you whether the result is exact.

#![deny(missing_docs)]

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub mod codec;
pub mod codecs;
pub mod compare;
pub mod convert;
pub mod error;
pub mod format;
pub mod image;
pub mod info;
pub mod io;
pub mod limits;
mod memcopy;
pub mod metadata;
pub mod ml;
pub mod options;
mod parallel;
pub mod registry;
pub mod sample;
pub mod testkit;

pub use codec::{
    Capabilities, Capability, Codec, CodecDescriptor, DctMethod, Decoder, EncodeReport, Encoder, Fidelity, Signature,
    Source, Verification,
};
pub use error::{Error, ErrorKind, Result};
pub use format::{Layout, PixelFormat};
/// IEEE-754 half precision, the Rust type of [`SampleType::F16`] samples (re-exported from the
/// `half` crate, so callers need no direct dependency on it).
pub use half::f16;
pub use image::{Image, ImageMut, ImageRef, Volume};
pub use info::{ImageInfo, Metadata};
pub use io::{
    decode, decode_into, decode_pages, encode, encode_into, encode_to, probe, read, read_from, read_pages, write,
    write_pages, DecodeOptions, Encoded,
};
pub use limits::Limits;
pub use metadata::{MetadataItem, MetadataNote, MetadataPolicy, Resolution, ResolutionUnit, TextEntry};
pub use options::{EncodeOptions, OptionKind, OptionSpec, OptionValue, ResolvedOptions};
pub use registry::Registry;
pub use sample::{Sample, SampleType};
