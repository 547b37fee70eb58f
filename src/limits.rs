//! Decoding limits that stop decompression bombs before any large allocation.

use crate::error::{Error, Result};
use crate::format::PixelFormat;

/// Upper bounds checked by every decoder before it allocates pixel memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest accepted width in pixels.
    pub max_width: u32,
    /// Largest accepted height in pixels.
    pub max_height: u32,
    /// Largest accepted width x height of one page.
    pub max_pixels: u64,
    /// Largest total number of bytes a decode may allocate (all pages together).
    pub max_alloc_bytes: u64,
    /// Largest number of pages decoded from one file.
    pub max_pages: u32,
}

impl Default for Limits {
    /// 1 Mi pixels per side, 256 Mi pixels per page, 2 GiB of allocations, 10 000 pages.
    fn default() -> Self {
        Limits {
            max_width: 1 << 20,
            max_height: 1 << 20,
            max_pixels: 1 << 28,
            max_alloc_bytes: 2 << 30,
            max_pages: 10_000,
        }
    }
}

impl Limits {
    /// No limits at all (only for trusted input).
    pub fn unlimited() -> Self {
        Limits {
            max_width: u32::MAX,
            max_height: u32::MAX,
            max_pixels: u64::MAX,
            max_alloc_bytes: u64::MAX,
            max_pages: u32::MAX,
        }
    }

    /// Checks one page's geometry; returns its tightly packed size in bytes.
    pub fn check_image(&self, width: u32, height: u32, format: PixelFormat) -> Result<u64> {
        if width > self.max_width || height > self.max_height {
            return Err(Error::Limits(format!(
                "image is {width}x{height}, above the limit of {}x{}; raise Limits::max_width/max_height if the input is trusted",
                self.max_width, self.max_height
            )));
        }
        let pixels = width as u64 * height as u64;
        if pixels > self.max_pixels {
            return Err(Error::Limits(format!(
                "image has {pixels} pixels ({width}x{height}), above the limit of {}; raise Limits::max_pixels if the input is trusted",
                self.max_pixels
            )));
        }
        let bytes = pixels.saturating_mul(format.bytes_per_pixel() as u64);
        self.check_alloc(bytes)?;
        Ok(bytes)
    }

    /// Checks an allocation of `bytes`.
    pub fn check_alloc(&self, bytes: u64) -> Result<()> {
        if bytes > self.max_alloc_bytes {
            return Err(Error::Limits(format!(
                "decoding needs {bytes} bytes, above the limit of {}; raise Limits::max_alloc_bytes if the input is trusted",
                self.max_alloc_bytes
            )));
        }
        Ok(())
    }

    /// Checks a page count.
    pub fn check_pages(&self, pages: u64) -> Result<()> {
        if pages > self.max_pages as u64 {
            return Err(Error::Limits(format!(
                "file has {pages} pages, above the limit of {}; raise Limits::max_pages if the input is trusted",
                self.max_pages
            )));
        }
        Ok(())
    }
}
