//! The TIFF decoder: page classification, limits, and pixel readout into caller memory.
//!
//! The page's tags are read and mapped onto a pixel format by `ifd.rs`; the pixels come
//! either from the `tiff` crate (`read_raw`, any layout it supports, then planes and sub-byte
//! samples are unpacked here) or, for plain chunky strip pages, from pixcodec's own parallel
//! strip reader (`strips.rs`), which is faster and decodes straight into caller memory.

mod ifd;
mod metadata;
mod packbits;
mod packed;
mod palette;
mod strips;

use std::io::{Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};

use tiff::decoder::Decoder as TDecoder;
use tiff::tags::Tag;

use super::{map_err, NAME};
use crate::codec::{Decoder, ReadSeek, Source};
use crate::error::{Error, Result};
use crate::format::PixelFormat;
use crate::image::ImageMut;
use crate::info::ImageInfo;
use crate::limits::Limits;
use crate::metadata::Photometric;
use ifd::{classify, count_pages};
use metadata::read as metadata;
pub(super) use metadata::TEXT_TAGS;

type Reader<'a> = Box<dyn ReadSeek + 'a>;

/// How the current page's stored samples map onto the output pixel format.
#[derive(Debug, Clone, Copy)]
struct Page {
    width: u32,
    height: u32,
    format: PixelFormat,
    /// Stored bits per sample (narrower than the output type for packed samples).
    bits: u8,
    /// Integer samples of a width other than 8/16/32/64 bits, read by `packed.rs`.
    packed: bool,
    /// PlanarConfiguration = 2 with more than one sample.
    planar: bool,
    /// PhotometricInterpretation = 0: the tiff crate inverts, pixcodec restores the stored values.
    white_is_zero: bool,
    /// JPEG-compressed page.
    lossy: bool,
    /// The Compression tag.
    compression: u16,
    /// PhotometricInterpretation = 3: `format` is that of the indices (`Gray`), expanded
    /// through the ColorMap by `palette.rs`.
    palette: bool,
}

/// Decoder over one TIFF file; pages follow the main IFD chain.
pub(super) struct TiffDecoder<'a> {
    dec: TDecoder<Reader<'a>>,
    /// The whole file when it was given in memory: strips are then decoded straight from it.
    bytes: Option<&'a [u8]>,
    limits: Limits,
    page: Page,
    info: ImageInfo,
    /// The current page's colour map when it is a palette page.
    palette: Option<palette::Palette>,
}

impl Page {
    /// The page's photometric convention when it is not the layout's plain one.
    fn photometric(&self) -> Option<Photometric> {
        self.white_is_zero.then_some(Photometric::WhiteIsZero)
    }

    /// The stored bit depth when narrower than the output sample type.
    fn significant_bits(&self) -> Option<u8> {
        (u32::from(self.bits) < self.format.sample.bits()).then_some(self.bits)
    }
}

fn unsupported(what: impl std::fmt::Display) -> Error {
    Error::Unsupported(format!("TIFF {what}"))
}

/// Runs a `tiff` crate call, turning a panic inside it into a decode error.
fn guarded<T>(f: impl FnOnce() -> tiff::TiffResult<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(map_err),
        Err(_) => Err(Error::decode(
            NAME,
            "the tiff crate failed on malformed data (internal panic)",
        )),
    }
}

fn crate_limits(limits: &Limits) -> tiff::decoder::Limits {
    let cap = usize::try_from(limits.max_alloc_bytes).unwrap_or(usize::MAX);
    let mut l = tiff::decoder::Limits::default();
    l.decoding_buffer_size = cap;
    l.intermediate_buffer_size = cap;
    l.ifd_value_size = cap.min(64 << 20);
    l
}

impl<'a> TiffDecoder<'a> {
    pub(super) fn new(source: Source<'a>, limits: &Limits) -> Result<Self> {
        let bytes = match source {
            Source::Bytes(b) => Some(b),
            Source::Reader(_) => None,
        };
        let mut reader = source.into_reader();
        reader.seek(SeekFrom::Start(0))?;
        let mut dec = guarded(|| TDecoder::new(reader))?.with_limits(crate_limits(limits));
        let pages = count_pages(&mut dec, limits)?;
        let page = classify(&mut dec)?;
        let mut info = ImageInfo::new(page.width, page.height, page.format, NAME, "tiff");
        info.pages = pages;
        info.lossy_source = page.lossy;
        info.significant_bits = page.significant_bits();
        info.metadata = metadata(&mut dec, bytes);
        info.metadata.photometric = page.photometric();
        let mut d = TiffDecoder {
            dec,
            bytes,
            limits: *limits,
            page,
            info,
            palette: None,
        };
        d.load_palette()?;
        Ok(d)
    }
}
impl TiffDecoder<'_> {
    fn refresh_info(&mut self) {
        let p = self.page;
        self.info.width = p.width;
        self.info.height = p.height;
        self.info.format = p.format;
        self.info.lossy_source = p.lossy;
        self.info.significant_bits = p.significant_bits();
        self.info.metadata = metadata(&mut self.dec, self.bytes);
        self.info.metadata.photometric = p.photometric();
    }

    /// Reads the whole page in the crate's layout into `buf` (planes one after another,
    /// sub-byte rows packed), then restores stored WhiteIsZero values.
    /// A zeroed buffer of `total` bytes for a page decoded before it is copied to the caller,
    /// within the allocation limit.
    fn scratch(&self, total: usize) -> Result<Vec<u8>> {
        self.limits.check_alloc(total as u64)?;
        let mut tmp = Vec::new();
        tmp.try_reserve_exact(total)
            .map_err(|_| Error::Limits(format!("cannot allocate {total} bytes to decode a TIFF page")))?;
        tmp.resize(total, 0u8);
        Ok(tmp)
    }

    fn read_raw(&mut self, buf: &mut [u8]) -> Result<()> {
        let dec = &mut self.dec;
        if let Err(e) = guarded(|| dec.read_image_bytes(buf)) {
            if self.page.compression == 5 && self.is_old_style_lzw() {
                return Err(unsupported(
                    "old-style LZW compression (pre-1992 libtiff 'compat' LZW with LSB-first codes)",
                ));
            }
            return Err(e);
        }
        if self.page.white_is_zero {
            // The tiff crate wrote max - v (== !v for unsigned samples); !(!v) is the stored v.
            buf.iter_mut().for_each(|b| *b = !*b);
        }
        Ok(())
    }
}

impl TiffDecoder<'_> {
    /// True when the first chunk starts like libtiff's old-style LZW (a zero byte followed by
    /// a byte with its low bit set), the test libtiff itself uses.
    fn is_old_style_lzw(&mut self) -> bool {
        let tag = match self.dec.get_chunk_type() {
            tiff::decoder::ChunkType::Strip => Tag::StripOffsets,
            tiff::decoder::ChunkType::Tile => Tag::TileOffsets,
        };
        let Ok(Some(offsets)) = guarded(|| self.dec.find_tag_unsigned_vec::<u64>(tag)) else {
            return false;
        };
        let Some(&first) = offsets.first() else {
            return false;
        };
        let r = self.dec.inner();
        let mut head = [0u8; 2];
        r.seek(SeekFrom::Start(first)).is_ok() && r.read_exact(&mut head).is_ok() && head[0] == 0 && head[1] & 1 == 1
    }
}

impl Decoder for TiffDecoder<'_> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn decode_into(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        if self.palette.is_some() {
            return self.read_palette(out);
        }
        let p = self.page;
        out.expect_shape(p.width, p.height, p.format)?;
        self.limits.check_image(p.width, p.height, p.format)?;
        if p.packed {
            return self.read_packed(out);
        }
        let sub_byte = p.bits < 8;
        if !p.planar && !sub_byte && out.is_contiguous() {
            if !matches!(p.compression, 1 | 5 | 8 | 32946 | 50000) {
                // Straight into caller memory; the crate converts to native byte order.
                return self.read_raw(out.as_bytes_mut());
            }
            if let Some(plan) = self.strip_plan()? {
                return self.read_strips(&plan, out.as_bytes_mut());
            }
            return self.read_raw(out.as_bytes_mut());
        }
        if !p.planar && !sub_byte && matches!(p.compression, 1 | 5 | 8 | 32946 | 50000) {
            if let Some(plan) = self.strip_plan()? {
                // The strips decoder of the contiguous path, so that a page reads the same (or
                // fails the same) whatever the caller's stride.
                let mut tmp = self.scratch(p.width as usize * p.height as usize * p.format.bytes_per_pixel())?;
                self.read_strips(&plan, &mut tmp)?;
                return out.copy_from_packed(&tmp);
            }
        }
        let layout = guarded(|| self.dec.image_buffer_layout())?;
        let mut tmp = self.scratch(layout.complete_len)?;
        self.read_raw(&mut tmp)?;

        let (w, h) = (p.width as usize, p.height as usize);
        if sub_byte {
            let bits = usize::from(p.bits);
            let packed_row = (w * bits).div_ceil(8);
            let mask = (1u16 << bits) - 1;
            for y in 0..h {
                let src = &tmp[y * packed_row..(y + 1) * packed_row];
                let row = out.row_mut(y as u32);
                for (x, dst) in row.iter_mut().enumerate() {
                    let pos = x * bits;
                    let i = pos / 8;
                    let hi = u16::from(src[i]) << 8;
                    let lo = src.get(i + 1).copied().map_or(0, u16::from);
                    let shift = 16 - bits - pos % 8;
                    *dst = (((hi | lo) >> shift) & mask) as u8;
                }
            }
        } else if p.planar {
            let size = p.format.sample.size();
            let ch = p.format.channels();
            let plane = w * h * size;
            for y in 0..h {
                let row = out.row_mut(y as u32);
                for c in 0..ch {
                    let src = &tmp[c * plane + y * w * size..][..w * size];
                    for (x, s) in src.chunks_exact(size).enumerate() {
                        row[(x * ch + c) * size..][..size].copy_from_slice(s);
                    }
                }
            }
        } else {
            out.copy_from_packed(&tmp)?;
        }
        Ok(())
    }

    fn next_page(&mut self) -> Result<bool> {
        if !self.dec.more_images() {
            return Ok(false);
        }
        let dec = &mut self.dec;
        guarded(|| dec.next_image())?;
        self.page = classify(&mut self.dec)?;
        self.refresh_info();
        self.load_palette()?;
        Ok(true)
    }
}
