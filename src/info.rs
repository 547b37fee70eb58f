//! What a decoder reports about an image before decoding it: [`ImageInfo`] and [`Metadata`].

use crate::format::PixelFormat;

/// Metadata carried alongside pixels. Plain data; every field is optional.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Metadata {
    /// Embedded ICC colour profile bytes.
    pub icc_profile: Option<Vec<u8>>,
    /// Resolution in dots per inch (x, y).
    pub dpi: Option<(f64, f64)>,
    /// Raw EXIF bytes (TIFF-structured, without the `Exif\0\0` prefix).
    pub exif: Option<Vec<u8>>,
    /// EXIF orientation (1..=8) when the backend exposes it.
    pub orientation: Option<u16>,
    /// Keywords of the file's text entries (PNG: tEXt, then zTXt, then iTXt).
    pub text_keys: Vec<String>,
}

impl Metadata {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self.icc_profile.is_none()
            && self.dpi.is_none()
            && self.exif.is_none()
            && self.orientation.is_none()
            && self.text_keys.is_empty()
    }

    /// Names of the fields that are present (`icc`, `dpi`, `exif`, `orientation`, `text`).
    pub fn present(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.icc_profile.is_some() {
            v.push("icc");
        }
        if self.dpi.is_some() {
            v.push("dpi");
        }
        if self.exif.is_some() {
            v.push("exif");
        }
        if self.orientation.is_some() {
            v.push("orientation");
        }
        if !self.text_keys.is_empty() {
            v.push("text");
        }
        v
    }
}

/// Header facts about an encoded image, available without decoding pixels.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ImageInfo {
    /// Width in pixels (of the current page).
    pub width: u32,
    /// Height in pixels (of the current page).
    pub height: u32,
    /// Pixel format the decoder produces for the current page (the file's own type).
    pub format: PixelFormat,
    /// Number of pages (1 for single-image formats).
    pub pages: u32,
    /// Name of the codec that read the header (e.g. `png`, `jpeg-turbo`).
    pub codec: String,
    /// Format name (e.g. `png`, `jpeg`, `tiff`).
    pub format_name: String,
    /// True when the file itself stores lossy-compressed data (e.g. any JPEG).
    pub lossy_source: bool,
    /// Metadata found in the header.
    pub metadata: Metadata,
    /// Set when the file name's extension and the sniffed content disagree; says which won.
    pub content_note: Option<String>,
    /// The stored bits per sample when narrower than the sample type (e.g. `Some(12)` for a
    /// 12-bit TIFF decoded to `U16`); `None` when the file uses the type's full width.
    pub significant_bits: Option<u8>,
}

impl ImageInfo {
    /// Builds an info record; other fields start empty.
    pub fn new(width: u32, height: u32, format: PixelFormat, codec: &str, format_name: &str) -> Self {
        ImageInfo {
            width,
            height,
            format,
            pages: 1,
            codec: codec.to_string(),
            format_name: format_name.to_string(),
            lossy_source: false,
            metadata: Metadata::default(),
            content_note: None,
            significant_bits: None,
        }
    }

    /// Bytes needed for one tightly packed page.
    pub fn packed_len(&self) -> usize {
        self.width as usize * self.height as usize * self.format.bytes_per_pixel()
    }
}
