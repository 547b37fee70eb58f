//! Metadata carried beside the pixels: the [`Metadata`] model (ICC profile, EXIF and its
//! orientation, XMP, resolution, text entries, the array facts of a `.npy` source, the
//! photometric convention, an animation frame's timing and the loop count, TIFF tags kept as
//! stored), how an
//! encode treats it ([`MetadataPolicy`]) and what an encode reports about items it could not
//! keep ([`MetadataNote`]).
//!
//! Decoders fill [`Metadata`] exactly as the file stores it (no normalisation, EXIF never
//! re-encoded) into [`ImageInfo::metadata`](crate::ImageInfo::metadata). Encodes take it
//! through [`EncodeOptions::metadata`](crate::EncodeOptions::metadata): the codec writes every
//! item its format can hold, on the first page, and the
//! [`EncodeReport::metadata_dropped`](crate::EncodeReport::metadata_dropped) list names each
//! item it could not hold and why, decided before anything is written
//! ([`Codec::metadata_fit`](crate::Codec::metadata_fit)). An item the source held in a form
//! that could not be read is left out and named in [`Metadata::unreadable`].

pub mod exif;
pub mod icc;
pub mod xmp;

use std::fmt;

mod meaning;
mod npy;
pub(crate) mod tiff_ifd;
pub mod tiff_tags;
pub use meaning::{Disposal, FrameTiming, Photometric};
pub use npy::NpyArray;
pub use tiff_tags::TiffTag;

/// The unit of a [`Resolution`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResolutionUnit {
    /// No absolute unit: `x` and `y` only give the pixel aspect ratio.
    None,
    /// Dots per inch.
    Inch,
    /// Dots per centimetre.
    Centimeter,
    /// Dots per metre (PNG `pHYs`).
    Meter,
}

impl ResolutionUnit {
    /// Length of the unit in inches (`None` for [`ResolutionUnit::None`]).
    fn inches(self) -> Option<f64> {
        match self {
            ResolutionUnit::None => None,
            ResolutionUnit::Inch => Some(1.0),
            ResolutionUnit::Centimeter => Some(1.0 / 2.54),
            ResolutionUnit::Meter => Some(100.0 / 2.54),
        }
    }
}

impl fmt::Display for ResolutionUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResolutionUnit::None => "(no unit)",
            ResolutionUnit::Inch => "inch",
            ResolutionUnit::Centimeter => "centimetre",
            ResolutionUnit::Meter => "metre",
        })
    }
}

/// Pixel density as stored: `x` and `y` pixels per `unit`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolution {
    /// Horizontal pixels per unit.
    pub x: f64,
    /// Vertical pixels per unit.
    pub y: f64,
    /// The unit (or none: aspect ratio only).
    pub unit: ResolutionUnit,
}

impl Resolution {
    /// A resolution of `x` by `y` pixels per `unit`.
    pub fn new(x: f64, y: f64, unit: ResolutionUnit) -> Self {
        Resolution { x, y, unit }
    }

    /// The same density in another unit (`None` when either unit is [`ResolutionUnit::None`]).
    pub fn to_unit(&self, unit: ResolutionUnit) -> Option<(f64, f64)> {
        if self.unit == unit {
            return Some((self.x, self.y));
        }
        let k = unit.inches()? / self.unit.inches()?;
        Some((self.x * k, self.y * k))
    }

    /// Dots per inch (`None` without an absolute unit).
    pub fn dpi(&self) -> Option<(f64, f64)> {
        self.to_unit(ResolutionUnit::Inch)
    }

    /// True when both give the same density (within 1e-9 relative), whatever their units.
    pub fn same_density(&self, other: &Resolution) -> bool {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
        match other.to_unit(self.unit) {
            Some((x, y)) => close(x, self.x) && close(y, self.y),
            None => self.unit == other.unit && close(self.x, other.x) && close(self.y, other.y),
        }
    }
}

/// One text entry (PNG `tEXt`/`zTXt`/`iTXt`; TIFF ImageDescription, Software, DateTime,
/// Artist, Copyright under those tag names as keywords).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEntry {
    /// The keyword (PNG: 1..=79 Latin-1 characters).
    pub keyword: String,
    /// The text.
    pub value: String,
    /// Language tag (PNG `iTXt` only), e.g. `en-GB`.
    pub language: Option<String>,
}

impl TextEntry {
    /// An entry without language tag.
    pub fn new(keyword: &str, value: &str) -> Self {
        TextEntry {
            keyword: keyword.to_string(),
            value: value.to_string(),
            language: None,
        }
    }
}

/// Metadata carried alongside pixels. Plain data; every item is optional.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Metadata {
    /// Embedded ICC colour profile bytes.
    pub icc_profile: Option<Vec<u8>>,
    /// Raw EXIF bytes as stored (TIFF-structured, without the `Exif\0\0` prefix).
    pub exif: Option<Vec<u8>>,
    /// Orientation (1..=8): EXIF tag 0x0112 of [`Metadata::exif`], or TIFF tag 274. Encoders
    /// write it into the EXIF they store (patched in place when the EXIF holds the tag with
    /// another value; a minimal EXIF block when there is none) or as TIFF tag 274.
    pub orientation: Option<u16>,
    /// XMP packet bytes (UTF-8 XML) as stored.
    pub xmp: Option<Vec<u8>>,
    /// Pixel density as stored (unit kept).
    pub resolution: Option<Resolution>,
    /// Text entries in file order.
    pub text: Vec<TextEntry>,
    /// Items the file held in a form that could not be read, each with why (e.g.
    /// `exif: IFD0 offset 4000 is outside the 120-byte block`); they are not carried.
    pub unreadable: Vec<String>,
    /// Shape and dtype facts of a `.npy` source that the image leaves out (a channel or page
    /// axis of length 1, the `bool` dtype); only the npy codec writes them.
    pub npy: NpyArray,
    /// How the samples map to light or ink when the file uses a convention other than the
    /// layout's plain one (TIFF WhiteIsZero gray, Adobe's inverted CMYK JPEG); `None` for the
    /// plain convention. Changing it changes what the picture shows, so an encode that cannot
    /// say it reports it as dropped ([`MetadataItem::Photometric`]).
    pub photometric: Option<Photometric>,
    /// This page's animation timing (GIF, WebP frames): delay and disposal.
    pub frame: Option<FrameTiming>,
    /// How many times the animation plays in total, 0 for forever (WebP's ANIM loop count as
    /// stored; a GIF NETSCAPE2.0 repeat count n > 0 is n + 1 plays, its 0 is forever). On the
    /// first page of an animation; `None` when the file says nothing (a GIF without the
    /// NETSCAPE2.0 extension, which viewers play once).
    pub loop_count: Option<u32>,
    /// TIFF tags kept as stored, in tag order: GeoTIFF's georeferencing, GDAL's metadata, a
    /// camera's private tags (every tag that is neither the page structure nor another item,
    /// see [`tiff_tags`]). TIFF writes them back; other formats report each one dropped.
    pub tiff_tags: Vec<TiffTag>,
}

impl Metadata {
    /// True when no item is set ([`Metadata::unreadable`] does not count).
    pub fn is_empty(&self) -> bool {
        self.icc_profile.is_none()
            && self.exif.is_none()
            && self.orientation.is_none()
            && self.xmp.is_none()
            && self.resolution.is_none()
            && self.text.is_empty()
            && self.npy.is_empty()
            && self.photometric.is_none()
            && self.frame.is_none()
            && self.loop_count.is_none()
            && self.tiff_tags.is_empty()
    }

    /// Keywords of the text entries, in file order (PNG: tEXt, zTXt and iTXt chunks).
    pub fn text_keys(&self) -> Vec<&str> {
        self.text.iter().map(|t| t.keyword.as_str()).collect()
    }

    /// Resolution in dots per inch (x, y), when it has an absolute unit.
    pub fn dpi(&self) -> Option<(f64, f64)> {
        self.resolution.and_then(|r| r.dpi())
    }

    /// Names of the items present (`icc`, `dpi` for the resolution, `exif`, `orientation`,
    /// `xmp`, `text`, `npy_channel_axis`, `npy_page_axis`, `npy_bool`, `photometric`,
    /// `frame_timing`, `loop_count`, `tiff_tags`).
    pub fn present(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.icc_profile.is_some() {
            v.push("icc");
        }
        if self.resolution.is_some() {
            v.push("dpi");
        }
        if self.exif.is_some() {
            v.push("exif");
        }
        if self.orientation.is_some() {
            v.push("orientation");
        }
        if self.xmp.is_some() {
            v.push("xmp");
        }
        if !self.text.is_empty() {
            v.push("text");
        }
        v.extend(self.npy.items().map(|i| match i {
            MetadataItem::NpyChannelAxis => "npy_channel_axis",
            MetadataItem::NpyPageAxis => "npy_page_axis",
            _ => "npy_bool",
        }));
        if self.photometric.is_some() {
            v.push("photometric");
        }
        if self.frame.is_some() {
            v.push("frame_timing");
        }
        if self.loop_count.is_some() {
            v.push("loop_count");
        }
        if !self.tiff_tags.is_empty() {
            v.push("tiff_tags");
        }
        v
    }

    /// Every item present, each text entry separately.
    pub fn items(&self) -> Vec<MetadataItem> {
        let mut v = Vec::new();
        if self.icc_profile.is_some() {
            v.push(MetadataItem::IccProfile);
        }
        if self.exif.is_some() {
            v.push(MetadataItem::Exif);
        }
        if self.orientation.is_some() {
            v.push(MetadataItem::Orientation);
        }
        if self.xmp.is_some() {
            v.push(MetadataItem::Xmp);
        }
        if self.resolution.is_some() {
            v.push(MetadataItem::Resolution);
        }
        v.extend(self.text.iter().map(|t| MetadataItem::Text(t.keyword.clone())));
        v.extend(self.npy.items());
        if self.photometric.is_some() {
            v.push(MetadataItem::Photometric);
        }
        if self.frame.is_some() {
            v.push(MetadataItem::FrameTiming);
        }
        if self.loop_count.is_some() {
            v.push(MetadataItem::LoopCount);
        }
        v.extend(self.tiff_tags.iter().map(|t| MetadataItem::TiffTag(t.tag)));
        v
    }

    /// Notes for the byte items given but empty (ICC, EXIF, XMP): no encoder writes them.
    pub fn empty_items(&self) -> Vec<MetadataNote> {
        [
            (&self.icc_profile, MetadataItem::IccProfile),
            (&self.exif, MetadataItem::Exif),
            (&self.xmp, MetadataItem::Xmp),
        ]
        .into_iter()
        .filter(|(v, _)| v.as_ref().is_some_and(|v| v.is_empty()))
        .map(|(_, item)| MetadataNote::new(item, "it is empty and is not written"))
        .collect()
    }

    /// One note per item present, each dropped for `reason` (what a codec that writes no
    /// metadata reports).
    pub fn drop_all(&self, reason: &str) -> Vec<MetadataNote> {
        self.items()
            .into_iter()
            .map(|item| MetadataNote::new(item, reason))
            .collect()
    }
}

/// One metadata item, as named in reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MetadataItem {
    /// [`Metadata::icc_profile`].
    IccProfile,
    /// [`Metadata::exif`].
    Exif,
    /// [`Metadata::orientation`].
    Orientation,
    /// [`Metadata::xmp`].
    Xmp,
    /// [`Metadata::resolution`].
    Resolution,
    /// One of [`Metadata::text`], by keyword.
    Text(String),
    /// [`NpyArray::channel_axis`] of [`Metadata::npy`].
    NpyChannelAxis,
    /// [`NpyArray::page_axis`] of [`Metadata::npy`].
    NpyPageAxis,
    /// [`NpyArray::bool_dtype`] of [`Metadata::npy`].
    NpyBool,
    /// [`Metadata::photometric`].
    Photometric,
    /// [`Metadata::frame`].
    FrameTiming,
    /// [`Metadata::loop_count`].
    LoopCount,
    /// One of [`Metadata::tiff_tags`], by tag number.
    TiffTag(u16),
}

impl MetadataItem {
    /// True for the facts of [`Metadata::npy`].
    pub fn is_npy(&self) -> bool {
        matches!(
            self,
            MetadataItem::NpyChannelAxis | MetadataItem::NpyPageAxis | MetadataItem::NpyBool
        )
    }
}

impl fmt::Display for MetadataItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetadataItem::IccProfile => f.write_str("icc_profile"),
            MetadataItem::Exif => f.write_str("exif"),
            MetadataItem::Orientation => f.write_str("orientation"),
            MetadataItem::Xmp => f.write_str("xmp"),
            MetadataItem::Resolution => f.write_str("resolution"),
            MetadataItem::Text(k) => write!(f, "text '{k}'"),
            MetadataItem::NpyChannelAxis => f.write_str("npy channel axis"),
            MetadataItem::NpyPageAxis => f.write_str("npy page axis"),
            MetadataItem::NpyBool => f.write_str("npy bool dtype"),
            MetadataItem::Photometric => f.write_str("photometric"),
            MetadataItem::FrameTiming => f.write_str("frame timing"),
            MetadataItem::LoopCount => f.write_str("loop count"),
            MetadataItem::TiffTag(t) => write!(f, "tiff tag {t}"),
        }
    }
}

/// An item an encode did not keep as given, and why (`icc_profile: npy cannot store
/// metadata`). Items written only approximately (a resolution rounded to what the format
/// can hold) are listed too, the reason saying what was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataNote {
    /// The item.
    pub item: MetadataItem,
    /// Why it was dropped (or what was written instead).
    pub reason: String,
}

impl MetadataNote {
    /// A note on `item`.
    pub fn new(item: MetadataItem, reason: impl Into<String>) -> Self {
        MetadataNote {
            item,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for MetadataNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.item, self.reason)
    }
}

/// What an encode does with [`EncodeOptions::metadata`](crate::EncodeOptions::metadata).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum MetadataPolicy {
    /// Write every item the format can hold; list the rest in the report.
    #[default]
    Keep,
    /// Fail before writing anything when any item would be dropped or changed
    /// (`require_exact` implies it).
    Strict,
    /// Write no metadata items, by request (nothing is reported). The photometric convention
    /// ([`Metadata::photometric`]) is not an item but what the samples mean, so it stays: TIFF
    /// still writes WhiteIsZero, and a format that cannot state a convention reports it, as
    /// JPEG reports plain CMYK samples (its Adobe marker makes readers show them inverted).
    Strip,
}

impl MetadataPolicy {
    /// Parses `keep`, `strict` or `strip`.
    pub fn parse(s: &str) -> Option<MetadataPolicy> {
        match s.to_ascii_lowercase().as_str() {
            "keep" => Some(MetadataPolicy::Keep),
            "strict" => Some(MetadataPolicy::Strict),
            "strip" => Some(MetadataPolicy::Strip),
            _ => None,
        }
    }
}

/// `v` as a whole number in `1..=max`, when it is one (within 1e-6).
pub(crate) fn whole(v: f64, max: u32) -> Option<u32> {
    let r = v.round();
    ((v - r).abs() <= 1e-6 && r >= 1.0 && r <= f64::from(max)).then_some(r as u32)
}
