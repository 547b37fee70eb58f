//! Fallback codecs built on the pure-Rust [`image`] crate (0.25), registered below the
//! built-ins (priority [`PRIORITY`]): `bmp-image-rs`, `gif-image-rs`, `pnm-image-rs`,
//! `qoi-image-rs`, `webp-image-rs` and the decode-only `jpeg-image-rs`.
//!
//! What the `image` crate would change silently is kept out:
//! - decoders hand over the crate's own output type without converting it (L8 → Gray U8,
//!   La8 → GrayAlpha U8, Rgb8 → Rgb U8, Rgba8 → Rgba U8, L16/La16/Rgb16/Rgba16 → U16,
//!   Rgb32F/Rgba32F → F32);
//! - PNM files whose maxval is not 255 or 65535 would be rescaled by the crate to the full
//!   8/16-bit range; they are read here with their own values instead (maxval ≤ 255 → U8,
//!   else U16). PBM (and PAM `BLACKANDWHITE`) bits become Gray U8 with black = 0 and
//!   white = 255, the crate's rendering of a 1-bit image;
//! - JPEGs with four components (CMYK/YCCK), which the crate converts to RGB, and JPEGs
//!   with a precision other than 8 bits are refused with [`Error::Unsupported`];
//! - a GIF page is the composited canvas a viewer shows after that frame: full logical
//!   screen size, Rgba U8, transparent black where nothing was drawn yet, frame disposal as
//!   the `image` crate applies it. Animated WebP pages are composited the same way (Rgb U8
//!   when the file has no alpha);
//! - `webp-image-rs` reports [`ImageInfo::lossy_source`] when the file holds a VP8 (lossy)
//!   bitstream, read from the RIFF chunks, and encodes only lossless VP8L;
//! - `gif-image-rs` encodes by quantising to a 256-colour palette and says so (Lossy).
//!
//! Every encode table lists only what was shown to round-trip (see `tests/image_rs.rs`).

mod scan;

use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom, Write};

use image::{AnimationDecoder, ColorType, ExtendedColorType, ImageDecoder, ImageEncoder, ImageError};

use crate::codec::{Capabilities, Capability, Codec, CodecDescriptor, Decoder, Encoder, Fidelity, ReadSeek, Source};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::{ImageMut, ImageRef};
use crate::info::{ImageInfo, Metadata};
use crate::limits::Limits;
use crate::options::ResolvedOptions;
use crate::sample::SampleType;

/// Priority of every `image`-crate codec (the built-ins use 100).
pub const PRIORITY: i32 = 10;

/// The formats this module wraps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageRsFormat {
    /// Windows bitmap.
    Bmp,
    /// GIF, every frame as a page.
    Gif,
    /// PBM / PGM / PPM / PAM.
    Pnm,
    /// Quite OK Image format.
    Qoi,
    /// WebP (decode lossy and lossless; encode lossless).
    WebP,
    /// JPEG decode (zune-jpeg); below `jpeg-turbo`.
    Jpeg,
}

impl ImageRsFormat {
    /// Every wrapped format.
    pub const ALL: [ImageRsFormat; 6] = [
        ImageRsFormat::Bmp,
        ImageRsFormat::Gif,
        ImageRsFormat::Pnm,
        ImageRsFormat::Qoi,
        ImageRsFormat::WebP,
        ImageRsFormat::Jpeg,
    ];

    /// The codec name (`bmp-image-rs`, …).
    pub const fn codec_name(self) -> &'static str {
        match self {
            ImageRsFormat::Bmp => "bmp-image-rs",
            ImageRsFormat::Gif => "gif-image-rs",
            ImageRsFormat::Pnm => "pnm-image-rs",
            ImageRsFormat::Qoi => "qoi-image-rs",
            ImageRsFormat::WebP => "webp-image-rs",
            ImageRsFormat::Jpeg => "jpeg-image-rs",
        }
    }
}

fn u8f(layout: Layout) -> PixelFormat {
    PixelFormat::new(layout, SampleType::U8)
}

fn rows(formats: &[PixelFormat], fidelity: Fidelity) -> Vec<Capability> {
    formats.iter().map(|&format| Capability { format, fidelity }).collect()
}

/// One `image`-crate backend.
pub struct ImageRsCodec {
    format: ImageRsFormat,
    descriptor: CodecDescriptor,
    capabilities: Capabilities,
}

impl ImageRsCodec {
    /// The codec for one format.
    pub fn new(format: ImageRsFormat) -> Self {
        use Layout::*;
        use SampleType::*;
        let name = format.codec_name();
        let (descriptor, decode, encode, multi_enc, multi_dec) = match format {
            ImageRsFormat::Bmp => (
                CodecDescriptor::new(
                    name,
                    "bmp",
                    "BMP through the image crate (decodes to Rgb/Rgba U8; encodes Rgb/Rgba U8 exactly)",
                    &["bmp", "dib"],
                    &["image/bmp", "image/x-bmp"],
                    &[b"BM"],
                    PRIORITY,
                ),
                rows(&[u8f(Rgb), u8f(Rgba)], Fidelity::Exact),
                rows(&[u8f(Rgb), u8f(Rgba)], Fidelity::Exact),
                false,
                false,
            ),
            ImageRsFormat::Gif => (
                CodecDescriptor::new(
                    name,
                    "gif",
                    "GIF through the image crate: every frame a composited Rgba U8 page; encodes Rgba U8 by quantising (lossy)",
                    &["gif"],
                    &["image/gif"],
                    &[b"GIF87a", b"GIF89a"],
                    PRIORITY,
                ),
                rows(&[u8f(Rgba)], Fidelity::Exact),
                rows(&[u8f(Rgba)], Fidelity::Lossy),
                true,
                true,
            ),
            ImageRsFormat::Pnm => {
                let all = Capabilities::grid(&[Gray, GrayAlpha, Rgb, Rgba], &[U8, U16], Fidelity::Exact);
                (
                    CodecDescriptor::new(
                        name,
                        "pnm",
                        "PBM/PGM/PPM/PAM through the image crate, 8 and 16 bit, values kept as stored",
                        &["pnm", "pbm", "pgm", "ppm", "pam"],
                        &[
                            "image/x-portable-anymap",
                            "image/x-portable-bitmap",
                            "image/x-portable-graymap",
                            "image/x-portable-pixmap",
                        ],
                        &[],
                        PRIORITY,
                    ),
                    all.clone(),
                    all,
                    false,
                    false,
                )
            }
            ImageRsFormat::Qoi => (
                CodecDescriptor::new(
                    name,
                    "qoi",
                    "QOI through the image crate (Rgb/Rgba U8, exact)",
                    &["qoi"],
                    &["image/qoi", "image/x-qoi"],
                    &[b"qoif"],
                    PRIORITY,
                ),
                rows(&[u8f(Rgb), u8f(Rgba)], Fidelity::Exact),
                rows(&[u8f(Rgb), u8f(Rgba)], Fidelity::Exact),
                false,
                false,
            ),
            ImageRsFormat::WebP => {
                let mut d = CodecDescriptor::new(
                    name,
                    "webp",
                    "WebP through the image crate: decodes lossy and lossless (lossy_source set for VP8); encodes lossless only",
                    &["webp"],
                    &["image/webp"],
                    &[],
                    PRIORITY,
                );
                d.signatures.push(crate::codec::Signature {
                    offset: 0,
                    bytes: b"RIFF\0\0\0\0WEBP".to_vec(),
                    mask: Some(vec![0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]),
                });
                (
                    d,
                    rows(&[u8f(Rgb), u8f(Rgba)], Fidelity::Exact),
                    rows(&[u8f(Rgb), u8f(Rgba)], Fidelity::Exact),
                    false,
                    true,
                )
            }
            ImageRsFormat::Jpeg => (
                CodecDescriptor::new(
                    name,
                    "jpeg",
                    "JPEG decoding through the image crate (zune-jpeg), 8-bit gray and colour; CMYK refused",
                    &["jpg", "jpeg", "jpe", "jfif"],
                    &["image/jpeg"],
                    &[b"\xFF\xD8\xFF"],
                    PRIORITY,
                ),
                rows(&[u8f(Gray), u8f(Rgb)], Fidelity::Lossy),
                Vec::new(),
                false,
                false,
            ),
        };
        ImageRsCodec {
            format,
            descriptor,
            capabilities: Capabilities {
                decode,
                encode,
                multi_page_encode: multi_enc,
                multi_page_decode: multi_dec,
            },
        }
    }

    /// Which format this codec wraps.
    pub fn format(&self) -> ImageRsFormat {
        self.format
    }

    /// One codec per wrapped format.
    pub fn all() -> Vec<ImageRsCodec> {
        ImageRsFormat::ALL.into_iter().map(ImageRsCodec::new).collect()
    }
}

impl Codec for ImageRsCodec {
    fn descriptor(&self) -> &CodecDescriptor {
        &self.descriptor
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn sniff(&self, head: &[u8]) -> bool {
        match self.format {
            // `P1`..`P7` followed by whitespace.
            ImageRsFormat::Pnm => {
                head.len() >= 3 && head[0] == b'P' && (b'1'..=b'7').contains(&head[1]) && head[2].is_ascii_whitespace()
            }
            _ => self.descriptor.signatures.iter().any(|s| s.matches(head)),
        }
    }

    fn decoder<'a>(&self, source: Source<'a>, limits: &Limits) -> Result<Box<dyn Decoder + 'a>> {
        let name = self.format.codec_name();
        let input = match source {
            Source::Bytes(b) => Input::Slice(Cursor::new(b)),
            Source::Reader(r) if self.format == ImageRsFormat::Jpeg => {
                // The crate's JPEG decoder reads the whole input; do it here, within the limits.
                let bytes = Source::Reader(r).into_bytes(limits)?.into_owned();
                Input::Owned(Cursor::new(bytes))
            }
            Source::Reader(r) => Input::Stream(BufReader::with_capacity(1 << 16, r)),
        };
        match self.format {
            ImageRsFormat::Gif => AnimDecoder::open_gif(input, limits).map(|d| Box::new(d) as Box<dyn Decoder>),
            ImageRsFormat::WebP => {
                let mut input = input;
                let facts = scan::webp_facts(&mut input, name, limits)?;
                if facts.frames > 1 {
                    AnimDecoder::open_webp(input, facts, limits).map(|d| Box::new(d) as Box<dyn Decoder>)
                } else {
                    StillDecoder::open(self.format, input, limits, facts.lossy).map(|d| Box::new(d) as Box<dyn Decoder>)
                }
            }
            ImageRsFormat::Jpeg => {
                let mut input = input;
                let frame = match &input {
                    Input::Slice(c) => scan::jpeg_frame(c.get_ref(), name)?,
                    Input::Owned(c) => scan::jpeg_frame(c.get_ref(), name)?,
                    Input::Stream(_) => {
                        let mut v = Vec::new();
                        input.read_to_end(&mut v)?;
                        scan::jpeg_frame(&v, name)?
                    }
                };
                if frame.components == 4 {
                    return Err(Error::Unsupported(
                        "jpeg-image-rs: this JPEG has 4 components (CMYK or YCCK); the image crate would convert it \
                         to RGB silently, which pixcodec does not do. Decode it with jpeg-turbo, which returns Cmyk U8"
                            .into(),
                    ));
                }
                if frame.components != 1 && frame.components != 3 {
                    return Err(Error::Unsupported(format!(
                        "jpeg-image-rs: JPEGs with {} components are not supported (1 or 3)",
                        frame.components
                    )));
                }
                if !frame.complete {
                    return Err(Error::decode(
                        name,
                        "truncated file: no end-of-image marker after the scan data",
                    ));
                }
                if frame.precision != 8 {
                    return Err(Error::Unsupported(format!(
                        "jpeg-image-rs: {}-bit JPEG samples are not supported (8-bit only); use jpeg-turbo",
                        frame.precision
                    )));
                }
                let lossless = matches!(frame.marker, 0xC3 | 0xC7 | 0xCB | 0xCF);
                StillDecoder::open(self.format, input, limits, !lossless).map(|d| Box::new(d) as Box<dyn Decoder>)
            }
            _ => StillDecoder::open(self.format, input, limits, false).map(|d| Box::new(d) as Box<dyn Decoder>),
        }
    }

    fn encoder(&self) -> Result<Box<dyn Encoder>> {
        if self.capabilities.encode.is_empty() {
            return Err(Error::Unsupported(format!(
                "codec {} decodes only; encode JPEG with jpeg-turbo",
                self.descriptor.name
            )));
        }
        Ok(Box::new(ImageRsEncoder { format: self.format }))
    }
}

/// The input of a decoder: a borrowed slice (no copy), owned bytes, or a buffered stream.
enum Input<'a> {
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

/// Maps an `image` crate error to ours.
fn map_err(codec: &str, e: ImageError) -> Error {
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

/// Our pixel format for the crate's output type; nothing is converted.
fn pixel_format(codec: &str, c: ColorType) -> Result<PixelFormat> {
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

fn crate_limits(limits: &Limits) -> image::Limits {
    let mut l = image::Limits::no_limits();
    l.max_image_width = Some(limits.max_width);
    l.max_image_height = Some(limits.max_height);
    l.max_alloc = Some(limits.max_alloc_bytes);
    l
}

/// Opens the crate's decoder for a still format over any reader.
fn open_still<'r, R: BufRead + Seek + 'r>(
    format: ImageRsFormat,
    r: R,
) -> image::ImageResult<Box<dyn ImageDecoder + 'r>> {
    use image::codecs::*;
    Ok(match format {
        ImageRsFormat::Bmp => Box::new(bmp::BmpDecoder::new(r)?),
        ImageRsFormat::Pnm => Box::new(pnm::PnmDecoder::new(r)?),
        ImageRsFormat::Qoi => Box::new(qoi::QoiDecoder::new(r)?),
        ImageRsFormat::WebP => Box::new(webp::WebPDecoder::new(r)?),
        ImageRsFormat::Jpeg => Box::new(jpeg::JpegDecoder::new(r)?),
        ImageRsFormat::Gif => Box::new(gif::GifDecoder::new(r)?),
    })
}

fn metadata(d: &mut dyn ImageDecoder) -> Metadata {
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

/// How a PNM raster is read when the crate would rescale it.
#[derive(Debug, Clone, Copy)]
struct RawPnm {
    ascii: bool,
    maxval: u32,
}

/// A single-image decoder: the crate decoder is re-opened over the input for every
/// decode, so `decode_into` may be called more than once.
struct StillDecoder<'a> {
    format: ImageRsFormat,
    input: Input<'a>,
    info: ImageInfo,
    limits: Limits,
    raw_pnm: Option<RawPnm>,
}

impl<'a> StillDecoder<'a> {
    fn open(format: ImageRsFormat, mut input: Input<'a>, limits: &Limits, lossy: bool) -> Result<Self> {
        let name = format.codec_name();
        let raw_pnm = if format == ImageRsFormat::Pnm {
            pnm_raw_mode(&mut input, name)?
        } else {
            None
        };
        input.seek(SeekFrom::Start(0))?;
        let mut d = open_still(format, &mut input).map_err(|e| map_err(name, e))?;
        let (w, h) = d.dimensions();
        let mut pf = pixel_format(name, d.color_type())?;
        if let Some(raw) = raw_pnm {
            pf.sample = if raw.maxval > 255 {
                SampleType::U16
            } else {
                SampleType::U8
            };
        }
        limits.check_image(w, h, pf)?;
        d.set_limits(crate_limits(limits)).map_err(|e| map_err(name, e))?;
        let mut info = ImageInfo::new(w, h, pf, name, format_name(format));
        info.lossy_source = lossy;
        info.metadata = metadata(d.as_mut());
        drop(d);
        Ok(StillDecoder {
            format,
            input,
            info,
            limits: *limits,
            raw_pnm,
        })
    }
}

fn format_name(f: ImageRsFormat) -> &'static str {
    match f {
        ImageRsFormat::Bmp => "bmp",
        ImageRsFormat::Gif => "gif",
        ImageRsFormat::Pnm => "pnm",
        ImageRsFormat::Qoi => "qoi",
        ImageRsFormat::WebP => "webp",
        ImageRsFormat::Jpeg => "jpeg",
    }
}

/// Reads the PNM header with the crate and says whether the raster must be read raw
/// (maxval other than 255/65535, where the crate would rescale). Leaves `input` at 0.
fn pnm_raw_mode(input: &mut Input<'_>, name: &str) -> Result<Option<RawPnm>> {
    use image::codecs::pnm::{ArbitraryTuplType, PnmDecoder, PnmSubtype, SampleEncoding};
    input.seek(SeekFrom::Start(0))?;
    let d = PnmDecoder::new(&mut *input).map_err(|e| map_err(name, e))?;
    let header = d.header();
    let bits = match header.subtype() {
        PnmSubtype::Bitmap(_) => true,
        PnmSubtype::ArbitraryMap => matches!(
            header.as_arbitrary().and_then(|a| a.tupltype.clone()),
            Some(ArbitraryTuplType::BlackAndWhite | ArbitraryTuplType::BlackAndWhiteAlpha)
        ),
        _ => false,
    };
    let maxval = header.maximal_sample();
    let ascii = header.subtype().sample_encoding() == SampleEncoding::Ascii;
    drop(d);
    input.seek(SeekFrom::Start(0))?;
    Ok((!bits && maxval != 255 && maxval != 65535).then_some(RawPnm { ascii, maxval }))
}

impl Decoder for StillDecoder<'_> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn decode_into(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        let info = &self.info;
        out.expect_shape(info.width, info.height, info.format)?;
        let name = self.format.codec_name();
        let packed = info.packed_len();
        self.input.seek(SeekFrom::Start(0))?;
        // Straight into the caller's memory when rows are packed (samples come native-endian).
        let mut temp = Vec::new();
        let buf: &mut [u8] = if out.is_contiguous() {
            out.as_bytes_mut()
        } else {
            self.limits.check_alloc(packed as u64)?;
            temp.try_reserve_exact(packed)
                .map_err(|_| Error::Limits(format!("cannot allocate {packed} bytes")))?;
            temp.resize(packed, 0);
            &mut temp
        };
        if let Some(raw) = self.raw_pnm {
            let d = image::codecs::pnm::PnmDecoder::new(&mut self.input).map_err(|e| map_err(name, e))?;
            let (reader, _) = d.into_inner();
            scan::pnm_raw_samples(reader, raw.ascii, raw.maxval, buf, name)?;
        } else {
            let mut d = open_still(self.format, &mut self.input).map_err(|e| map_err(name, e))?;
            d.set_limits(crate_limits(&self.limits)).map_err(|e| map_err(name, e))?;
            let got = (pixel_format(name, d.color_type())?, d.dimensions(), d.total_bytes());
            if got != (info.format, (info.width, info.height), packed as u64) {
                return Err(Error::decode(name, "the input changed between header and decode"));
            }
            d.read_image_boxed(buf).map_err(|e| map_err(name, e))?;
        }
        if !temp.is_empty() {
            out.copy_from_packed(&temp)?;
        }
        Ok(())
    }
}

/// Pages of an animation (GIF, animated WebP): composited canvases from the crate's
/// frame iterator, pulled in order.
struct AnimDecoder<'a> {
    frames: image::Frames<'a>,
    info: ImageInfo,
    page: u32,
    pulled: u32,
    current: Option<image::RgbaImage>,
}

impl<'a> AnimDecoder<'a> {
    fn open_gif(mut input: Input<'a>, limits: &Limits) -> Result<Self> {
        let name = ImageRsFormat::Gif.codec_name();
        let pages = scan::gif_frame_count(&mut input, name, limits)?;
        input.seek(SeekFrom::Start(0))?;
        let mut d = image::codecs::gif::GifDecoder::new(input).map_err(|e| map_err(name, e))?;
        let (w, h) = d.dimensions();
        let pf = u8f(Layout::Rgba);
        limits.check_image(w, h, pf)?;
        d.set_limits(crate_limits(limits)).map_err(|e| map_err(name, e))?;
        let mut info = ImageInfo::new(w, h, pf, name, "gif");
        info.pages = pages;
        info.metadata = metadata(&mut d);
        Ok(Self::new(d.into_frames(), info))
    }

    fn open_webp(mut input: Input<'a>, facts: scan::WebpFacts, limits: &Limits) -> Result<Self> {
        let name = ImageRsFormat::WebP.codec_name();
        input.seek(SeekFrom::Start(0))?;
        let mut d = image::codecs::webp::WebPDecoder::new(input).map_err(|e| map_err(name, e))?;
        let (w, h) = d.dimensions();
        let pf = pixel_format(name, d.color_type())?;
        limits.check_image(w, h, u8f(Layout::Rgba))?;
        d.set_limits(crate_limits(limits)).map_err(|e| map_err(name, e))?;
        let mut info = ImageInfo::new(w, h, pf, name, "webp");
        info.pages = facts.frames;
        info.lossy_source = facts.lossy;
        info.metadata = metadata(&mut d);
        Ok(Self::new(d.into_frames(), info))
    }

    fn new(frames: image::Frames<'a>, info: ImageInfo) -> Self {
        AnimDecoder {
            frames,
            info,
            page: 0,
            pulled: 0,
            current: None,
        }
    }

    fn pull(&mut self) -> Result<()> {
        let name = self.info.codec.clone();
        while self.pulled <= self.page {
            let frame = self
                .frames
                .next()
                .ok_or_else(|| {
                    Error::decode(
                        &name,
                        format!(
                            "the file announced {} frames but the decoder found only {}",
                            self.info.pages, self.pulled
                        ),
                    )
                })?
                .map_err(|e| map_err(&name, e))?;
            self.pulled += 1;
            self.current = Some(frame.into_buffer());
        }
        Ok(())
    }
}

impl Decoder for AnimDecoder<'_> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn decode_into(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        out.expect_shape(self.info.width, self.info.height, self.info.format)?;
        self.pull()?;
        let name = &self.info.codec;
        let frame = self.current.as_ref().ok_or_else(|| Error::decode(name, "no frame"))?;
        if frame.dimensions() != (self.info.width, self.info.height) {
            return Err(Error::decode(name, "a frame does not match the canvas size"));
        }
        let src: &[u8] = frame.as_raw();
        let rb = self.info.width as usize * 4;
        for y in 0..self.info.height {
            let s = &src[y as usize * rb..(y as usize + 1) * rb];
            let row = out.row_mut(y);
            if self.info.format.layout == Layout::Rgba {
                row.copy_from_slice(s);
            } else {
                // Animated WebP without alpha: the crate added an opaque alpha; drop it again.
                for (d, p) in row.chunks_exact_mut(3).zip(s.chunks_exact(4)) {
                    d.copy_from_slice(&p[..3]);
                }
            }
        }
        Ok(())
    }

    fn next_page(&mut self) -> Result<bool> {
        if self.page + 1 >= self.info.pages {
            return Ok(false);
        }
        self.page += 1;
        Ok(true)
    }
}

/// Encoder for every format with an encode table.
struct ImageRsEncoder {
    format: ImageRsFormat,
}

fn color_type(format: PixelFormat) -> Option<ExtendedColorType> {
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

/// Encodes one image with the crate, for any color type the crate accepts. Used by the
/// encoder and by the test that derives the capability tables empirically.
#[doc(hidden)]
pub fn encode_raw(format: ImageRsFormat, page: &ImageRef<'_>, out: &mut dyn Write) -> Result<()> {
    use image::codecs::*;
    let name = format.codec_name();
    let ct = color_type(page.format()).ok_or_else(|| {
        Error::Unsupported(format!(
            "{name}: the image crate has no color type for {}",
            page.format()
        ))
    })?;
    let data = page.contiguous_bytes();
    let (w, h) = (page.width(), page.height());
    let r = match format {
        ImageRsFormat::Bmp => bmp::BmpEncoder::new(&mut &mut *out).write_image(&data, w, h, ct),
        ImageRsFormat::Qoi => qoi::QoiEncoder::new(&mut *out).write_image(&data, w, h, ct),
        ImageRsFormat::WebP => webp::WebPEncoder::new_lossless(&mut *out).write_image(&data, w, h, ct),
        ImageRsFormat::Pnm => {
            use pnm::{ArbitraryHeader, ArbitraryTuplType, GraymapHeader, PixmapHeader, PnmHeader, SampleEncoding};
            let maxval = if page.format().sample == SampleType::U16 {
                65535
            } else {
                255
            };
            let header: PnmHeader = match (page.format().layout, page.format().sample) {
                (Layout::Gray, _) => GraymapHeader {
                    encoding: SampleEncoding::Binary,
                    width: w,
                    height: h,
                    maxwhite: maxval,
                }
                .into(),
                (Layout::Rgb, SampleType::U8) => PixmapHeader {
                    encoding: SampleEncoding::Binary,
                    width: w,
                    height: h,
                    maxval,
                }
                .into(),
                (layout, _) => ArbitraryHeader {
                    width: w,
                    height: h,
                    depth: layout.channels() as u32,
                    maxval,
                    tupltype: Some(match layout {
                        // The crate's header check rejects GRAYSCALE_ALPHA with 16-bit samples;
                        // the same tuple type given as a custom name passes and reads back as such.
                        Layout::GrayAlpha if maxval > 255 => ArbitraryTuplType::Custom("GRAYSCALE_ALPHA".into()),
                        Layout::GrayAlpha => ArbitraryTuplType::GrayscaleAlpha,
                        Layout::Rgb => ArbitraryTuplType::RGB,
                        _ => ArbitraryTuplType::RGBAlpha,
                    }),
                }
                .into(),
            };
            pnm::PnmEncoder::new(&mut *out)
                .with_header(header)
                .encode(&*data, w, h, ct)
        }
        ImageRsFormat::Gif => return encode_gif(std::slice::from_ref(page), out),
        ImageRsFormat::Jpeg => {
            return Err(Error::Unsupported("jpeg-image-rs decodes only".into()));
        }
    };
    r.map_err(|e| map_enc_err(name, e))
}

/// Maps an `image` crate error raised while encoding.
fn map_enc_err(codec: &str, e: ImageError) -> Error {
    match e {
        ImageError::Unsupported(u) => Error::Unsupported(format!("{codec}: {u}")),
        ImageError::IoError(io) => Error::Io(io),
        other => Error::encode(codec, other),
    }
}

fn encode_gif(pages: &[ImageRef<'_>], out: &mut dyn Write) -> Result<()> {
    let name = ImageRsFormat::Gif.codec_name();
    // The gif encoder writes its trailer when dropped and swallows any error there, so the
    // file is assembled in memory and written out in one checked call.
    let mut file = Vec::new();
    encode_gif_frames(name, pages, &mut file)?;
    out.write_all(&file)?;
    Ok(())
}

fn encode_gif_frames(name: &str, pages: &[ImageRef<'_>], file: &mut Vec<u8>) -> Result<()> {
    let mut enc = image::codecs::gif::GifEncoder::new(file);
    if pages.len() > 1 {
        enc.set_repeat(image::codecs::gif::Repeat::Infinite)
            .map_err(|e| map_enc_err(name, e))?;
    }
    for p in pages {
        // GIF pages decode as Rgba U8, so only Rgba U8 is accepted (Rgb would come back as Rgba).
        if p.format() != u8f(Layout::Rgba) {
            return Err(Error::Unsupported(format!(
                "{name} encodes Rgba U8 only, not {}; add an alpha channel explicitly",
                p.format()
            )));
        }
        let img = image::RgbaImage::from_raw(p.width(), p.height(), p.contiguous_bytes().into_owned())
            .ok_or_else(|| Error::encode(name, "frame buffer size mismatch"))?;
        enc.encode_frame(image::Frame::new(img))
            .map_err(|e| map_enc_err(name, e))?;
    }
    Ok(())
}

impl Encoder for ImageRsEncoder {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        _options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> Result<Option<std::sync::Arc<str>>> {
        let name = self.format.codec_name();
        if self.format == ImageRsFormat::Gif {
            encode_gif(pages, out)?;
            return Ok(Some(
                "GIF stores at most 256 colours per frame and 1-bit transparency: the image was quantised \
                 to a palette (NeuQuant) and alpha thresholded"
                    .into(),
            ));
        }
        let [page] = pages else {
            return Err(Error::Unsupported(format!(
                "{name} writes one image per file, {} pages given; use tiff for several pages",
                pages.len()
            )));
        };
        encode_raw(self.format, page, out)?;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnm_sniff_needs_whitespace_after_magic() {
        let c = ImageRsCodec::new(ImageRsFormat::Pnm);
        assert!(c.sniff(b"P5\n3 2\n255\n"));
        assert!(c.sniff(b"P7\nWIDTH 1\n"));
        assert!(!c.sniff(b"P8\n"));
        assert!(!c.sniff(b"PK\x03\x04"));
        assert!(!c.sniff(b"P5x"));
    }

    #[test]
    fn webp_signature_masks_the_riff_size() {
        let c = ImageRsCodec::new(ImageRsFormat::WebP);
        assert!(c.sniff(b"RIFF\x10\x20\x00\x00WEBPVP8L"));
        assert!(!c.sniff(b"RIFF\x10\x20\x00\x00WAVEfmt "));
    }
}
