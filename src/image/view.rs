//! Borrowed images: [`ImageRef`] (read-only) and [`ImageMut`] over caller memory with an
//! explicit row stride in bytes.

use super::{check_type, required_len, Image};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::sample::Sample;

/// A borrowed, read-only image: caller memory with an explicit row stride (bytes).
#[derive(Clone, Copy)]
pub struct ImageRef<'a> {
    pub(super) data: &'a [u8],
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) format: PixelFormat,
    pub(super) stride: usize,
}

impl std::fmt::Debug for ImageRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageRef")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("format", &self.format)
            .field("stride", &self.stride)
            .finish_non_exhaustive()
    }
}

impl<'a> ImageRef<'a> {
    /// Wraps caller bytes (native-endian samples). `data` must hold
    /// `stride * (height - 1) + width * bytes_per_pixel` bytes.
    pub fn new(data: &'a [u8], width: u32, height: u32, format: PixelFormat, stride: usize) -> Result<Self> {
        let need = required_len(width, height, format, stride)?;
        if data.len() < need {
            return Err(Error::BufferTooSmall {
                needed: need,
                got: data.len(),
            });
        }
        Ok(ImageRef {
            data: &data[..need],
            width,
            height,
            format,
            stride,
        })
    }

    /// Wraps tightly packed typed samples.
    pub fn from_samples<T: Sample>(samples: &'a [T], width: u32, height: u32, layout: Layout) -> Result<Self> {
        let format = PixelFormat::new(layout, T::TYPE);
        ImageRef::new(
            bytemuck::cast_slice(samples),
            width,
            height,
            format,
            width as usize * format.bytes_per_pixel(),
        )
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
    /// True when rows are packed with no padding.
    pub fn is_contiguous(&self) -> bool {
        self.stride == self.row_bytes()
    }
    /// The underlying bytes, from the first pixel to the last pixel of the last row.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.data
    }

    /// Pixel bytes of row `y` (panics if `y >= height`, like slice indexing).
    pub fn row(&self, y: u32) -> &'a [u8] {
        let start = y as usize * self.stride;
        &self.data[start..start + self.row_bytes()]
    }

    /// Iterator over the pixel bytes of every row.
    pub fn rows(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.height).map(move |y| self.row(y))
    }

    /// Row `y` as typed samples; fails on a type mismatch or a misaligned caller buffer.
    pub fn row_as<T: Sample>(&self, y: u32) -> Result<&'a [T]> {
        check_type::<T>(self.format)?;
        bytemuck::try_cast_slice(self.row(y))
            .map_err(|e| Error::invalid(format!("row {y} cannot be viewed as {}: {e:?}", T::TYPE)))
    }

    /// Tightly packed pixel bytes: borrowed when already contiguous, else copied.
    pub fn contiguous_bytes(&self) -> std::borrow::Cow<'a, [u8]> {
        if self.is_contiguous() {
            std::borrow::Cow::Borrowed(self.data)
        } else {
            let mut v = Vec::with_capacity(self.row_bytes() * self.height as usize);
            for r in self.rows() {
                v.extend_from_slice(r);
            }
            std::borrow::Cow::Owned(v)
        }
    }

    /// The samples, tightly packed, as a new `Vec<T>`.
    pub fn to_vec<T: Sample>(&self) -> Result<Vec<T>> {
        check_type::<T>(self.format)?;
        let mut out: Vec<T> = Vec::with_capacity(self.width as usize * self.height as usize * self.format.channels());
        for r in self.rows() {
            out.extend(r.chunks_exact(T::TYPE.size()).map(bytemuck::pod_read_unaligned::<T>));
        }
        Ok(out)
    }

    /// Copies the pixels into a new owned, tightly packed [`Image`].
    pub fn to_image(&self) -> Image {
        let mut img =
            Image::new(self.width, self.height, self.format).expect("geometry was validated when the view was made");
        for y in 0..self.height {
            img.row_mut(y).copy_from_slice(self.row(y));
        }
        img
    }

    /// True when both views have the same size and format and identical pixel bytes.
    pub fn pixels_eq(&self, other: &ImageRef<'_>) -> bool {
        self.width == other.width
            && self.height == other.height
            && self.format == other.format
            && (0..self.height).all(|y| self.row(y) == other.row(y))
    }

    /// A view of the rows `y0 .. y0 + rows` (no copy).
    pub fn sub_rows(&self, y0: u32, rows: u32) -> Result<ImageRef<'a>> {
        if rows == 0 || y0.checked_add(rows).is_none_or(|e| e > self.height) {
            return Err(Error::invalid(format!(
                "rows {y0}..{} out of range for height {}",
                y0 as u64 + rows as u64,
                self.height
            )));
        }
        let start = y0 as usize * self.stride;
        ImageRef::new(&self.data[start..], self.width, rows, self.format, self.stride)
    }
}

/// A borrowed, writable image: caller memory with an explicit row stride (bytes).
/// Decoders write only the pixel bytes of each row; padding is never touched.
pub struct ImageMut<'a> {
    pub(super) data: &'a mut [u8],
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) format: PixelFormat,
    pub(super) stride: usize,
}

impl std::fmt::Debug for ImageMut<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageMut")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("format", &self.format)
            .field("stride", &self.stride)
            .finish_non_exhaustive()
    }
}

impl<'a> ImageMut<'a> {
    /// Wraps caller bytes; see [`ImageRef::new`] for the size rule.
    pub fn new(data: &'a mut [u8], width: u32, height: u32, format: PixelFormat, stride: usize) -> Result<Self> {
        let need = required_len(width, height, format, stride)?;
        if data.len() < need {
            return Err(Error::BufferTooSmall {
                needed: need,
                got: data.len(),
            });
        }
        Ok(ImageMut {
            data: &mut data[..need],
            width,
            height,
            format,
            stride,
        })
    }

    /// Wraps tightly packed typed samples.
    pub fn from_samples<T: Sample>(samples: &'a mut [T], width: u32, height: u32, layout: Layout) -> Result<Self> {
        let format = PixelFormat::new(layout, T::TYPE);
        ImageMut::new(
            bytemuck::cast_slice_mut(samples),
            width,
            height,
            format,
            width as usize * format.bytes_per_pixel(),
        )
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
    /// True when rows are packed with no padding.
    pub fn is_contiguous(&self) -> bool {
        self.stride == self.row_bytes()
    }

    /// The underlying bytes, including padding between rows (not after the last row).
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        self.data
    }

    /// Pixel bytes of row `y`, mutable.
    pub fn row_mut(&mut self, y: u32) -> &mut [u8] {
        let start = y as usize * self.stride;
        let n = self.row_bytes();
        &mut self.data[start..start + n]
    }

    /// A read-only view of the same pixels.
    pub fn as_ref(&self) -> ImageRef<'_> {
        ImageRef {
            data: self.data,
            width: self.width,
            height: self.height,
            format: self.format,
            stride: self.stride,
        }
    }

    /// A shorter-lived mutable view (lets a view be passed on and used again).
    pub fn reborrow(&mut self) -> ImageMut<'_> {
        ImageMut {
            data: self.data,
            width: self.width,
            height: self.height,
            format: self.format,
            stride: self.stride,
        }
    }

    /// Copies tightly packed bytes in (padding untouched): one bulk copy into a contiguous
    /// view, else one per row.
    pub fn copy_from_packed(&mut self, packed: &[u8]) -> Result<()> {
        let rb = self.row_bytes();
        let need = rb * self.height as usize;
        if packed.len() < need {
            return Err(Error::BufferTooSmall {
                needed: need,
                got: packed.len(),
            });
        }
        if self.is_contiguous() {
            // One copy of the whole image (see `memcopy` for why not `copy_from_slice`).
            crate::memcopy::copy(&mut self.data[..need], &packed[..need]);
            return Ok(());
        }
        for (y, src) in packed.chunks_exact(rb).take(self.height as usize).enumerate() {
            crate::memcopy::copy(self.row_mut(y as u32), src);
        }
        Ok(())
    }

    /// Copies another view's pixels in; size and format must match.
    pub fn copy_from(&mut self, src: &ImageRef<'_>) -> Result<()> {
        if src.width() != self.width || src.height() != self.height || src.format() != self.format {
            return Err(Error::invalid(format!(
                "cannot copy a {}x{} {} image into a {}x{} {} buffer",
                src.width(),
                src.height(),
                src.format(),
                self.width,
                self.height,
                self.format
            )));
        }
        for y in 0..self.height {
            self.row_mut(y).copy_from_slice(src.row(y));
        }
        Ok(())
    }

    /// Checks that this buffer has the given size and format.
    pub fn expect_shape(&self, width: u32, height: u32, format: PixelFormat) -> Result<()> {
        if (self.width, self.height, self.format) != (width, height, format) {
            return Err(Error::invalid(format!(
                "output buffer is {}x{} {} but the image is {}x{} {}",
                self.width, self.height, self.format, width, height, format
            )));
        }
        Ok(())
    }
}
