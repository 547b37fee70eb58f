//! Fields that carry what the samples mean rather than extra data: the photometric convention
//! ([`Photometric`]) and animation timing ([`FrameTiming`], [`Disposal`]).

use std::fmt;

/// A sample convention other than the layout's plain one. Encoders that can state it write
/// it back; others report it as dropped, and converting the samples to the plain convention
/// is an explicit step (`pixcodec::convert::invert`, CLI `convert --invert`).
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
