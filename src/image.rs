//! Pixel containers: the owned [`Image`], borrowed [`ImageRef`]/[`ImageMut`] views with
//! an explicit row stride, and the multi-page [`Volume`].

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
        required_len(width, height, format, stride)?;
        let len = stride
            .checked_mul(height as usize)
            .ok_or_else(|| Error::invalid("image size overflows usize"))?;
        let words = len.div_ceil(8);
        let mut storage = Vec::new();
        storage
            .try_reserve_exact(words)
            .map_err(|_| Error::Limits(format!("cannot allocate {len} bytes for a {width}x{height} image")))?;
        storage.resize(words, 0u64);
        Ok(Image {
            width,
            height,
            format,
            stride,
            len,
            storage,
        })
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

fn check_type<T: Sample>(format: PixelFormat) -> Result<()> {
    if T::TYPE != format.sample {
        return Err(Error::invalid(format!(
            "typed view of {} requested, but the image holds {}",
            T::TYPE,
            format
        )));
    }
    Ok(())
}

/// A borrowed, read-only image: caller memory with an explicit row stride (bytes).
#[derive(Clone, Copy)]
pub struct ImageRef<'a> {
    data: &'a [u8],
    width: u32,
    height: u32,
    format: PixelFormat,
    stride: usize,
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
    data: &'a mut [u8],
    width: u32,
    height: u32,
    format: PixelFormat,
    stride: usize,
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
