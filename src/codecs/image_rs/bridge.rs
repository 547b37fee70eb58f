//! What passes between pixcodec and the `image` crate: the input a crate decoder reads,
//! its errors, its colour types, its limits and its metadata, each mapped without
//! converting any pixel.

use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom};

use image::{ColorType, ExtendedColorType, ImageDecoder, ImageError};

use crate::codec::ReadSeek;
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::info::Metadata;
use crate::limits::Limits;
use crate::sample::SampleType;

/// The input of a decoder: a borrowed slice (no copy), owned bytes, or a buffered stream.
pub(super) enum Input<'a> {
    Slice(Cursor<&'a [u8]>),
    Owned(Cursor<Vec<u8>>),
    Stream(BufReader<Box<dyn ReadSeek + 'a>>),
}

impl Read for Input<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Input::Slice(c) => c.read(buf),
            Input::Owned(c) => c.read(buf),
            Input::Stream(r) => r.read(buf),
        }
    }
}

impl BufRead for Input<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        match self {
            Input::Slice(c) => c.fill_buf(),
            Input::Owned(c) => c.fill_buf(),
            Input::Stream(r) => r.fill_buf(),
        }
    }
    fn consume(&mut self, amt: usize) {
        match self {
            Input::Slice(c) => c.consume(amt),
            Input::Owned(c) => c.consume(amt),
            Input::Stream(r) => r.consume(amt),
        }
    }
}

impl Seek for Input<'_> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        match self {
            Input::Slice(c) => c.seek(pos),
            Input::Owned(c) => c.seek(pos),
            Input::Stream(r) => r.seek(pos),
        }
    }
}

/// The crate's single-image decoder for one format, over the decoder's input.
pub(super) type CrateDecoderFn = for<'r, 'a> fn(&'r mut Input<'a>) -> image::ImageResult<Box<dyn ImageDecoder + 'r>>;

/// Boxes a crate decoder (the rows of the format table build theirs with it).
pub(super) fn boxed<'r, D: ImageDecoder + 'r>(
    d: image::ImageResult<D>,
) -> image::ImageResult<Box<dyn ImageDecoder + 'r>> {
    Ok(Box::new(d?))
}

/// Maps an `image` crate error raised while decoding.
pub(super) fn map_err(codec: &str, e: ImageError) -> Error {
    match e {
        ImageError::Limits(l) => Error::Limits(format!("{codec}: {l}")),
        ImageError::Unsupported(u) => Error::Unsupported(format!("{codec}: {u}")),
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::decode(codec, "truncated file: the data ends early")
        }
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::InvalidData => Error::decode(codec, io),
        ImageError::IoError(io) => Error::Io(io),
        ImageError::Encoding(x) => Error::encode(codec, x),
        other => Error::decode(codec, other),
    }
}

/// Maps an `image` crate error raised while encoding.
pub(super) fn map_enc_err(codec: &str, e: ImageError) -> Error {
    match e {
        ImageError::Unsupported(u) => Error::Unsupported(format!("{codec}: {u}")),
        ImageError::IoError(io) => Error::Io(io),
        other => Error::encode(codec, other),
    }
}

/// Our pixel format for the crate's output type; nothing is converted.
pub(super) fn pixel_format(codec: &str, c: ColorType) -> Result<PixelFormat> {
    use Layout::*;
    use SampleType::*;
    let (l, s) = match c {
        ColorType::L8 => (Gray, U8),
        ColorType::La8 => (GrayAlpha, U8),
        ColorType::Rgb8 => (Rgb, U8),
        ColorType::Rgba8 => (Rgba, U8),
        ColorType::L16 => (Gray, U16),
        ColorType::La16 => (GrayAlpha, U16),
        ColorType::Rgb16 => (Rgb, U16),
        ColorType::Rgba16 => (Rgba, U16),
        ColorType::Rgb32F => (Rgb, F32),
        ColorType::Rgba32F => (Rgba, F32),
        other => {
            return Err(Error::Unsupported(format!(
                "{codec}: the image crate produced {other:?}, which has no pixcodec pixel format"
            )))
        }
    };
    Ok(PixelFormat::new(l, s))
}

/// The crate's colour type for one of our pixel formats, when it has one.
pub(super) fn color_type(format: PixelFormat) -> Option<ExtendedColorType> {
    use Layout::*;
    use SampleType::*;
    Some(match (format.layout, format.sample) {
        (Gray, U8) => ExtendedColorType::L8,
        (GrayAlpha, U8) => ExtendedColorType::La8,
        (Rgb, U8) => ExtendedColorType::Rgb8,
        (Rgba, U8) => ExtendedColorType::Rgba8,
        (Gray, U16) => ExtendedColorType::L16,
        (GrayAlpha, U16) => ExtendedColorType::La16,
        (Rgb, U16) => ExtendedColorType::Rgb16,
        (Rgba, U16) => ExtendedColorType::Rgba16,
        _ => return None,
    })
}

/// Our limits as the crate's.
pub(super) fn crate_limits(limits: &Limits) -> image::Limits {
    let mut l = image::Limits::no_limits();
    l.max_image_width = Some(limits.max_width);
    l.max_image_height = Some(limits.max_height);
    l.max_alloc = Some(limits.max_alloc_bytes);
    l
}

/// ICC profile, EXIF and orientation as the crate decoder reports them.
pub(super) fn metadata(d: &mut dyn ImageDecoder) -> Metadata {
    // Metadata is optional: a broken ICC or EXIF block does not stop the pixels.
    let mut m = Metadata {
        icc_profile: d.icc_profile().ok().flatten(),
        exif: d.exif_metadata().ok().flatten(),
        ..Metadata::default()
    };
    if m.exif.is_some() {
        m.orientation = d.orientation().ok().map(|o| o.to_exif() as u16);
    }
    m
}
