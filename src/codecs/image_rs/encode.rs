//! Encoding through the crate: one writer per format (the `encode` of its table row), the
//! encoder the codec hands out, and [`encode_raw`] for the test that derives the capability
//! tables from real round trips.

use std::io::Write;
use std::sync::Arc;

use image::{ExtendedColorType, ImageEncoder, ImageResult};

use super::bridge::{color_type, map_enc_err};
use super::{row, ImageRsFormat, Writer};
use crate::codec::Encoder;
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::ImageRef;
use crate::options::ResolvedOptions;
use crate::sample::SampleType;

/// Writes the pages as one file of a format (the codec name comes first, for messages).
pub(super) type WriteFn = fn(&str, &[ImageRef<'_>], &mut dyn Write) -> Result<()>;

/// Encoder for every format with a writer in its row.
pub(super) struct ImageRsEncoder {
    pub(super) name: &'static str,
    pub(super) writer: &'static Writer,
}

impl Encoder for ImageRsEncoder {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        _options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> Result<Option<Arc<str>>> {
        (self.writer.write)(self.name, pages, out)?;
        Ok(self.writer.note.map(Arc::from))
    }
}

/// Encodes one image with the format's writer, for any color type the crate accepts (not
/// only the published capability rows). For the test that derives the capability tables
/// empirically.
#[doc(hidden)]
pub fn encode_raw(format: ImageRsFormat, page: &ImageRef<'_>, out: &mut dyn Write) -> Result<()> {
    let row = row(format);
    // A pixel format the crate has no colour type for is refused first, whatever the format.
    crate_color_type(row.name, page.format())?;
    let writer = row
        .encode
        .as_ref()
        .ok_or_else(|| Error::Unsupported(format!("{} decodes only", row.name)))?;
    (writer.write)(row.name, std::slice::from_ref(page), out)
}

/// The crate's colour type for `format`, or the error saying it has none.
fn crate_color_type(name: &str, format: PixelFormat) -> Result<ExtendedColorType> {
    color_type(format)
        .ok_or_else(|| Error::Unsupported(format!("{name}: the image crate has no color type for {format}")))
}

/// Runs a crate encoder on the only page (these formats hold one image per file); the
/// encoder gets the output, the packed pixels, width, height, colour type and our format.
fn one_image(
    name: &str,
    pages: &[ImageRef<'_>],
    out: &mut dyn Write,
    encode: impl FnOnce(&mut dyn Write, &[u8], u32, u32, ExtendedColorType, PixelFormat) -> ImageResult<()>,
) -> Result<()> {
    let [page] = pages else {
        return Err(Error::Unsupported(format!(
            "{name} writes one image per file, {} pages given; use tiff for several pages",
            pages.len()
        )));
    };
    let format = page.format();
    let ct = crate_color_type(name, format)?;
    let data = page.contiguous_bytes();
    encode(out, &data, page.width(), page.height(), ct, format).map_err(|e| map_enc_err(name, e))
}

/// BMP.
pub(super) fn write_bmp(name: &str, pages: &[ImageRef<'_>], out: &mut dyn Write) -> Result<()> {
    one_image(name, pages, out, |out, data, w, h, ct, _| {
        image::codecs::bmp::BmpEncoder::new(&mut &mut *out).write_image(data, w, h, ct)
    })
}

/// QOI.
pub(super) fn write_qoi(name: &str, pages: &[ImageRef<'_>], out: &mut dyn Write) -> Result<()> {
    one_image(name, pages, out, |out, data, w, h, ct, _| {
        image::codecs::qoi::QoiEncoder::new(out).write_image(data, w, h, ct)
    })
}

/// Lossless WebP (VP8L).
pub(super) fn write_webp(name: &str, pages: &[ImageRef<'_>], out: &mut dyn Write) -> Result<()> {
    one_image(name, pages, out, |out, data, w, h, ct, _| {
        image::codecs::webp::WebPEncoder::new_lossless(out).write_image(data, w, h, ct)
    })
}

/// PGM for gray, PPM for Rgb U8, PAM for the rest; maxval 255 or 65535.
pub(super) fn write_pnm(name: &str, pages: &[ImageRef<'_>], out: &mut dyn Write) -> Result<()> {
    one_image(name, pages, out, |out, data, w, h, ct, format| {
        pnm(out, data, w, h, ct, format)
    })
}

fn pnm(
    out: &mut dyn Write,
    data: &[u8],
    w: u32,
    h: u32,
    ct: ExtendedColorType,
    format: PixelFormat,
) -> ImageResult<()> {
    use image::codecs::pnm::{
        ArbitraryHeader, ArbitraryTuplType, GraymapHeader, PixmapHeader, PnmEncoder, PnmHeader, SampleEncoding,
    };
    let maxval = if format.sample == SampleType::U16 { 65535 } else { 255 };
    let header: PnmHeader = match (format.layout, format.sample) {
        (Layout::Gray, _) => GraymapHeader {
            encoding: SampleEncoding::Binary,
            width: w,
            height: h,
            maxwhite: maxval,
        }
        .into(),
        (Layout::Rgb, SampleType::U8) => PixmapHeader {
            encoding: SampleEncoding::Binary,
            width: w,
            height: h,
            maxval,
        }
        .into(),
        (layout, _) => ArbitraryHeader {
            width: w,
            height: h,
            depth: layout.channels() as u32,
            maxval,
            tupltype: Some(match layout {
                // The crate's header check rejects GRAYSCALE_ALPHA with 16-bit samples;
                // the same tuple type given as a custom name passes and reads back as such.
                Layout::GrayAlpha if maxval > 255 => ArbitraryTuplType::Custom("GRAYSCALE_ALPHA".into()),
                Layout::GrayAlpha => ArbitraryTuplType::GrayscaleAlpha,
                Layout::Rgb => ArbitraryTuplType::RGB,
                _ => ArbitraryTuplType::RGBAlpha,
            }),
        }
        .into(),
    };
    PnmEncoder::new(out).with_header(header).encode(data, w, h, ct)
}

/// GIF: every page a frame (looping when there are several), Rgba U8 quantised to a
/// 256-colour palette.
pub(super) fn write_gif(name: &str, pages: &[ImageRef<'_>], out: &mut dyn Write) -> Result<()> {
    // The gif encoder writes its trailer when dropped and swallows any error there, so the
    // file is assembled in memory and written out in one checked call.
    let mut file = Vec::new();
    gif_frames(name, pages, &mut file)?;
    out.write_all(&file)?;
    Ok(())
}

fn gif_frames(name: &str, pages: &[ImageRef<'_>], file: &mut Vec<u8>) -> Result<()> {
    let mut enc = image::codecs::gif::GifEncoder::new(file);
    if pages.len() > 1 {
        enc.set_repeat(image::codecs::gif::Repeat::Infinite)
            .map_err(|e| map_enc_err(name, e))?;
    }
    for p in pages {
        // GIF pages decode as Rgba U8, so only Rgba U8 is accepted (Rgb would come back as Rgba).
        if p.format() != PixelFormat::new(Layout::Rgba, SampleType::U8) {
            return Err(Error::Unsupported(format!(
                "{name} encodes Rgba U8 only, not {}; add an alpha channel explicitly",
                p.format()
            )));
        }
        let img = image::RgbaImage::from_raw(p.width(), p.height(), p.contiguous_bytes().into_owned())
            .ok_or_else(|| Error::encode(name, "frame buffer size mismatch"))?;
        enc.encode_frame(image::Frame::new(img))
            .map_err(|e| map_enc_err(name, e))?;
    }
    Ok(())
}
