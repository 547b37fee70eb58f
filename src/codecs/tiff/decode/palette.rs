//! Palette pages (PhotometricInterpretation 3), expanded as PNG palettes are: to `Rgb` with
//! the colour map's values. TIFF's ColorMap holds 16-bit entries; when every entry is a
//! multiple of 257 (an 8-bit colour `c` stored as `c * 257`, what libtiff's tools and Pillow
//! write) the page decodes to `Rgb U8` (`entry / 257`, exact, as a PNG palette does), otherwise
//! to `Rgb U16` with the entries as stored. An index past the colour map is a decode error.

use tiff::tags::Tag;

use super::{guarded, TiffDecoder, NAME};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::{Image, ImageMut};
use crate::sample::SampleType;

/// A page's colour map: `3 * 2^bits` entries, all reds, then greens, then blues.
pub(super) struct Palette {
    map: Vec<u16>,
    /// Every entry is a multiple of 257: the page decodes to `Rgb U8`.
    eight_bit: bool,
}

impl Palette {
    fn format(&self) -> PixelFormat {
        let sample = if self.eight_bit {
            SampleType::U8
        } else {
            SampleType::U16
        };
        PixelFormat::new(Layout::Rgb, sample)
    }
}

impl TiffDecoder<'_> {
    /// Reads the current page's colour map when it is a palette page and sets the format the
    /// page decodes to (no significant bits: the values are the map's, at its full width).
    pub(super) fn load_palette(&mut self) -> Result<()> {
        self.palette = None;
        if !self.page.palette {
            return Ok(());
        }
        let dec = &mut self.dec;
        let map = guarded(|| dec.find_tag_unsigned_vec::<u16>(Tag::ColorMap))?
            .ok_or_else(|| Error::decode(NAME, "palette image without a ColorMap tag"))?;
        let want = 3usize << self.page.bits;
        if map.len() != want {
            return Err(Error::decode(
                NAME,
                format!(
                    "ColorMap of {} entries for {}-bit indices (expected {want})",
                    map.len(),
                    self.page.bits
                ),
            ));
        }
        let eight_bit = map.iter().all(|&v| v % 257 == 0);
        let palette = Palette { map, eight_bit };
        self.info.format = palette.format();
        self.info.significant_bits = None;
        self.palette = Some(palette);
        Ok(())
    }

    /// Decodes the indices of the page, then writes their colours into `out`.
    pub(super) fn read_palette(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        let p = self.page;
        let Some(palette) = self.palette.take() else {
            return Err(Error::invalid("not a palette page"));
        };
        let format = palette.format();
        let indices = out.expect_shape(p.width, p.height, format).and_then(|()| {
            self.limits.check_image(p.width, p.height, p.format)?;
            let mut idx = Image::new(p.width, p.height, p.format)?;
            crate::codec::Decoder::decode_into(self, idx.as_mut())?;
            Ok(idx)
        });
        self.palette = Some(palette);
        let indices = indices?;
        let palette = self.palette.as_ref().expect("put back above");
        let n = palette.map.len() / 3;
        let (r, g, b) = (&palette.map[..n], &palette.map[n..2 * n], &palette.map[2 * n..]);
        for y in 0..p.height {
            let src = indices.row(y);
            let index = |x: usize| -> Result<usize> {
                let i = match p.format.sample {
                    SampleType::U16 => usize::from(u16::from_ne_bytes([src[2 * x], src[2 * x + 1]])),
                    _ => usize::from(src[x]),
                };
                if i >= n {
                    return Err(Error::decode(
                        NAME,
                        format!("palette index {i} at pixel ({x}, {y}) is past the {n}-entry ColorMap"),
                    ));
                }
                Ok(i)
            };
            let row = out.row_mut(y);
            if palette.eight_bit {
                for (x, px) in row.chunks_exact_mut(3).enumerate() {
                    let i = index(x)?;
                    px.copy_from_slice(&[(r[i] / 257) as u8, (g[i] / 257) as u8, (b[i] / 257) as u8]);
                }
            } else {
                for (x, px) in row.chunks_exact_mut(6).enumerate() {
                    let i = index(x)?;
                    px[0..2].copy_from_slice(&r[i].to_ne_bytes());
                    px[2..4].copy_from_slice(&g[i].to_ne_bytes());
                    px[4..6].copy_from_slice(&b[i].to_ne_bytes());
                }
            }
        }
        Ok(())
    }
}
