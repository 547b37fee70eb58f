//! Writing `.npy` arrays: one C-ordered, native-endian array of all pages, shaped by the
//! array facts carried in the metadata ([`NpyArray`]) where the image allows them.

use std::io::Write;

use super::header::header_bytes_with;
use crate::codec::Encoder;
use crate::error::{Error, Result};
use crate::image::ImageRef;
use crate::metadata::NpyArray;
use crate::options::ResolvedOptions;
use crate::sample::SampleType;

pub(super) struct NpyEncoder;

/// The array shape of `pages` pages of `h` x `w` x `c`: the page axis when there are several
/// pages or `facts.page_axis` asks for it, the channel axis when there are several channels,
/// `facts.channel_axis` asks for it, or a page axis precedes a width of at most 4 (which would
/// otherwise read back as channels). Returns the dimensions and how many are used.
pub(super) fn shape(pages: usize, h: usize, w: usize, c: usize, facts: NpyArray) -> ([usize; 4], usize) {
    let page_axis = pages > 1 || facts.page_axis;
    let channel_axis = c > 1 || facts.channel_axis || (page_axis && w <= 4);
    let mut dims = [0usize; 4];
    let mut n = 0;
    for (keep, d) in [(page_axis, pages), (true, h), (true, w), (channel_axis, c)] {
        if keep {
            dims[n] = d;
            n += 1;
        }
    }
    (dims, n)
}

/// Checks that every sample of U8 `pages` is 0 or 1, as a `bool` array must hold.
fn check_bool(pages: &[ImageRef<'_>]) -> Result<()> {
    for (i, p) in pages.iter().enumerate() {
        let c = p.format().channels();
        for (y, row) in p.rows().enumerate() {
            if let Some(k) = row.iter().position(|&v| v > 1) {
                return Err(Error::NotExact(format!(
                    "npy bool dtype: the metadata carries the array's bool dtype (Metadata::npy.bool_dtype), but sample {} at x={}, y={y}{} of page {i} is neither 0 nor 1; nothing was written. Clear Metadata::npy.bool_dtype (or strip the metadata) to write the samples as uint8",
                    row[k],
                    k / c,
                    if c > 1 { format!(", channel {}", k % c) } else { String::new() },
                )));
            }
        }
    }
    Ok(())
}

impl Encoder for NpyEncoder {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> Result<Option<std::sync::Arc<str>>> {
        let first = pages.first().ok_or_else(|| Error::invalid("no pages to encode"))?;
        for (i, p) in pages.iter().enumerate() {
            if (p.width(), p.height(), p.format()) != (first.width(), first.height(), first.format()) {
                return Err(Error::invalid(format!(
                    "npy stores one array: page {i} is {}x{} {} but page 0 is {}x{} {}",
                    p.width(),
                    p.height(),
                    p.format(),
                    first.width(),
                    first.height(),
                    first.format()
                )));
            }
        }
        let facts = options.metadata().map(|m| m.npy).unwrap_or_default();
        let sample = first.format().sample;
        let boolean = facts.bool_dtype && sample == SampleType::U8;
        if boolean {
            check_bool(pages)?;
        }
        let (dims, n) = shape(
            pages.len(),
            first.height() as usize,
            first.width() as usize,
            first.format().channels(),
            facts,
        );
        out.write_all(&header_bytes_with(sample, boolean, &dims[..n]))?;
        for p in pages {
            if p.is_contiguous() {
                out.write_all(p.as_bytes())?;
            } else {
                for row in p.rows() {
                    out.write_all(row)?;
                }
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims(pages: usize, h: usize, w: usize, c: usize, facts: NpyArray) -> Vec<usize> {
        let (d, n) = shape(pages, h, w, c, facts);
        d[..n].to_vec()
    }

    #[test]
    fn shapes_follow_the_image_and_the_facts() {
        let none = NpyArray::default();
        let ch = NpyArray {
            channel_axis: true,
            ..none
        };
        let pg = NpyArray {
            page_axis: true,
            ..none
        };
        let both = NpyArray { page_axis: true, ..ch };
        assert_eq!(dims(1, 5, 6, 1, none), [5, 6]);
        assert_eq!(dims(1, 5, 6, 3, none), [5, 6, 3]);
        assert_eq!(dims(3, 5, 6, 1, none), [3, 5, 6]);
        assert_eq!(dims(3, 5, 4, 1, none), [3, 5, 4, 1]);
        assert_eq!(dims(3, 5, 6, 2, none), [3, 5, 6, 2]);
        assert_eq!(dims(1, 5, 6, 1, ch), [5, 6, 1]);
        assert_eq!(dims(3, 5, 6, 1, ch), [3, 5, 6, 1]);
        assert_eq!(dims(1, 5, 6, 3, ch), [5, 6, 3]);
        assert_eq!(dims(1, 5, 6, 1, pg), [1, 5, 6]);
        assert_eq!(dims(1, 5, 4, 1, pg), [1, 5, 4, 1]);
        assert_eq!(dims(1, 5, 6, 3, pg), [1, 5, 6, 3]);
        assert_eq!(dims(1, 5, 6, 1, both), [1, 5, 6, 1]);
        assert_eq!(dims(2, 5, 6, 1, pg), [2, 5, 6]);
    }
}
