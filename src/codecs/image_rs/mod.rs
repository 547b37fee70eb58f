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
//! - `webp-image-rs` reports [`ImageInfo::lossy_source`](crate::info::ImageInfo::lossy_source)
//!   when the file holds a VP8 (lossy) bitstream, read from the RIFF chunks, and encodes
//!   only lossless VP8L;
//! - `gif-image-rs` encodes by quantising to a 256-colour palette and says so (Lossy).
//!
//! Every encode table lists only what was shown to round-trip (see `tests/image_rs.rs`).
//!
//! Everything that differs between the formats is one row of a table here (names,
//! extensions, MIME types, signature, open / decoder / writer functions, capability table,
//! priority); the codec is that row behind the [`Codec`] trait. The rows point into
//! `still` (single images), `animated` (GIF and animated WebP pages), `encode` (the
//! writers), `bridge` (the crate's input, errors, colour types, limits and metadata) and
//! `scan` (header walkers for what the crate does not tell).

mod animated;
mod bridge;
mod encode;
mod scan;
mod still;

use std::io::{BufReader, Cursor};

use bridge::{boxed, CrateDecoderFn, Input};
use encode::{ImageRsEncoder, WriteFn};

pub use encode::encode_raw;

use crate::codec::{Capabilities, Capability, Codec, CodecDescriptor, Decoder, Encoder, Fidelity, Signature, Source};
use crate::error::{Error, Result};
use crate::format::Layout;
use crate::limits::Limits;
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
        row(self).name
    }
}

/// What a row's `open` gets: the row itself, the input and the limits.
struct Open<'a> {
    row: &'static FormatRow,
    input: Input<'a>,
    limits: Limits,
}

/// What a row's `open` returns.
type Opened<'a> = Result<Box<dyn Decoder + 'a>>;

/// Opens a decoder over the input for the format of the row.
type OpenFn = for<'a> fn(Open<'a>) -> Opened<'a>;

/// How a format is recognised from its first bytes.
enum Sniff {
    /// Any one of these signatures (they also go into the descriptor).
    Magic(&'static [Magic]),
    /// A test of its own, for a format without fixed magic bytes (PNM).
    Custom(fn(&[u8]) -> bool),
}

/// A format's writer and what every encode with it reports as changed (GIF's palette).
struct Writer {
    write: WriteFn,
    note: Option<&'static str>,
}

impl Writer {
    /// A writer whose encodes report nothing changed.
    const fn new(write: WriteFn) -> Self {
        Writer { write, note: None }
    }
}

/// What a format's codec can do: its capability tables and page support.
struct RowCaps {
    decode: CapTable,
    encode: CapTable,
    multi_page_decode: bool,
    multi_page_encode: bool,
}

/// A magic signature at offset 0, with an optional mask (same length) ANDed first.
struct Magic {
    bytes: &'static [u8],
    mask: Option<&'static [u8]>,
}

impl Magic {
    /// Exact bytes at offset 0.
    const fn prefix(bytes: &'static [u8]) -> Self {
        Magic { bytes, mask: None }
    }
}

/// Every combination of `layouts` x `samples`, at one fidelity.
struct CapTable {
    layouts: &'static [Layout],
    samples: &'static [SampleType],
    fidelity: Fidelity,
}

impl CapTable {
    const fn u8(layouts: &'static [Layout], fidelity: Fidelity) -> Self {
        CapTable {
            layouts,
            samples: &[SampleType::U8],
            fidelity,
        }
    }

    fn rows(&self) -> Vec<Capability> {
        Capabilities::grid(self.layouts, self.samples, self.fidelity)
    }
}

/// Everything that differs between the wrapped formats: one row each in [`TABLE`].
struct FormatRow {
    /// The variant this row describes.
    format: ImageRsFormat,
    /// Codec name.
    name: &'static str,
    /// Format name, shared with other codecs of the same format.
    format_name: &'static str,
    description: &'static str,
    extensions: &'static [&'static str],
    mime_types: &'static [&'static str],
    sniff: Sniff,
    /// Reads the whole input into memory first (within the limits), for crate decoders
    /// that would do so anyway.
    whole_input: bool,
    /// Opens a decoder (checks of the format's own, then a still or animated decoder).
    open: OpenFn,
    /// The crate's single-image decoder.
    crate_decoder: CrateDecoderFn,
    /// Writes a file; `None` for decode-only formats.
    encode: Option<Writer>,
    caps: RowCaps,
    /// Registry priority.
    priority: i32,
}

use Layout::{Gray, GrayAlpha, Rgb, Rgba};

/// Rgb and Rgba U8, exact both ways, one page per file (BMP, QOI, WebP).
const RGB_RGBA_EXACT: RowCaps = RowCaps {
    decode: CapTable::u8(&[Rgb, Rgba], Fidelity::Exact),
    encode: CapTable::u8(&[Rgb, Rgba], Fidelity::Exact),
    multi_page_decode: false,
    multi_page_encode: false,
};

/// The wrapped formats, in [`ImageRsFormat::ALL`] order.
static TABLE: [FormatRow; 6] = [
    FormatRow {
        format: ImageRsFormat::Bmp,
        name: "bmp-image-rs",
        format_name: "bmp",
        description: "BMP through the image crate (decodes to Rgb/Rgba U8; encodes Rgb/Rgba U8 exactly)",
        extensions: &["bmp", "dib"],
        mime_types: &["image/bmp", "image/x-bmp"],
        sniff: Sniff::Magic(&[Magic::prefix(b"BM")]),
        whole_input: false,
        open: still::open,
        crate_decoder: |r| boxed(image::codecs::bmp::BmpDecoder::new(r)),
        encode: Some(Writer::new(encode::write_bmp)),
        caps: RGB_RGBA_EXACT,
        priority: PRIORITY,
    },
    FormatRow {
        format: ImageRsFormat::Gif,
        name: "gif-image-rs",
        format_name: "gif",
        description:
            "GIF through the image crate: every frame a composited Rgba U8 page; encodes Rgba U8 by quantising (lossy)",
        extensions: &["gif"],
        mime_types: &["image/gif"],
        sniff: Sniff::Magic(&[Magic::prefix(b"GIF87a"), Magic::prefix(b"GIF89a")]),
        whole_input: false,
        open: animated::open_gif,
        crate_decoder: |r| boxed(image::codecs::gif::GifDecoder::new(r)),
        encode: Some(Writer {
            write: encode::write_gif,
            note: Some(
                "GIF stores at most 256 colours per frame and 1-bit transparency: the image was quantised \
                 to a palette (NeuQuant) and alpha thresholded",
            ),
        }),
        caps: RowCaps {
            decode: CapTable::u8(&[Rgba], Fidelity::Exact),
            encode: CapTable::u8(&[Rgba], Fidelity::Lossy),
            multi_page_decode: true,
            multi_page_encode: true,
        },
        priority: PRIORITY,
    },
    FormatRow {
        format: ImageRsFormat::Pnm,
        name: "pnm-image-rs",
        format_name: "pnm",
        description: "PBM/PGM/PPM/PAM through the image crate, 8 and 16 bit, values kept as stored",
        extensions: &["pnm", "pbm", "pgm", "ppm", "pam"],
        mime_types: &[
            "image/x-portable-anymap",
            "image/x-portable-bitmap",
            "image/x-portable-graymap",
            "image/x-portable-pixmap",
        ],
        sniff: Sniff::Custom(pnm_magic),
        whole_input: false,
        open: still::open_pnm,
        crate_decoder: |r| boxed(image::codecs::pnm::PnmDecoder::new(r)),
        encode: Some(Writer::new(encode::write_pnm)),
        caps: RowCaps {
            decode: PNM_CAPS,
            encode: PNM_CAPS,
            multi_page_decode: false,
            multi_page_encode: false,
        },
        priority: PRIORITY,
    },
    FormatRow {
        format: ImageRsFormat::Qoi,
        name: "qoi-image-rs",
        format_name: "qoi",
        description: "QOI through the image crate (Rgb/Rgba U8, exact)",
        extensions: &["qoi"],
        mime_types: &["image/qoi", "image/x-qoi"],
        sniff: Sniff::Magic(&[Magic::prefix(b"qoif")]),
        whole_input: false,
        open: still::open,
        crate_decoder: |r| boxed(image::codecs::qoi::QoiDecoder::new(r)),
        encode: Some(Writer::new(encode::write_qoi)),
        caps: RGB_RGBA_EXACT,
        priority: PRIORITY,
    },
    FormatRow {
        format: ImageRsFormat::WebP,
        name: "webp-image-rs",
        format_name: "webp",
        description:
            "WebP through the image crate: decodes lossy and lossless (lossy_source set for VP8); encodes lossless only",
        extensions: &["webp"],
        mime_types: &["image/webp"],
        // `RIFF`, any size, `WEBP`.
        sniff: Sniff::Magic(&[Magic {
            bytes: b"RIFF\0\0\0\0WEBP",
            mask: Some(&[0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]),
        }]),
        whole_input: false,
        open: animated::open_webp,
        crate_decoder: |r| boxed(image::codecs::webp::WebPDecoder::new(r)),
        encode: Some(Writer::new(encode::write_webp)),
        // Animated WebP decodes as pages.
        caps: RowCaps {
            multi_page_decode: true,
            ..RGB_RGBA_EXACT
        },
        priority: PRIORITY,
    },
    FormatRow {
        format: ImageRsFormat::Jpeg,
        name: "jpeg-image-rs",
        format_name: "jpeg",
        description: "JPEG decoding through the image crate (zune-jpeg), 8-bit gray and colour; CMYK refused",
        extensions: &["jpg", "jpeg", "jpe", "jfif"],
        mime_types: &["image/jpeg"],
        sniff: Sniff::Magic(&[Magic::prefix(b"\xFF\xD8\xFF")]),
        // The crate's JPEG decoder reads the whole input.
        whole_input: true,
        open: still::open_jpeg,
        crate_decoder: |r| boxed(image::codecs::jpeg::JpegDecoder::new(r)),
        encode: None,
        caps: RowCaps {
            decode: CapTable::u8(&[Gray, Rgb], Fidelity::Lossy),
            encode: CapTable::u8(&[], Fidelity::Exact),
            multi_page_decode: false,
            multi_page_encode: false,
        },
        priority: PRIORITY,
    },
];

const PNM_CAPS: CapTable = CapTable {
    layouts: &[Gray, GrayAlpha, Rgb, Rgba],
    samples: &[SampleType::U8, SampleType::U16],
    fidelity: Fidelity::Exact,
};

/// `P1`..`P7` followed by whitespace.
fn pnm_magic(head: &[u8]) -> bool {
    head.len() >= 3 && head[0] == b'P' && (b'1'..=b'7').contains(&head[1]) && head[2].is_ascii_whitespace()
}

/// The table row of a format.
const fn row(format: ImageRsFormat) -> &'static FormatRow {
    &TABLE[format as usize]
}

/// One `image`-crate backend: a row of the format table.
pub struct ImageRsCodec {
    row: &'static FormatRow,
    descriptor: CodecDescriptor,
    capabilities: Capabilities,
}

impl ImageRsCodec {
    /// The codec for one format.
    pub fn new(format: ImageRsFormat) -> Self {
        let row = row(format);
        let mut descriptor = CodecDescriptor::new(
            row.name,
            row.format_name,
            row.description,
            row.extensions,
            row.mime_types,
            &[],
            row.priority,
        );
        if let Sniff::Magic(magic) = row.sniff {
            descriptor.signatures = magic
                .iter()
                .map(|m| Signature {
                    offset: 0,
                    bytes: m.bytes.to_vec(),
                    mask: m.mask.map(<[u8]>::to_vec),
                })
                .collect();
        }
        ImageRsCodec {
            row,
            descriptor,
            capabilities: Capabilities {
                decode: row.caps.decode.rows(),
                encode: row.caps.encode.rows(),
                multi_page_encode: row.caps.multi_page_encode,
                multi_page_decode: row.caps.multi_page_decode,
            },
        }
    }

    /// Which format this codec wraps.
    pub fn format(&self) -> ImageRsFormat {
        self.row.format
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
        match self.row.sniff {
            Sniff::Custom(sniff) => sniff(head),
            Sniff::Magic(_) => self.descriptor.signatures.iter().any(|s| s.matches(head)),
        }
    }

    fn decoder<'a>(&self, source: Source<'a>, limits: &Limits) -> Result<Box<dyn Decoder + 'a>> {
        let input = match source {
            Source::Bytes(b) => Input::Slice(Cursor::new(b)),
            Source::Reader(r) if self.row.whole_input => {
                Input::Owned(Cursor::new(Source::Reader(r).into_bytes(limits)?.into_owned()))
            }
            Source::Reader(r) => Input::Stream(BufReader::with_capacity(1 << 16, r)),
        };
        (self.row.open)(Open {
            row: self.row,
            input,
            limits: *limits,
        })
    }

    /// GIF writes each frame's timing and the loop count (`encode::gif_fit`); the other
    /// formats write no metadata (the default).
    fn metadata_fit(
        &self,
        metadata: &crate::metadata::Metadata,
        format: crate::PixelFormat,
    ) -> Vec<crate::metadata::MetadataNote> {
        match self.row.format {
            ImageRsFormat::Gif => encode::gif_fit(self.row.name, metadata),
            _ => {
                let mut notes = metadata.drop_all(&format!("{} cannot store metadata", self.row.name));
                notes.retain(|n| {
                    !matches!(
                        n.item,
                        crate::metadata::MetadataItem::Photometric
                            | crate::metadata::MetadataItem::FrameTiming
                            | crate::metadata::MetadataItem::LoopCount
                    )
                });
                notes.extend(metadata.photometric_dropped(self.row.name));
                notes.extend(metadata.timing_dropped(self.row.name));
                let _ = format;
                notes
            }
        }
    }

    fn encoder(&self) -> Result<Box<dyn Encoder>> {
        let writer = self.row.encode.as_ref().ok_or_else(|| {
            Error::Unsupported(format!(
                "codec {} decodes only; encode JPEG with jpeg-turbo",
                self.row.name
            ))
        })?;
        Ok(Box::new(ImageRsEncoder {
            name: self.row.name,
            writer,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_are_in_format_order() {
        for (i, f) in ImageRsFormat::ALL.into_iter().enumerate() {
            assert_eq!(TABLE[i].format, f);
            assert_eq!(row(f).format, f);
        }
    }

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

    /// GIF's timing fields from pixcodec's: delays to the nearest hundredth of a second (at
    /// most 65535), total plays to NETSCAPE repeats (none for one play), and the notes on
    /// what does not fit.
    #[test]
    fn gif_timing_fields_and_their_notes() {
        use crate::metadata::{FrameTiming, Metadata};
        assert_eq!(
            [0, 44, 45, 100, 655_350, 655_360, u32::MAX].map(encode::gif_delay),
            [0, 4, 5, 10, 65535, 65535, 65535]
        );
        assert_eq!(encode::gif_repeat(0), Some(gif::Repeat::Infinite));
        assert_eq!(encode::gif_repeat(1), None);
        assert_eq!(encode::gif_repeat(2), Some(gif::Repeat::Finite(1)));
        assert_eq!(encode::gif_repeat(65536), Some(gif::Repeat::Finite(65535)));
        assert_eq!(encode::gif_repeat(70000), Some(gif::Repeat::Finite(65535)));
        let m = Metadata {
            frame: Some(FrameTiming {
                delay_ms: 655_360,
                ..FrameTiming::default()
            }),
            loop_count: Some(65537),
            ..Metadata::default()
        };
        let notes: Vec<String> = encode::gif_fit("gif-image-rs", &m)
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(
            notes,
            [
                "frame timing: gif-image-rs stores delays in hundredths of a second: 655360 ms is written as 655350 ms",
                "loop count: gif-image-rs repeats at most 65535 times: 65537 plays are written as 65536"
            ]
        );
        let exact = Metadata {
            frame: Some(FrameTiming {
                delay_ms: 655_350,
                ..FrameTiming::default()
            }),
            loop_count: Some(65536),
            ..Metadata::default()
        };
        assert!(encode::gif_fit("gif-image-rs", &exact).is_empty());
    }
}
