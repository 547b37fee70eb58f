//! Channel layouts and pixel formats.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::sample::SampleType;

/// What the channels of a pixel mean. Channel order is always as named (RGB, not BGR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Layout {
    /// One luminance channel.
    Gray,
    /// Luminance and alpha.
    GrayAlpha,
    /// Red, green, blue.
    Rgb,
    /// Red, green, blue, alpha (straight, not premultiplied).
    Rgba,
    /// Cyan, magenta, yellow, black.
    Cmyk,
}

impl Layout {
    /// Every layout, in declaration order.
    pub const ALL: [Layout; 5] = [Layout::Gray, Layout::GrayAlpha, Layout::Rgb, Layout::Rgba, Layout::Cmyk];

    /// Number of channels.
    pub const fn channels(self) -> usize {
        match self {
            Layout::Gray => 1,
            Layout::GrayAlpha => 2,
            Layout::Rgb => 3,
            Layout::Rgba | Layout::Cmyk => 4,
        }
    }

    /// The layout an array with `channels` channels holds: 1 Gray, 2 GrayAlpha, 3 Rgb,
    /// 4 Rgba (a count never means Cmyk); `None` for any other count.
    pub const fn from_channels(channels: usize) -> Option<Layout> {
        match channels {
            1 => Some(Layout::Gray),
            2 => Some(Layout::GrayAlpha),
            3 => Some(Layout::Rgb),
            4 => Some(Layout::Rgba),
            _ => None,
        }
    }

    /// True when the last channel is alpha.
    pub const fn has_alpha(self) -> bool {
        matches!(self, Layout::GrayAlpha | Layout::Rgba)
    }

    /// Name as written in messages (`Gray`, `GrayAlpha`, `Rgb`, `Rgba`, `Cmyk`).
    pub const fn name(self) -> &'static str {
        match self {
            Layout::Gray => "Gray",
            Layout::GrayAlpha => "GrayAlpha",
            Layout::Rgb => "Rgb",
            Layout::Rgba => "Rgba",
            Layout::Cmyk => "Cmyk",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Layout {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let norm: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match norm.as_str() {
            "gray" | "grey" | "l" => Ok(Layout::Gray),
            "grayalpha" | "greyalpha" | "la" => Ok(Layout::GrayAlpha),
            "rgb" => Ok(Layout::Rgb),
            "rgba" => Ok(Layout::Rgba),
            "cmyk" => Ok(Layout::Cmyk),
            _ => Err(Error::invalid(format!(
                "unknown layout '{s}'; expected Gray, GrayAlpha, Rgb, Rgba or Cmyk"
            ))),
        }
    }
}

/// A layout plus a sample type: everything needed to interpret pixel bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PixelFormat {
    /// Channel meaning.
    pub layout: Layout,
    /// Numeric type of each channel.
    pub sample: SampleType,
}

impl PixelFormat {
    /// Builds a pixel format.
    pub const fn new(layout: Layout, sample: SampleType) -> Self {
        PixelFormat { layout, sample }
    }

    /// Number of channels.
    pub const fn channels(self) -> usize {
        self.layout.channels()
    }

    /// Bytes per pixel.
    pub const fn bytes_per_pixel(self) -> usize {
        self.layout.channels() * self.sample.size()
    }

    /// Every (layout, sample) pair.
    pub fn all() -> impl Iterator<Item = PixelFormat> {
        Layout::ALL
            .into_iter()
            .flat_map(|l| SampleType::ALL.into_iter().map(move |s| PixelFormat::new(l, s)))
    }
}

impl fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.layout, self.sample)
    }
}

impl FromStr for PixelFormat {
    type Err = Error;
    /// Parses `"Rgb U8"`, `"rgb/u8"` or `"rgb:u8"`.
    fn from_str(s: &str) -> Result<Self, Error> {
        let mut parts = s.split([' ', '/', ':', ',']);
        let (Some(l), Some(t), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(Error::invalid(format!("pixel format '{s}' should look like 'Rgb U8'")));
        };
        Ok(PixelFormat::new(l.parse()?, t.parse()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_channels_inverts_channels_except_cmyk() {
        for layout in Layout::ALL {
            let back = Layout::from_channels(layout.channels());
            if layout == Layout::Cmyk {
                assert_eq!(back, Some(Layout::Rgba));
            } else {
                assert_eq!(back, Some(layout));
            }
        }
        assert_eq!(Layout::from_channels(0), None);
        assert_eq!(Layout::from_channels(5), None);
    }
}
