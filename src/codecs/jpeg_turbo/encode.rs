//! The JPEG encoder: `Gray`, `Rgb` and `Cmyk` U8, lossy, one sequential encode or bands joined
//! by restart markers ([`super::bands`]).

use std::io::Write;
use std::sync::Arc;

use super::bands;
use super::handle::{CompressSettings, Compressor};
use super::{MAX_DIMENSION, NAME};
use crate::codec::Encoder;
use crate::error::{Error, Result};
use crate::format::Layout;
use crate::image::ImageRef;
use crate::options::ResolvedOptions;
use crate::sample::SampleType;

/// Compressors an encoder keeps between calls (one per band of a banded encode).
const MAX_COMPRESSORS: usize = 64;
/// A compressor whose last output was larger than this is freed after the call instead of
/// kept, so an encoder never pins the buffers of a few huge encodes.
const MAX_KEPT_OUTPUT: usize = 16 << 20;

/// Encoder for `Gray`, `Rgb` and `Cmyk` U8. It owns its libjpeg-turbo compressors (with the
/// output buffers they grew), so an encoder the registry reuses allocates nothing once warm.
pub struct JpegTurboEncoder {
    /// The lossy reason of the last call and the settings it describes: a reused encoder
    /// hands out the same text without formatting it again.
    reason: Option<(ReasonKey, Arc<str>)>,
    /// Compressors: the first for a sequential encode, one per band for a banded one.
    compressors: Vec<Compressor>,
}

/// Quality, subsampling label, layout, progressive, arithmetic, optimize.
type ReasonKey = (i64, &'static str, Layout, bool, bool, bool);

impl JpegTurboEncoder {
    /// A new encoder.
    pub fn new() -> Result<Self> {
        Ok(JpegTurboEncoder {
            reason: None,
            compressors: Vec::new(),
        })
    }

    /// Writes the JPEG: in bands when `parallel` is on and the image is large enough and
    /// baseline, else in one piece.
    fn write(&mut self, s: &CompressSettings, image: &ImageRef<'_>, parallel: bool, out: &mut dyn Write) -> Result<()> {
        let call = crate::parallel::Call::begin();
        if let Some(rows) = bands::band_rows(s, image.height()).filter(|_| parallel) {
            let bytes = image.row_bytes() as u64 * u64::from(image.height());
            let concurrent = call.split(parallel, bytes);
            if bands::encode(&mut self.compressors, s, image, rows, concurrent, out)? {
                return Ok(());
            }
        }
        if self.compressors.is_empty() {
            self.compressors.push(Compressor::new()?);
        }
        let c = &mut self.compressors[0];
        c.compress(s, image.as_bytes(), image.stride(), image.height())?;
        out.write_all(c.output())?;
        Ok(())
    }
}

impl Encoder for JpegTurboEncoder {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> Result<Option<Arc<str>>> {
        let [image] = pages else {
            return Err(Error::Unsupported(format!(
                "JPEG stores one image per file but {} pages were given",
                pages.len()
            )));
        };
        let format = image.format();
        let pixel_format = match (format.layout, format.sample) {
            (Layout::Gray, SampleType::U8) => turbojpeg::PixelFormat::GRAY,
            (Layout::Rgb, SampleType::U8) => turbojpeg::PixelFormat::RGB,
            (Layout::Cmyk, SampleType::U8) => turbojpeg::PixelFormat::CMYK,
            _ => {
                return Err(Error::NotExact(format!(
                    "{NAME} cannot store {format} pixels; it encodes Gray U8, Rgb U8 and Cmyk U8 (lossy)"
                )))
            }
        };
        if image.width() > MAX_DIMENSION || image.height() > MAX_DIMENSION {
            return Err(Error::Unsupported(format!(
                "JPEG cannot hold a {}x{} image: width and height are limited to {MAX_DIMENSION}",
                image.width(),
                image.height()
            )));
        }
        let quality = options.int("quality")?;
        let requested = options.str("subsampling")?;
        let (subsamp, label) = if format.layout == Layout::Gray {
            (turbojpeg::Subsamp::Gray, "grayscale")
        } else {
            match requested {
                "444" => (turbojpeg::Subsamp::None, "4:4:4"),
                "422" => (turbojpeg::Subsamp::Sub2x1, "4:2:2"),
                "420" => (turbojpeg::Subsamp::Sub2x2, "4:2:0"),
                "440" => (turbojpeg::Subsamp::Sub1x2, "4:4:0"),
                "411" => (turbojpeg::Subsamp::Sub4x1, "4:1:1"),
                "gray" => {
                    return Err(Error::invalid(format!(
                        "subsampling=gray would discard the colour of a {format} image; convert it to Gray explicitly first"
                    )))
                }
                other => return Err(Error::invalid(format!("unknown subsampling '{other}'"))),
            }
        };
        let progressive = options.bool("progressive")?;
        let optimize = options.bool("optimize")?;
        let arithmetic = options.bool("arithmetic")?;
        let settings = CompressSettings {
            quality: quality as i32,
            subsamp,
            progressive,
            optimize,
            arithmetic,
            width: image.width(),
            pixel_format,
        };
        let parallel = options.bool("parallel")?;
        match options.metadata() {
            Some(m) => {
                let mut splicer = super::metadata::Splicer::new(out, m, format.layout);
                self.write(&settings, image, parallel, &mut splicer)?;
                splicer.finish()?;
            }
            None => self.write(&settings, image, parallel, out)?,
        }
        // Kept for the next call: at most MAX_COMPRESSORS, none holding a huge output.
        self.compressors.retain(|c| c.output().len() <= MAX_KEPT_OUTPUT);
        self.compressors.truncate(MAX_COMPRESSORS);

        let key: ReasonKey = (quality, label, format.layout, progressive, arithmetic, optimize);
        if let Some((k, r)) = &self.reason {
            if *k == key {
                return Ok(Some(r.clone()));
            }
        }
        let mut reason = format!("JPEG is lossy (quality {quality}, {label}");
        if format.layout == Layout::Cmyk {
            reason.push_str(", YCCK");
        }
        for (on, name) in [
            (progressive, "progressive"),
            (arithmetic, "arithmetic"),
            (optimize, "optimized"),
        ] {
            if on {
                reason.push_str(", ");
                reason.push_str(name);
            }
        }
        reason.push(')');
        let reason: Arc<str> = reason.into();
        self.reason = Some((key, reason.clone()));
        Ok(Some(reason))
    }
}
