//! The PNG decoder: the `png` crate reads the file, pixcodec maps its colour types onto pixel
//! formats (the table in the [codec documentation](super)), checks [`Limits`] and writes the
//! rows straight into the caller's memory.

use std::io::{BufRead, BufReader, Cursor, Seek};

use png::{BitDepth, ColorType};

use super::NAME;
use crate::codec::{Decoder, Source};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::{Image, ImageMut};
use crate::info::ImageInfo;
use crate::limits::Limits;
use crate::sample::SampleType;

/// A buffered, seekable input for the `png` crate.
trait BufReadSeek: BufRead + Seek {}
impl<T: BufRead + Seek> BufReadSeek for T {}

type PngReader<'a> = png::Reader<Box<dyn BufReadSeek + 'a>>;

/// Converts a `png` crate decoding error into a pixcodec error.
fn decode_error(e: png::DecodingError) -> Error {
    match e {
        png::DecodingError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::decode(NAME, format!("the file is truncated ({io})"))
        }
        png::DecodingError::IoError(io) => Error::Io(io),
        png::DecodingError::Format(f) => Error::decode(NAME, format!("invalid PNG: {f}")),
        png::DecodingError::LimitsExceeded => Error::Limits(
            "the PNG decoder needs more memory than Limits::max_alloc_bytes allows; raise it if the input is trusted"
                .to_string(),
        ),
        other => Error::decode(NAME, other),
    }
}

/// The pixel format of rows with this (colour type, depth): 8- and 16-bit samples as they are,
/// sub-byte samples and palette indices as U8 (they are expanded to 8 bits).
fn expanded_format(color: ColorType, depth: BitDepth) -> PixelFormat {
    let sample = if depth == BitDepth::Sixteen {
        SampleType::U16
    } else {
        SampleType::U8
    };
    let layout = match color {
        ColorType::Grayscale => Layout::Gray,
        ColorType::GrayscaleAlpha => Layout::GrayAlpha,
        ColorType::Rgb | ColorType::Indexed => Layout::Rgb,
        ColorType::Rgba => Layout::Rgba,
    };
    PixelFormat::new(layout, sample)
}

/// Reads a PNG: header and pre-image chunks at construction, pixels on `decode_into` (a file
/// with an sBIT chunk below its depth: at construction, see `held`).
pub(super) struct PngDecoder<'a> {
    reader: PngReader<'a>,
    info: ImageInfo,
    decoded: bool,
    /// Sub-byte gray: the file's depth (1, 2 or 4); the expanded bytes are shifted back to it.
    sub_byte: Option<u32>,
    /// A file whose sBIT chunk asks for fewer bits than its samples have: its pixels, read
    /// at construction (whether sBIT applies depends on every sample), as `decode_into` gives them.
    held: Option<Image>,
}

impl<'a> PngDecoder<'a> {
    pub(super) fn new(source: Source<'a>, limits: &Limits) -> Result<Self> {
        let raw = match &source {
            Source::Bytes(b) => Some(*b),
            Source::Reader(_) => None,
        };
        let input: Box<dyn BufReadSeek + 'a> = match source {
            Source::Bytes(b) => Box::new(Cursor::new(b)),
            Source::Reader(r) => Box::new(BufReader::with_capacity(1 << 16, r)),
        };
        let png_limits = png::Limits {
            bytes: usize::try_from(limits.max_alloc_bytes).unwrap_or(usize::MAX),
        };
        let mut decoder = png::Decoder::new_with_limits(input, png_limits);
        decoder.set_transformations(png::Transformations::EXPAND);
        // Only IHDR so far: check the geometry before the decoder allocates anything for the
        // image. tRNS (an extra alpha channel) is not known yet; the final format is checked below.
        let header = decoder.read_header_info().map_err(decode_error)?;
        let pre = expanded_format(header.color_type, header.bit_depth);
        limits.check_image(header.width, header.height, pre)?;

        let reader = decoder.read_info().map_err(decode_error)?;
        let png_info = reader.info();
        check_palette(png_info)?;
        // The format after EXPAND: palette → RGB(A), tRNS → alpha, sub-byte gray → 8 bits.
        let (color, depth) = reader.output_color_type();
        if depth != BitDepth::Eight && depth != BitDepth::Sixteen {
            return Err(Error::decode(
                NAME,
                format!("unexpected output depth {depth:?} after expansion"),
            ));
        }
        let format = expanded_format(color, depth);
        limits.check_image(png_info.width, png_info.height, format)?;

        let mut info = ImageInfo::new(png_info.width, png_info.height, format, NAME, "png");
        let text_limit = usize::try_from(limits.max_alloc_bytes).unwrap_or(usize::MAX);
        info.metadata = super::metadata::read(png_info, raw, text_limit);
        // Sub-byte gray decodes to its stored values 0..2^bits-1 (see the codec documentation).
        let sub_byte = match (png_info.color_type, png_info.bit_depth as u32) {
            (ColorType::Grayscale | ColorType::GrayscaleAlpha, d) if d < 8 => Some(d),
            _ => None,
        };
        info.significant_bits = sub_byte.map(|d| d as u8);
        // The depth of the samples sBIT refers to: the file's (palette entries are 8-bit).
        let depth = sub_byte.unwrap_or(if format.sample == SampleType::U16 { 16 } else { 8 });
        let sbit = png_info.sbit.as_deref().and_then(|b| uniform_sbit(b, depth));
        let mut decoder = PngDecoder {
            reader,
            info,
            decoded: false,
            sub_byte,
            held: None,
        };
        if let Some(n) = sbit {
            let mut img = Image::new(decoder.info.width, decoder.info.height, format)?;
            decoder.read_pixels(img.as_mut())?;
            if apply_sbit(&mut img, depth, n) {
                decoder.info.significant_bits = Some(n as u8);
            }
            decoder.held = Some(img);
        }
        Ok(decoder)
    }

    /// Reads the image data into `out` (of the decoded format): expanded, native-endian and,
    /// for sub-byte gray, shifted back to the stored values.
    fn read_pixels(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        let stride = out.stride();
        if out.is_contiguous() {
            // Straight into the caller's memory (the png crate de-interlaces in place).
            self.reader.next_frame(out.as_bytes_mut()).map_err(decode_error)?;
        } else if !self.reader.info().interlaced {
            for y in 0..self.info.height {
                match self.reader.read_row(out.row_mut(y)).map_err(decode_error)? {
                    Some(_) => {}
                    None => return Err(Error::decode(NAME, format!("image data ended at row {y}"))),
                }
            }
            // Consumes the end of the image data (and checks it).
            self.reader.read_row(&mut []).map_err(decode_error)?;
        } else {
            // Adam7 pass rows are scattered straight into the caller's rows at its stride;
            // only pixel bytes are written (samples are at least one byte after expansion).
            let bits = (self.info.format.bytes_per_pixel() * 8) as u8;
            let buf = out.as_bytes_mut();
            while let Some(row) = self.reader.next_interlaced_row().map_err(decode_error)? {
                if let png::InterlaceInfo::Adam7(pass) = row.interlace() {
                    png::expand_interlaced_row(buf, stride, row.data(), pass, bits);
                }
            }
        }
        // Read the chunks after the image up to IEND: a file cut short or with a damaged
        // trailer is an error, never a silent success.
        self.reader.finish().map_err(decode_error)?;
        if self.info.format.sample == SampleType::U16 && cfg!(target_endian = "little") {
            for y in 0..self.info.height {
                be_to_native_u16(out.row_mut(y));
            }
        }
        if let Some(d) = self.sub_byte {
            // EXPAND replicated each d-bit sample (and made tRNS alpha 0 or 255); the top d
            // bits are the stored value (alpha becomes 0 or 2^d - 1).
            for y in 0..self.info.height {
                out.row_mut(y).iter_mut().for_each(|b| *b >>= 8 - d);
            }
        }
        Ok(())
    }
}

/// A palette image's PLTE chunk holds whole RGB entries, at most 256 (PNG 11.2.3). The png
/// crate reads other lengths and then fails on them while expanding (0.18.1 indexes past the
/// end of a 40-byte palette), so they are refused here, before any pixel is read.
fn check_palette(info: &png::Info<'_>) -> Result<()> {
    if info.color_type != ColorType::Indexed {
        return Ok(());
    }
    let len = info.palette.as_deref().map_or(0, <[u8]>::len);
    if len == 0 || len % 3 != 0 || len > 3 * 256 {
        return Err(Error::decode(
            NAME,
            format!("the PLTE chunk has {len} bytes; a palette holds 1 to 256 RGB entries of 3 bytes each"),
        ));
    }
    Ok(())
}

/// The one sBIT value of every channel when it is below `depth`, the sample depth; `None`
/// when sBIT is the full depth or differs between channels (samples are then kept as stored).
fn uniform_sbit(sbit: &[u8], depth: u32) -> Option<u32> {
    let (&n, rest) = sbit.split_first()?;
    let n = u32::from(n);
    (rest.iter().all(|&b| u32::from(b) == n) && n >= 1 && n < depth).then_some(n)
}

/// `x` (an `n`-bit value) bit-replicated to `depth` bits: its bits repeated from the most
/// significant end, as the PNG specification recommends for scaling to the sample depth.
pub(super) fn replicate(x: u32, n: u32, depth: u32) -> u32 {
    let mut r = 0u32;
    let mut filled = 0;
    while filled < depth {
        r = (r << n) | x;
        filled += n;
    }
    r >> (filled - depth)
}

/// Applies an sBIT of `n` bits to `img` (samples of `depth` bits, U8 or U16): when every
/// sample is the bit replication of its top `n` bits, replaces each by those bits and returns
/// true; otherwise leaves `img` as it is and returns false.
fn apply_sbit(img: &mut Image, depth: u32, n: u32) -> bool {
    let shift = depth - n;
    let table: Vec<u32> = (0..1u32 << n).map(|x| replicate(x, n, depth)).collect();
    let consistent = |v: u32| table[(v >> shift) as usize] == v;
    match img.format().sample {
        SampleType::U16 => match img.as_mut_slice::<u16>() {
            Ok(s) if s.iter().all(|&v| consistent(u32::from(v))) => {
                s.iter_mut().for_each(|v| *v >>= shift);
                true
            }
            _ => false,
        },
        _ => {
            let s = img.as_bytes_mut();
            if s.iter().all(|&v| consistent(u32::from(v))) {
                s.iter_mut().for_each(|v| *v >>= shift);
                true
            } else {
                false
            }
        }
    }
}

impl Decoder for PngDecoder<'_> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn decode_into(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        out.expect_shape(self.info.width, self.info.height, self.info.format)?;
        if self.decoded {
            return Err(Error::invalid(
                "this PNG decoder has already decoded its image; open a new decoder to decode again",
            ));
        }
        self.decoded = true;
        match self.held.take() {
            Some(img) => out.copy_from(&img.as_ref()),
            None => self.read_pixels(out),
        }
    }
}

/// Converts each 2-byte big-endian sample of `row` to native byte order, in place.
fn be_to_native_u16(row: &mut [u8]) {
    match bytemuck::try_cast_slice_mut::<u8, u16>(row) {
        Ok(words) => words.iter_mut().for_each(|w| *w = u16::from_be(*w)),
        Err(_) => row
            .chunks_exact_mut(2)
            .for_each(|c| c.copy_from_slice(&u16::from_be_bytes([c[0], c[1]]).to_ne_bytes())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_byte_scaling_is_bit_replication() {
        // The png crate's EXPAND multiplies by 255 / (2^bits - 1); check it equals replication.
        for bits in [1u32, 2, 4] {
            let max = (1u32 << bits) - 1;
            for v in 0..=max {
                let mut rep = 0u32;
                let mut filled = 0;
                while filled < 8 {
                    rep = (rep << bits) | v;
                    filled += bits;
                }
                assert_eq!(v * (255 / max), rep, "bits {bits} value {v}");
            }
        }
    }

    #[test]
    fn swap_handles_unaligned_rows() {
        let mut buf = [0u8, 0x12, 0x34, 0xab, 0xcd];
        be_to_native_u16(&mut buf[1..]);
        let expect_first = u16::from_be_bytes([0x12, 0x34]).to_ne_bytes();
        assert_eq!(&buf[1..3], &expect_first);
        assert_eq!(buf[0], 0);
    }
}
