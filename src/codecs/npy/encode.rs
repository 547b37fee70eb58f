//! Writing `.npy` arrays: one C-ordered, native-endian array of all pages.

use std::io::Write;

use super::header::header_bytes;
use crate::codec::Encoder;
use crate::error::{Error, Result};
use crate::image::ImageRef;
use crate::options::ResolvedOptions;

pub(super) struct NpyEncoder;

impl Encoder for NpyEncoder {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        _options: &ResolvedOptions,
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
        let (h, w, c) = (
            first.height() as usize,
            first.width() as usize,
            first.format().channels(),
        );
        let dims = [pages.len(), h, w, c];
        let shape: &[usize] = match (pages.len(), c) {
            (1, 1) => &dims[1..3],
            (1, _) => &dims[1..4],
            (_, 1) if w > 4 => &dims[0..3],
            (_, _) => &dims[0..4],
        };
        out.write_all(&header_bytes(first.format().sample, shape))?;
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
