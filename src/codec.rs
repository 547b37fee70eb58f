//! The dyn-compatible codec traits ([`Codec`], [`Decoder`], [`Encoder`]) and what a codec
//! publishes about itself ([`CodecDescriptor`], [`Capabilities`]).

use std::io::{Read, Seek, Write};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::{ImageMut, ImageRef};
use crate::info::ImageInfo;
use crate::limits::Limits;
use crate::metadata::{Metadata, MetadataItem, MetadataNote};
use crate::options::{OptionSpec, ResolvedOptions};
use crate::sample::SampleType;

/// A magic-byte signature: `bytes` at `offset`, compared under `mask` when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Byte offset from the start of the data.
    pub offset: usize,
    /// Expected bytes.
    pub bytes: Vec<u8>,
    /// Optional mask ANDed with the data before comparing (same length as `bytes`).
    pub mask: Option<Vec<u8>>,
}

impl Signature {
    /// Exact bytes at offset 0.
    pub fn prefix(bytes: &[u8]) -> Self {
        Signature {
            offset: 0,
            bytes: bytes.to_vec(),
            mask: None,
        }
    }

    /// True when `head` matches this signature.
    pub fn matches(&self, head: &[u8]) -> bool {
        let Some(window) = head.get(self.offset..self.offset + self.bytes.len()) else {
            return false;
        };
        match &self.mask {
            None => window == self.bytes.as_slice(),
            Some(mask) => window
                .iter()
                .zip(mask)
                .zip(&self.bytes)
                .all(|((d, m), b)| d & m == b & m),
        }
    }
}

/// Who a codec is: its stable name, the format it implements and how to find it.
#[derive(Debug, Clone, PartialEq)]
pub struct CodecDescriptor {
    /// Stable unique name (`png`, `jpeg-turbo`, `tiff`, …).
    pub name: String,
    /// Format implemented (`png`, `jpeg`, `tiff`, …); several codecs may share one.
    pub format: String,
    /// One-line description.
    pub description: String,
    /// File extensions without dot, lower-case; the first is the preferred one.
    pub extensions: Vec<String>,
    /// MIME types.
    pub mime_types: Vec<String>,
    /// Magic signatures for content sniffing (any one matching is enough).
    pub signatures: Vec<Signature>,
    /// Higher wins when several codecs implement a format.
    pub priority: i32,
}

impl CodecDescriptor {
    /// A descriptor with the common fields; signatures are given as prefixes.
    pub fn new(
        name: &str,
        format: &str,
        description: &str,
        extensions: &[&str],
        mime_types: &[&str],
        prefixes: &[&[u8]],
        priority: i32,
    ) -> Self {
        CodecDescriptor {
            name: name.to_string(),
            format: format.to_string(),
            description: description.to_string(),
            extensions: extensions.iter().map(|e| e.to_string()).collect(),
            mime_types: mime_types.iter().map(|m| m.to_string()).collect(),
            signatures: prefixes.iter().map(|p| Signature::prefix(p)).collect(),
            priority,
        }
    }
}

/// Whether a codec keeps pixel values exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fidelity {
    /// Bit-exact round trip.
    Exact,
    /// Values may change (lossy compression).
    Lossy,
}

impl std::fmt::Display for Fidelity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fidelity::Exact => "exact",
            Fidelity::Lossy => "lossy",
        })
    }
}

/// One row of a capability table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    /// Pixel format handled.
    pub format: PixelFormat,
    /// Exact or lossy for that format with the codec's default options.
    pub fidelity: Fidelity,
    /// Encode rows only: the options that make a lossy row exact, as comma-separated
    /// `KEY=VALUE` pairs (JPEG: `lossless=true`); `None` when no options do. See
    /// [`Codec::encode_fidelity_with`].
    pub exact_with: Option<&'static str>,
}

impl Capability {
    /// A row without option-dependent exactness.
    pub fn new(format: PixelFormat, fidelity: Fidelity) -> Self {
        Capability {
            format,
            fidelity,
            exact_with: None,
        }
    }

    /// The row's fidelity and, when options make it exact, the note:
    /// `lossy; exact with lossless=true`.
    pub fn fidelity_text(&self) -> String {
        match self.exact_with {
            Some(opts) if self.fidelity == Fidelity::Lossy => format!("lossy; exact with {opts}"),
            _ => self.fidelity.to_string(),
        }
    }

    /// True when every `KEY=VALUE` pair of [`Capability::exact_with`] holds in `options`
    /// (see [`OptionValue::matches_text`](crate::options::OptionValue::matches_text); no allocation); false without `exact_with`.
    pub fn exact_with_holds(&self, options: &ResolvedOptions) -> bool {
        let Some(pairs) = self.exact_with else {
            return false;
        };
        pairs.split(',').all(|pair| {
            let Some((k, v)) = pair.split_once('=') else {
                return false;
            };
            options
                .iter()
                .any(|(name, value)| name == k.trim() && value.matches_text(v.trim()))
        })
    }
}

/// What a codec can decode and encode, per pixel format, and whether exactly.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Capabilities {
    /// Formats the decoder produces.
    pub decode: Vec<Capability>,
    /// Formats the encoder accepts.
    pub encode: Vec<Capability>,
    /// True when the encoder writes several pages into one file.
    pub multi_page_encode: bool,
    /// True when files may hold several pages.
    pub multi_page_decode: bool,
}

impl Capabilities {
    /// Every combination of `layouts` x `samples` with one fidelity.
    pub fn grid(layouts: &[Layout], samples: &[SampleType], fidelity: Fidelity) -> Vec<Capability> {
        layouts
            .iter()
            .flat_map(|&l| {
                samples
                    .iter()
                    .map(move |&s| Capability::new(PixelFormat::new(l, s), fidelity))
            })
            .collect()
    }

    /// The encode fidelity for `format` with default options, or `None` when the codec
    /// cannot encode it.
    pub fn encode_fidelity(&self, format: PixelFormat) -> Option<Fidelity> {
        self.encode_row(format).map(|c| c.fidelity)
    }

    /// The encode row of `format`, or `None` when the codec cannot encode it.
    pub fn encode_row(&self, format: PixelFormat) -> Option<&Capability> {
        self.encode.iter().find(|c| c.format == format)
    }

    /// Marks the encode rows of `formats` as exact with the options `exact_with`
    /// (`KEY=VALUE` pairs, comma-separated).
    pub fn set_exact_with(&mut self, formats: &[PixelFormat], exact_with: &'static str) {
        for row in self.encode.iter_mut().filter(|c| formats.contains(&c.format)) {
            row.exact_with = Some(exact_with);
        }
    }

    /// The decode fidelity for `format`, or `None` when the codec never produces it.
    pub fn decode_fidelity(&self, format: PixelFormat) -> Option<Fidelity> {
        self.decode.iter().find(|c| c.format == format).map(|c| c.fidelity)
    }

    /// Encodable formats as text, e.g. `Gray U8, Gray U16, Rgb U8`.
    pub fn encode_list(&self) -> String {
        let v: Vec<String> = self.encode.iter().map(|c| c.format.to_string()).collect();
        if v.is_empty() {
            "nothing (decode only)".to_string()
        } else {
            v.join(", ")
        }
    }
}

/// Anything that can be read and seeked.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Where a decoder reads from: a borrowed slice (zero-copy) or a seekable reader.
pub enum Source<'a> {
    /// Bytes in memory.
    Bytes(&'a [u8]),
    /// A seekable reader (files, streams).
    Reader(Box<dyn ReadSeek + 'a>),
}

impl<'a> Source<'a> {
    /// The source as a reader (slices become a cursor; no copy).
    pub fn into_reader(self) -> Box<dyn ReadSeek + 'a> {
        match self {
            Source::Bytes(b) => Box::new(std::io::Cursor::new(b)),
            Source::Reader(r) => r,
        }
    }

    /// The whole input as bytes (borrowed for slices; read for readers, within `limits`).
    pub fn into_bytes(self, limits: &Limits) -> Result<std::borrow::Cow<'a, [u8]>> {
        match self {
            Source::Bytes(b) => Ok(std::borrow::Cow::Borrowed(b)),
            Source::Reader(mut r) => {
                let mut v = Vec::new();
                let cap = limits.max_alloc_bytes.saturating_add(1);
                (&mut r).take(cap).read_to_end(&mut v)?;
                limits.check_alloc(v.len() as u64)?;
                Ok(std::borrow::Cow::Owned(v))
            }
        }
    }
}

/// The inverse DCT a lossy JPEG decode uses ([`Decoder::set_dct_method`],
/// [`DecodeOptions::dct_method`](crate::DecodeOptions::dct_method)). Both are approximations of
/// the file's transform within the JPEG standard's accuracy bound; they differ by a few levels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DctMethod {
    /// libjpeg's accurate integer IDCT (`JDCT_ISLOW`): the default, and what Pillow, OpenCV
    /// and Keras' `load_img` decode with.
    #[default]
    Accurate,
    /// libjpeg's fast integer IDCT (`JDCT_IFAST`, TurboJPEG's `TJPARAM_FASTDCT`): TensorFlow's
    /// `decode_jpeg` default, so Keras' `image_dataset_from_directory` decodes JPEGs with it.
    /// Less accurate, most visibly above quality 90; on AVX2 CPUs hardly faster.
    Fast,
}

impl DctMethod {
    /// The spelling [`FromStr`](std::str::FromStr) reads back: `accurate` or `fast`.
    pub fn name(self) -> &'static str {
        match self {
            DctMethod::Accurate => "accurate",
            DctMethod::Fast => "fast",
        }
    }
}

impl std::fmt::Display for DctMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

// `accurate`/`fast`, TensorFlow's `INTEGER_*` names and libjpeg's `JDCT_*` ones.
crate::ml::parse::from_names!(DctMethod, "DCT method", {
    DctMethod::Accurate => ["accurate", "integer_accurate", "islow"],
    DctMethod::Fast => ["fast", "integer_fast", "ifast"],
});

/// Reads one encoded image: header facts first, pixels on request.
pub trait Decoder {
    /// Header facts of the current page (parsed when the decoder was made).
    fn info(&self) -> &ImageInfo;

    /// Decodes the current page into `out`, whose size and format must equal
    /// [`Decoder::info`]'s. Every pixel byte of each row is written and nothing else (not the
    /// row padding), so `out` may hold anything beforehand: callers decode into memory they
    /// did not clear (the Python binding into a new numpy array). `testkit::check_codec`
    /// checks both halves ("decode_into keeps padding": every byte set to 0x5A first).
    fn decode_into(&mut self, out: ImageMut<'_>) -> Result<()>;

    /// Moves to the next page; returns `false` when there is none.
    fn next_page(&mut self) -> Result<bool> {
        Ok(false)
    }

    /// Shrink-on-load (like Pillow's `draft`): asks the decoder to produce a smaller image
    /// that is still at least `min_width` x `min_height`, when it can do so cheaply during
    /// decoding (JPEG: libjpeg-turbo's DCT scaling by 1/2, 1/4 or 1/8). Returns `true` when
    /// the output size changed; [`Decoder::info`] then reports the reduced size, which
    /// [`Decoder::decode_into`] expects. The reduced image is an approximation of the
    /// full-size one (a downscale), not the file's exact samples. Call it before decoding.
    /// The default does nothing and returns `false`.
    fn draft(&mut self, min_width: u32, min_height: u32) -> Result<bool> {
        let _ = (min_width, min_height);
        Ok(false)
    }

    /// Chooses the inverse DCT for the pixels of a lossy JPEG ([`DctMethod`]); call it before
    /// decoding. Returns `true` when the decoder applies the choice, `false` when it has none
    /// (not a DCT-coded image, or a decoder with one IDCT): its pixels are then what it always
    /// decodes. The default does nothing and returns `false`.
    fn set_dct_method(&mut self, method: DctMethod) -> Result<bool> {
        let _ = method;
        Ok(false)
    }
}

/// Writes images in one format.
pub trait Encoder {
    /// Encodes `pages` (one, or several for multi-page formats) to `out`. The caller has
    /// already checked the formats against the capability table and validated `options`.
    /// Returns `Some(reason)` when the result is lossy, `None` when exact. The reason is
    /// shared text: an encoder called again with the same settings can hand out a clone
    /// of the same `Arc` instead of formatting (and allocating) it anew.
    ///
    /// When the codec's [`Codec::reusable_encoder`] is true, the registry calls this many
    /// times on one encoder; each call must then write one complete, independent file.
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> Result<Option<Arc<str>>>;
}

/// A codec backend: descriptor, capability table, options, decoder and encoder factories.
pub trait Codec: Send + Sync {
    /// Name, format, extensions, MIME types, signatures, priority.
    fn descriptor(&self) -> &CodecDescriptor;

    /// The capability table.
    fn capabilities(&self) -> &Capabilities;

    /// Options the encoder accepts.
    fn encode_options(&self) -> &[OptionSpec] {
        &[]
    }

    /// True when `head` (the first bytes of the input) looks like this codec's format.
    fn sniff(&self, head: &[u8]) -> bool {
        self.descriptor().signatures.iter().any(|s| s.matches(head))
    }

    /// Parses the header of `source` and returns a decoder positioned on the first page.
    fn decoder<'a>(&self, source: Source<'a>, limits: &Limits) -> Result<Box<dyn Decoder + 'a>>;

    /// A new encoder; decode-only codecs return [`Error::Unsupported`].
    fn encoder(&self) -> Result<Box<dyn Encoder>> {
        Err(Error::Unsupported(format!(
            "codec {} decodes only",
            self.descriptor().name
        )))
    }

    /// The encode fidelity of `format` with these validated options, or `None` when the
    /// codec cannot encode it. The default is the table's fidelity, or
    /// [`Fidelity::Exact`] when the row's [`Capability::exact_with`] pairs all hold.
    /// A codec overrides it when other options also matter (JPEG: `point_transform`
    /// above 0 makes `lossless=true` lossy again). The registry decides `require_exact`
    /// and the report's `exact` with it, before anything is written.
    fn encode_fidelity_with(&self, format: PixelFormat, options: &ResolvedOptions) -> Option<Fidelity> {
        let row = self.capabilities().encode_row(format)?;
        Some(if row.exact_with_holds(options) {
            Fidelity::Exact
        } else {
            row.fidelity
        })
    }

    /// True when an encoder from [`Codec::encoder`] may be kept and reused: every
    /// [`Encoder::encode`] call writes an independent file whatever earlier calls did, and
    /// the encoder holds nothing that must be released promptly (keeping it must not delay
    /// any clean-up of the codec). The registry then keeps one encoder per codec and thread,
    /// with its validated options, so that encoding into a reused buffer allocates nothing
    /// after the first call. The default, `false`, makes a new encoder for every encode.
    fn reusable_encoder(&self) -> bool {
        false
    }

    /// What of `metadata` this codec's encoder would not write as given for an image of
    /// `format`: one note per item dropped (or written only approximately), with the reason.
    /// The registry asks before encoding, to fail under
    /// [`MetadataPolicy::Strict`](crate::MetadataPolicy::Strict) and to fill [`EncodeReport::metadata_dropped`]; the
    /// encoder finds the metadata in [`ResolvedOptions::metadata`] and writes every item not
    /// listed here. The registry asks with empty metadata too when none is given, so that a
    /// format stating a convention by itself (a CMYK JPEG's Adobe marker) is reported. The
    /// default, for codecs that write no metadata, drops every item (the photometric
    /// convention with [`Metadata::photometric_dropped`], the animation timing with
    /// [`Metadata::timing_dropped`]). The registry asks again with each later page's
    /// [`EncodeOptions::frame_timings`](crate::EncodeOptions::frame_timings) entry alone.
    fn metadata_fit(&self, metadata: &Metadata, format: PixelFormat) -> Vec<MetadataNote> {
        let _ = format;
        if metadata.is_empty() {
            return Vec::new();
        }
        let name = &self.descriptor().name;
        let mut notes = metadata.drop_all(&format!("{name} cannot store metadata"));
        notes.retain(|n| {
            !matches!(
                n.item,
                MetadataItem::Photometric | MetadataItem::FrameTiming | MetadataItem::LoopCount
            )
        });
        notes.extend(metadata.photometric_dropped(name));
        notes.extend(metadata.timing_dropped(name));
        notes
    }
}

/// What an encode did: codec used, bytes written, exact or lossy and why. The texts are
/// shared (`Arc<str>`, cloned from the registry and the encoder), so making a report
/// allocates nothing; compare them as `&*report.codec == "png"`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EncodeReport {
    /// Codec that wrote the data.
    pub codec: Arc<str>,
    /// Format written.
    pub format: Arc<str>,
    /// Bytes written.
    pub bytes_written: u64,
    /// Pages written.
    pub pages: u32,
    /// True when decoding the output gives back the input bit for bit.
    pub exact: bool,
    /// Why the result is lossy (None when exact).
    pub lossy_reason: Option<Arc<str>>,
    /// Outcome of `verify`, when requested.
    pub verification: Option<Verification>,
    /// Metadata items given with [`EncodeOptions::metadata`](crate::EncodeOptions::metadata)
    /// that the output does not hold as given, each with why (`icc_profile: npy cannot
    /// store metadata`). Empty when everything was kept, or stripped by request.
    pub metadata_dropped: Vec<MetadataNote>,
}

/// The result of decoding the output again and comparing it with the input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verification {
    /// True when every sample matched bit for bit.
    pub identical: bool,
    /// Largest absolute difference of any sample.
    pub max_abs_diff: f64,
    /// Peak signal-to-noise ratio in dB (infinite when identical).
    pub psnr_db: f64,
}
