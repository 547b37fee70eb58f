//! Fields that carry what the samples mean rather than extra data: the photometric convention
//! ([`Photometric`]) and animation timing ([`FrameTiming`], [`Disposal`]).

use std::fmt;

use super::{Metadata, MetadataItem, MetadataNote};
use crate::format::Layout;

/// A sample convention other than the layout's plain one. Encoders that can state it write
/// it back; others report it as dropped, and converting the samples to the plain convention
/// is an explicit step (`pixcodec::convert::apply_invert`, CLI `convert --invert`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Photometric {
    /// Gray samples where 0 is white and the maximum is black (TIFF
    /// `PhotometricInterpretation` 0, common in scanned and fax documents).
    WhiteIsZero,
    /// CMYK samples stored inverted, 0 meaning full ink (Adobe's convention, marked by an
    /// APP14 "Adobe" segment in JPEG files Photoshop writes).
    AdobeInvertedCmyk,
}

impl fmt::Display for Photometric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Photometric::WhiteIsZero => "white-is-zero",
            Photometric::AdobeInvertedCmyk => "adobe-inverted-cmyk",
        })
    }
}

impl Photometric {
    /// The inverted convention of `layout`, if it has one: `WhiteIsZero` for gray (with or
    /// without alpha), `AdobeInvertedCmyk` for CMYK; colour (RGB, RGBA) has none.
    pub fn inverted_for(layout: Layout) -> Option<Photometric> {
        match layout {
            Layout::Gray | Layout::GrayAlpha => Some(Photometric::WhiteIsZero),
            Layout::Cmyk => Some(Photometric::AdobeInvertedCmyk),
            Layout::Rgb | Layout::Rgba => None,
        }
    }

    /// True when the convention applies to samples of `layout`.
    pub fn applies_to(self, layout: Layout) -> bool {
        Photometric::inverted_for(layout) == Some(self)
    }
}

/// The Rust name of the conversion that keeps the picture when a convention cannot be stated
/// ([`Remedy::Invert`](crate::convert::Remedy::Invert); the CLI and C ABI show their own).
fn invert_remedy() -> String {
    crate::convert::Remedy::Invert.text(crate::convert::Surface::Rust)
}

impl Metadata {
    /// The note for [`Metadata::photometric`] when `codec` cannot state the convention (`None`
    /// when it is the plain one): the samples would be read back in the plain convention, so
    /// the picture would show inverted. Codecs that store metadata but not this convention add
    /// it to their [`Codec::metadata_fit`](crate::Codec::metadata_fit) notes.
    pub fn photometric_dropped(&self, codec: &str) -> Option<MetadataNote> {
        let p = self.photometric?;
        let plain = match p {
            Photometric::WhiteIsZero => "0 is read as black",
            Photometric::AdobeInvertedCmyk => "0 is read as no ink",
        };
        Some(MetadataNote::new(
            MetadataItem::Photometric,
            format!(
                "{codec} cannot state {p} ({plain} there, so the picture would show inverted); \
                 convert with {} to keep the picture",
                invert_remedy()
            ),
        ))
    }

    /// The note for [`Metadata::photometric`] when it does not apply to samples of `layout`
    /// (white-is-zero on CMYK, Adobe's inverted CMYK on gray, either on RGB).
    pub(crate) fn photometric_mismatch(&self, layout: Layout) -> Option<MetadataNote> {
        let p = self.photometric.filter(|p| !p.applies_to(layout))?;
        Some(MetadataNote::new(
            MetadataItem::Photometric,
            format!(
                "{p} describes {} samples and the image is {layout}; it is not written",
                match p {
                    Photometric::WhiteIsZero => "gray",
                    Photometric::AdobeInvertedCmyk => "CMYK",
                }
            ),
        ))
    }
}

impl Metadata {
    /// The notes for [`Metadata::frame`] and [`Metadata::loop_count`] when `codec` stores
    /// still images only (PNG, JPEG, TIFF, npy): the pages are written, their timing is not.
    /// Every still-image codec's [`Codec::metadata_fit`](crate::Codec::metadata_fit) adds them.
    pub fn timing_dropped(&self, codec: &str) -> Vec<MetadataNote> {
        let mut notes = Vec::new();
        if let Some(t) = self.frame {
            notes.push(MetadataNote::new(
                MetadataItem::FrameTiming,
                format!(
                    "{codec} stores still images, not animation frames: the delay ({} ms) and disposal ({}) are not kept",
                    t.delay_ms, t.disposal
                ),
            ));
        }
        if let Some(n) = self.loop_count {
            notes.push(MetadataNote::new(
                MetadataItem::LoopCount,
                format!(
                    "{codec} stores still images, not animations: the loop count ({}) is not kept",
                    LoopCount(n)
                ),
            ));
        }
        notes
    }
}

/// A [`Metadata::loop_count`] as text: `forever` for 0, otherwise `n plays`.
pub(crate) struct LoopCount(pub u32);

impl fmt::Display for LoopCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => f.write_str("forever"),
            1 => f.write_str("1 play"),
            n => write!(f, "{n} plays"),
        }
    }
}

impl fmt::Display for Disposal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Disposal::Keep => "keep",
            Disposal::Background => "background",
            Disposal::Previous => "previous",
        })
    }
}

impl Disposal {
    /// Parses `keep`, `background` or `previous` (the [`Display`](fmt::Display) names).
    pub fn parse(s: &str) -> Option<Disposal> {
        match s.to_ascii_lowercase().as_str() {
            "keep" => Some(Disposal::Keep),
            "background" => Some(Disposal::Background),
            "previous" => Some(Disposal::Previous),
            _ => None,
        }
    }
}

/// What happens to a frame's area before the next frame is drawn (GIF disposal method, WebP
/// dispose flag).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Disposal {
    /// Leave the frame in place (GIF 0 "unspecified" and 1 "do not dispose"; WebP "none").
    #[default]
    Keep,
    /// Clear the frame's area to the background (GIF 2; WebP "dispose to background").
    Background,
    /// Restore what was there before the frame (GIF 3; WebP has no such method).
    Previous,
}

/// Timing of one animation frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FrameTiming {
    /// How long the frame shows, in milliseconds (GIF stores hundredths of a second).
    pub delay_ms: u32,
    /// What happens to the frame's area afterwards.
    pub disposal: Disposal,
}
