//! [`Volume`]: equally sized pages stored one after another.

use super::{Image, ImageMut, ImageRef};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::sample::Sample;

/// A 3-D stack of equally sized pages sharing one pixel format, stored contiguously
/// (page after page). TIFF stores it as a multi-page file; `.npy` as an N x H x W array.
#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    depth: u32,
    page_height: u32,
    image: Image,
}

impl Volume {
    /// A zero-filled volume.
    pub fn new(width: u32, height: u32, depth: u32, format: PixelFormat) -> Result<Volume> {
        let total = height
            .checked_mul(depth)
            .filter(|_| depth > 0)
            .ok_or_else(|| Error::invalid(format!("volume depth {depth} x height {height} is invalid")))?;
        Ok(Volume {
            depth,
            page_height: height,
            image: Image::new(width, total, format)?,
        })
    }

    /// Copies tightly packed samples (page-major) into a new volume.
    pub fn from_samples<T: Sample>(
        width: u32,
        height: u32,
        depth: u32,
        layout: Layout,
        samples: &[T],
    ) -> Result<Volume> {
        let mut v = Volume::new(width, height, depth, PixelFormat::new(layout, T::TYPE))?;
        let bytes: &[u8] = bytemuck::cast_slice(samples);
        if bytes.len() != v.image.as_bytes().len() {
            return Err(Error::invalid(format!(
                "{} samples given, a {width}x{height}x{depth} {} volume needs {}",
                samples.len(),
                layout,
                v.image.as_bytes().len() / T::TYPE.size()
            )));
        }
        v.image.as_bytes_mut().copy_from_slice(bytes);
        Ok(v)
    }

    /// Stacks pages that share size and format.
    pub fn from_pages(pages: &[ImageRef<'_>]) -> Result<Volume> {
        let first = pages
            .first()
            .ok_or_else(|| Error::invalid("a volume needs at least one page"))?;
        let mut v = Volume::new(first.width(), first.height(), pages.len() as u32, first.format())?;
        for (i, p) in pages.iter().enumerate() {
            if (p.width(), p.height(), p.format()) != (first.width(), first.height(), first.format()) {
                return Err(Error::invalid(format!(
                    "page {i} is {}x{} {}, page 0 is {}x{} {}: a volume needs equal pages",
                    p.width(),
                    p.height(),
                    p.format(),
                    first.width(),
                    first.height(),
                    first.format()
                )));
            }
            v.page_mut(i as u32).copy_from(p)?;
        }
        Ok(v)
    }

    /// Width of each page.
    pub fn width(&self) -> u32 {
        self.image.width()
    }
    /// Height of each page.
    pub fn height(&self) -> u32 {
        self.page_height
    }
    /// Number of pages.
    pub fn depth(&self) -> u32 {
        self.depth
    }
    /// Pixel format shared by all pages.
    pub fn format(&self) -> PixelFormat {
        self.image.format()
    }
    /// All samples, page-major, tightly packed.
    pub fn as_bytes(&self) -> &[u8] {
        self.image.as_bytes()
    }
    /// All samples as `&[T]`.
    pub fn as_slice<T: Sample>(&self) -> Result<&[T]> {
        self.image.as_slice()
    }

    /// A view of page `i` (panics if `i >= depth`).
    pub fn page(&self, i: u32) -> ImageRef<'_> {
        assert!(i < self.depth, "page {i} out of range for depth {}", self.depth);
        self.image
            .as_ref()
            .sub_rows(i * self.page_height, self.page_height)
            .expect("page lies inside the volume")
    }

    /// A mutable view of page `i` (panics if `i >= depth`).
    pub fn page_mut(&mut self, i: u32) -> ImageMut<'_> {
        assert!(i < self.depth, "page {i} out of range for depth {}", self.depth);
        let stride = self.image.stride();
        let (w, h, f) = (self.image.width(), self.page_height, self.image.format());
        let start = i as usize * h as usize * stride;
        ImageMut::new(&mut self.image.as_bytes_mut()[start..], w, h, f, stride).expect("page lies inside the volume")
    }

    /// Views of every page, for multi-page encoding.
    pub fn pages(&self) -> Vec<ImageRef<'_>> {
        (0..self.depth).map(|i| self.page(i)).collect()
    }
}
