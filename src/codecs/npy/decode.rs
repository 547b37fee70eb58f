//! Reading `.npy` arrays: the header checks, then C- or Fortran-ordered pages copied out.

use std::borrow::Cow;

use super::header::{geometry, parse_header, Header};
use super::{bad, MAGIC, NAME};
use crate::codec::{Decoder, Source};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::ImageMut;
use crate::info::ImageInfo;
use crate::limits::Limits;
use crate::metadata::NpyArray;

pub(super) struct NpyDecoder<'a> {
    data: Cow<'a, [u8]>,
    header: Header,
    offset: usize,
    page: usize,
    pages: usize,
    info: ImageInfo,
}

impl<'a> NpyDecoder<'a> {
    /// Parses the header of `source` and checks it against `limits` and the data present.
    pub(super) fn open(source: Source<'a>, limits: &Limits) -> Result<Self> {
        let data = source.into_bytes(limits)?;
        if data.len() < 10 || !data.starts_with(MAGIC) {
            return Err(bad("not an .npy file (missing \\x93NUMPY magic)"));
        }
        let (major, minor) = (data[6], data[7]);
        let (hlen, hstart): (usize, usize) = match major {
            1 => (u16::from_le_bytes([data[8], data[9]]) as usize, 10),
            2 | 3 => {
                let b = data.get(8..12).ok_or_else(|| bad("truncated header"))?;
                (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 12)
            }
            _ => return Err(Error::Unsupported(format!("npy format version {major}.{minor}"))),
        };
        let dict = data
            .get(hstart..hstart.saturating_add(hlen))
            .ok_or_else(|| bad(format!("truncated header: {hlen} header bytes announced")))?;
        let header = parse_header(dict)?;
        let (pages, h, w, c) = geometry(&header.shape)?;
        let layout = Layout::from_channels(c)
            .ok_or_else(|| Error::Unsupported(format!("npy arrays with {c} channels are not images")))?;
        let format = PixelFormat::new(layout, header.sample);
        limits.check_pages(pages as u64)?;
        let page_bytes = limits.check_image(w as u32, h as u32, format)?;
        let need = page_bytes
            .checked_mul(pages as u64)
            .ok_or_else(|| Error::Limits("npy array size overflows".into()))?;
        limits.check_alloc(need)?;
        let offset = hstart + hlen;
        let have = (data.len() - offset) as u64;
        if have < need {
            return Err(bad(format!("truncated data: {need} bytes needed, {have} present")));
        }
        let mut info = ImageInfo::new(w as u32, h as u32, format, NAME, "npy");
        info.pages = pages as u32;
        info.metadata.npy = facts(&header);
        Ok(NpyDecoder {
            data,
            header,
            offset,
            page: 0,
            pages,
            info,
        })
    }
}

/// The facts of the array that the image leaves out: an axis of length 1 that `geometry`
/// folds away (a channel axis on Gray, a page axis on one page) and the `bool` dtype.
fn facts(header: &Header) -> NpyArray {
    let shape = &header.shape;
    // `geometry`'s rule: a 3-D shape has channels when its last axis is 1..=4, pages otherwise.
    let has_channels = shape.len() == 4 || (shape.len() == 3 && (1..=4).contains(&shape[2]));
    let has_pages = shape.len() == 4 || (shape.len() == 3 && !has_channels);
    NpyArray {
        channel_axis: has_channels && shape.last() == Some(&1),
        page_axis: has_pages && shape[0] == 1,
        bool_dtype: header.boolean,
    }
}

impl Decoder for NpyDecoder<'_> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn decode_into(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        let info = &self.info;
        out.expect_shape(info.width, info.height, info.format)?;
        let size = info.format.sample.size();
        let (h, w, c) = (info.height as usize, info.width as usize, info.format.channels());
        let swap = self.header.big_endian != cfg!(target_endian = "big") && size > 1;
        let body = &self.data[self.offset..];
        if !self.header.fortran {
            let row = w * c * size;
            let start = self.page * h * row;
            out.copy_from_packed(&body[start..start + h * row])?;
            if swap {
                for y in 0..h {
                    out.row_mut(y as u32).chunks_exact_mut(size).for_each(|s| s.reverse());
                }
            }
        } else {
            // Column-major: the first axis varies fastest.
            let shape = &self.header.shape;
            let mut strides = vec![1usize; shape.len()];
            for k in 1..shape.len() {
                strides[k] = strides[k - 1] * shape[k - 1];
            }
            let (s_page, s_y, s_x, s_c) = match shape.len() {
                2 => (0, strides[0], strides[1], 0),
                // The same rule as `geometry`: a last axis of 1..=4 is channels. (Testing
                // `pages == 1` instead misread an F-order (1, H, W) stack as (H, W, C).)
                3 if (1..=4).contains(&shape[2]) => (0, strides[0], strides[1], strides[2]),
                3 => (strides[0], strides[1], strides[2], 0),
                _ => (strides[0], strides[1], strides[2], strides[3]),
            };
            for y in 0..h {
                let dst = out.row_mut(y as u32);
                for x in 0..w {
                    for ch in 0..c {
                        let e = self.page * s_page + y * s_y + x * s_x + ch * s_c;
                        let d = &mut dst[(x * c + ch) * size..(x * c + ch + 1) * size];
                        d.copy_from_slice(&body[e * size..(e + 1) * size]);
                        if swap {
                            d.reverse();
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn next_page(&mut self) -> Result<bool> {
        if self.page + 1 >= self.pages {
            return Ok(false);
        }
        self.page += 1;
        Ok(true)
    }
}
