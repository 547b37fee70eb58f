//! Pixel containers: the owned [`Image`], borrowed [`ImageRef`]/[`ImageMut`] views with
//! an explicit row stride (`view.rs`), and the multi-page [`Volume`] (`volume.rs`).

mod view;
mod volume;

pub use view::{ImageMut, ImageRef};
pub use volume::Volume;

use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::sample::Sample;

/// Checks that a (width, height, format, stride) geometry is valid and returns the
/// minimum number of bytes a buffer needs: `stride * (height - 1) + row_bytes`.
pub fn required_len(width: u32, height: u32, format: PixelFormat, stride: usize) -> Result<usize> {
    if width == 0 || height == 0 {
        return Err(Error::invalid(format!(
            "image dimensions must be at least 1x1, got {width}x{height}"
        )));
    }
    let row = (width as usize)
        .checked_mul(format.bytes_per_pixel())
        .ok_or_else(|| Error::invalid("row size overflows usize"))?;
    if stride < row {
        return Err(Error::invalid(format!(
            "stride {stride} is smaller than a row of {width} {format} pixels ({row} bytes)"
        )));
    }
    if stride % format.sample.size() != 0 {
        return Err(Error::invalid(format!(
            "stride {stride} is not a multiple of the {} sample size ({} bytes)",
            format.sample,
            format.sample.size()
        )));
    }
    stride
        .checked_mul(height as usize - 1)
        .and_then(|n| n.checked_add(row))
        .ok_or_else(|| Error::invalid("image size overflows usize"))
}

/// An owned image. Storage is 8-byte aligned, so typed views of any sample type are free.
#[derive(Clone)]
pub struct Image {
    width: u32,
    height: u32,
    format: PixelFormat,
    stride: usize,
    len: usize,
    storage: Vec<u64>,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("format", &self.format)
            .field("stride", &self.stride)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Image {
    /// Two images are equal when size, format and every pixel byte match (row padding ignored).
    fn eq(&self, other: &Self) -> bool {
        self.as_ref().pixels_eq(&other.as_ref())
    }
}

impl Image {
    /// A zero-filled image with tightly packed rows.
    pub fn new(width: u32, height: u32, format: PixelFormat) -> Result<Image> {
        let stride = (width as usize).saturating_mul(format.bytes_per_pixel());
        Image::with_stride(width, height, format, stride)
    }

    /// A zero-filled image with the given row stride in bytes.
    pub fn with_stride(width: u32, height: u32, format: PixelFormat, stride: usize) -> Result<Image> {
        Image::in_storage(Vec::new(), width, height, format, stride)
    }

    /// An image in `storage`, grown (with zeros) to the size needed; samples already there stay.
    fn in_storage(mut storage: Vec<u64>, width: u32, height: u32, format: PixelFormat, stride: usize) -> Result<Image> {
        required_len(width, height, format, stride)?;
        let len = stride
            .checked_mul(height as usize)
            .ok_or_else(|| Error::invalid("image size overflows usize"))?;
        let words = len.div_ceil(8);
        if storage.len() < words {
            storage
                .try_reserve_exact(words - storage.len())
                .map_err(|_| Error::Limits(format!("cannot allocate {len} bytes for a {width}x{height} image")))?;
            storage.resize(words, 0u64);
        }
        Ok(Image {
            width,
            height,
            format,
            stride,
            len,
            storage,
        })
    }

    /// A tightly packed image in the memory of `storage` (from [`Image::into_storage`]), grown
    /// when too small and never cleared: its samples are whatever the memory held, so write
    /// every pixel (decode into it) before reading any. Saves the allocation and zeroing of a
    /// new image per file where images of similar size follow one another (ML loading).
    pub(crate) fn reusing(storage: Vec<u64>, width: u32, height: u32, format: PixelFormat) -> Result<Image> {
        let stride = (width as usize).saturating_mul(format.bytes_per_pixel());
        Image::in_storage(storage, width, height, format, stride)
    }

    /// The image's memory, for [`Image::reusing`].
    pub(crate) fn into_storage(self) -> Vec<u64> {
        self.storage
    }

    /// Copies tightly packed samples into a new image.
    pub fn from_samples<T: Sample>(width: u32, height: u32, layout: Layout, samples: &[T]) -> Result<Image> {
        let format = PixelFormat::new(layout, T::TYPE);
        let view = ImageRef::new(
            bytemuck::cast_slice(samples),
            width,
            height,
            format,
            width as usize * format.bytes_per_pixel(),
        )?;
        Ok(view.to_image())
    }

    /// Copies tightly packed native-endian bytes into a new image.
    pub fn from_bytes(width: u32, height: u32, format: PixelFormat, bytes: &[u8]) -> Result<Image> {
        let view = ImageRef::new(bytes, width, height, format, width as usize * format.bytes_per_pixel())?;
        Ok(view.to_image())
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// Pixel format.
    pub fn format(&self) -> PixelFormat {
        self.format
    }
    /// Row stride in bytes.
    pub fn stride(&self) -> usize {
        self.stride
    }
    /// Bytes of pixel data in one row (without padding).
    pub fn row_bytes(&self) -> usize {
        self.width as usize * self.format.bytes_per_pixel()
    }

    /// All bytes, including any row padding.
    pub fn as_bytes(&self) -> &[u8] {
        &bytemuck::cast_slice(&self.storage)[..self.len]
    }

    /// All bytes, mutable, including any row padding.
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        &mut bytemuck::cast_slice_mut(&mut self.storage)[..self.len]
    }

    /// All samples as `&[T]`; fails when `T` is not the image's sample type.
    pub fn as_slice<T: Sample>(&self) -> Result<&[T]> {
        check_type::<T>(self.format)?;
        Ok(bytemuck::cast_slice(self.as_bytes()))
    }

    /// All samples as `&mut [T]`; fails when `T` is not the image's sample type.
    pub fn as_mut_slice<T: Sample>(&mut self) -> Result<&mut [T]> {
        check_type::<T>(self.format)?;
        Ok(bytemuck::cast_slice_mut(self.as_bytes_mut()))
    }

    /// The pixel bytes of row `y` (panics if `y >= height`, like slice indexing).
    pub fn row(&self, y: u32) -> &[u8] {
        let start = y as usize * self.stride;
        &self.as_bytes()[start..start + self.row_bytes()]
    }

    /// The pixel bytes of row `y`, mutable.
    pub fn row_mut(&mut self, y: u32) -> &mut [u8] {
        let start = y as usize * self.stride;
        let n = self.row_bytes();
        &mut self.as_bytes_mut()[start..start + n]
    }

    /// A borrowed view of the whole image.
    pub fn as_ref(&self) -> ImageRef<'_> {
        ImageRef {
            data: self.as_bytes(),
            width: self.width,
            height: self.height,
            format: self.format,
            stride: self.stride,
        }
    }

    /// A mutable borrowed view of the whole image.
    pub fn as_mut(&mut self) -> ImageMut<'_> {
        let (width, height, format, stride) = (self.width, self.height, self.format, self.stride);
        ImageMut {
            data: self.as_bytes_mut(),
            width,
            height,
            format,
            stride,
        }
    }

    /// The samples, tightly packed, as a new `Vec<T>`.
    pub fn to_vec<T: Sample>(&self) -> Result<Vec<T>> {
        self.as_ref().to_vec()
    }
}

pub(crate) fn check_type<T: Sample>(format: PixelFormat) -> Result<()> {
    if T::TYPE != format.sample {
        return Err(Error::invalid(format!(
            "typed view of {} requested, but the image holds {}",
            T::TYPE,
            format
        )));
    }
    Ok(())
}
