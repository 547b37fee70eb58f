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
use crate::metadata::{Disposal, Metadata, MetadataItem, MetadataNote};
use crate::options::ResolvedOptions;
use crate::sample::SampleType;

/// Writes the pages as one file of a format (the codec name comes first, for messages; the
/// options carry the metadata and each page's animation timing).
pub(super) type WriteFn = fn(&str, &[ImageRef<'_>], &ResolvedOptions, &mut dyn Write) -> Result<()>;

/// Encoder for every format with a writer in its row.
pub(super) struct ImageRsEncoder {
    pub(super) name: &'static str,
    pub(super) writer: &'static Writer,
}

impl Encoder for ImageRsEncoder {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> Result<Option<Arc<str>>> {
        (self.writer.write)(self.name, pages, options, out)?;
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
    let options = crate::options::EncodeOptions::new().resolve(row.name, &[])?;
    (writer.write)(row.name, std::slice::from_ref(page), &options, out)
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
pub(super) fn write_bmp(name: &str, pages: &[ImageRef<'_>], _: &ResolvedOptions, out: &mut dyn Write) -> Result<()> {
    one_image(name, pages, out, |out, data, w, h, ct, _| {
        image::codecs::bmp::BmpEncoder::new(&mut &mut *out).write_image(data, w, h, ct)
    })
}

/// QOI.
pub(super) fn write_qoi(name: &str, pages: &[ImageRef<'_>], _: &ResolvedOptions, out: &mut dyn Write) -> Result<()> {
    one_image(name, pages, out, |out, data, w, h, ct, _| {
        image::codecs::qoi::QoiEncoder::new(out).write_image(data, w, h, ct)
    })
}

/// Lossless WebP (VP8L).
pub(super) fn write_webp(name: &str, pages: &[ImageRef<'_>], _: &ResolvedOptions, out: &mut dyn Write) -> Result<()> {
    one_image(name, pages, out, |out, data, w, h, ct, _| {
        image::codecs::webp::WebPEncoder::new_lossless(out).write_image(data, w, h, ct)
    })
}

/// PGM for gray, PPM for Rgb U8, PAM for the rest; maxval 255 or 65535.
pub(super) fn write_pnm(name: &str, pages: &[ImageRef<'_>], _: &ResolvedOptions, out: &mut dyn Write) -> Result<()> {
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

/// GIF: every page a frame, Rgba U8 quantised to a 256-colour palette, with each page's
/// delay and disposal and the loop count ([`gif_fit`] says what changes). Without any timing
/// given the frames have no delay and are disposed to the background (each page is a whole
/// canvas), and several pages loop forever.
pub(super) fn write_gif(
    name: &str,
    pages: &[ImageRef<'_>],
    options: &ResolvedOptions,
    out: &mut dyn Write,
) -> Result<()> {
    // The gif encoder writes its trailer when dropped and swallows any error there, so the
    // file is assembled in memory and written out in one checked call.
    let file = gif_frames(name, pages, options).map_err(|e| Error::encode(name, e.to_string()))??;
    out.write_all(&file)?;
    Ok(())
}

/// The GIF file of `pages`: our errors in the inner result, the gif crate's in the outer.
fn gif_frames(
    name: &str,
    pages: &[ImageRef<'_>],
    options: &ResolvedOptions,
) -> std::result::Result<Result<Vec<u8>>, gif::EncodingError> {
    let first = &pages[0];
    let (Ok(w), Ok(h)) = (u16::try_from(first.width()), u16::try_from(first.height())) else {
        return Ok(Err(Error::Unsupported(format!(
            "{name} stores at most 65535 x 65535 pixels, not {} x {}",
            first.width(),
            first.height()
        ))));
    };
    let loop_count = options.metadata().and_then(|m| m.loop_count);
    let timed = loop_count.is_some() || (0..pages.len()).any(|i| options.frame_timing(i).is_some());
    let mut enc = gif::Encoder::new(Vec::new(), w, h, &[])?;
    match (loop_count, timed) {
        (Some(plays), _) => {
            if let Some(r) = gif_repeat(plays) {
                enc.set_repeat(r)?;
            }
        }
        (None, false) if pages.len() > 1 => enc.set_repeat(gif::Repeat::Infinite)?,
        (None, _) => {}
    }
    for (i, p) in pages.iter().enumerate() {
        // GIF pages decode as Rgba U8, so only Rgba U8 is accepted (Rgb would come back as Rgba).
        if p.format() != PixelFormat::new(Layout::Rgba, SampleType::U8) {
            return Ok(Err(Error::Unsupported(format!(
                "{name} encodes Rgba U8 only, not {}; add an alpha channel explicitly",
                p.format()
            ))));
        }
        if (p.width(), p.height()) != (first.width(), first.height()) {
            return Ok(Err(Error::Unsupported(format!(
                "{name} frames are whole canvases of the first page's size ({} x {}); page {} is {} x {}",
                first.width(),
                first.height(),
                i + 1,
                p.width(),
                p.height()
            ))));
        }
        let mut rgba = p.contiguous_bytes().into_owned();
        // Speed 1, as the image crate's encoder quantises.
        let mut frame = gif::Frame::from_rgba_speed(w, h, &mut rgba, 1);
        match options.frame_timing(i) {
            Some(t) => {
                frame.delay = gif_delay(t.delay_ms);
                frame.dispose = match t.disposal {
                    Disposal::Keep => gif::DisposalMethod::Keep,
                    Disposal::Background => gif::DisposalMethod::Background,
                    Disposal::Previous => gif::DisposalMethod::Previous,
                };
            }
            None => frame.dispose = gif::DisposalMethod::Background,
        }
        enc.write_frame(&frame)?;
    }
    Ok(Ok(enc.into_inner()?))
}

/// A delay in milliseconds as GIF's hundredths of a second: rounded to the nearest (halves
/// up), at most 65535.
pub(super) fn gif_delay(ms: u32) -> u16 {
    u16::try_from(ms.saturating_add(5) / 10).unwrap_or(u16::MAX)
}

/// The NETSCAPE2.0 repeat count for `plays` total plays (0: forever): none for one play
/// (the extension's absence), `plays - 1` repeats otherwise, at most 65535.
pub(super) fn gif_repeat(plays: u32) -> Option<gif::Repeat> {
    match plays {
        0 => Some(gif::Repeat::Infinite),
        1 => None,
        n => Some(gif::Repeat::Finite(u16::try_from(n - 1).unwrap_or(u16::MAX))),
    }
}

/// What a GIF keeps of `m`'s timing items, every other item dropped as by a codec without
/// metadata: a delay that is not a whole number of hundredths of a second (or longer than
/// 655350 ms) is written rounded, a loop count past 65536 plays as 65536 plays.
pub(super) fn gif_fit(name: &str, m: &Metadata) -> Vec<MetadataNote> {
    let mut notes: Vec<MetadataNote> = m
        .drop_all(&format!("{name} cannot store metadata"))
        .into_iter()
        .filter(|n| {
            !matches!(
                n.item,
                MetadataItem::Photometric | MetadataItem::FrameTiming | MetadataItem::LoopCount
            )
        })
        .collect();
    notes.extend(m.photometric_dropped(name));
    if let Some(t) = m.frame {
        let written = u32::from(gif_delay(t.delay_ms)) * 10;
        if written != t.delay_ms {
            notes.push(MetadataNote::new(
                MetadataItem::FrameTiming,
                format!(
                    "{name} stores delays in hundredths of a second: {} ms is written as {written} ms",
                    t.delay_ms
                ),
            ));
        }
    }
    if let Some(n) = m.loop_count.filter(|&n| n > 65536) {
        notes.push(MetadataNote::new(
            MetadataItem::LoopCount,
            format!("{name} repeats at most 65535 times: {n} plays are written as 65536"),
        ));
    }
    notes
}
