//! What a decoder reports about an image before decoding it: [`ImageInfo`] (with its
//! [`Metadata`], defined in [`crate::metadata`]).

use crate::format::PixelFormat;
pub use crate::metadata::Metadata;

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
    /// 12-bit TIFF or JPEG decoded to `U16`, `Some(1)` for a 1-bit PNG or TIFF decoded to
    /// `U8`); `None` when the file uses the type's full width. The rule in every codec:
    /// `Some(n)` means the decoded values are the stored `n`-bit values, in the low bits
    /// (0..=2^n-1), never scaled up. Encoders that can store it take it back as their
    /// `significant_bits` option (PNG, TIFF).
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
