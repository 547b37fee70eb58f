//! The JPEG encoder: `Gray`, `Rgb` and `Cmyk` at U8 and U16. Lossy 8-bit JPEG is one
//! sequential encode or bands joined by restart markers ([`super::bands`]); lossless JPEG
//! (2..16 bits) and 12-bit lossy JPEG go through [`RawCompressor`] in one piece.

use std::io::Write;
use std::sync::Arc;

use super::bands;
use super::handle::{encode_err, CompressFailure, CompressSettings, Compressor, RawCompressor, RawSettings};
use super::{MAX_DIMENSION, NAME};
use crate::codec::Encoder;
use crate::error::{Error, Result};
use crate::format::Layout;
use crate::image::ImageRef;
use crate::options::ResolvedOptions;
use crate::sample::SampleType;
use turbojpeg::raw;

/// Compressors an encoder keeps between calls (one per band of a banded encode).
const MAX_COMPRESSORS: usize = 64;
/// A compressor whose last output was larger than this is freed after the call instead of
/// kept, so an encoder never pins the buffers of a few huge encodes.
const MAX_KEPT_OUTPUT: usize = 16 << 20;

/// Encoder for `Gray`, `Rgb` and `Cmyk` at U8 and U16. It owns its libjpeg-turbo compressors
/// (with the output buffers they grew), so an encoder the registry reuses allocates nothing
/// once warm.
pub struct JpegTurboEncoder {
    /// The lossy reason of the last call and the settings it describes: a reused encoder
    /// hands out the same text without formatting it again.
    reason: Option<(ReasonKey, Arc<str>)>,
    /// Compressors: the first for a sequential encode, one per band for a banded one.
    compressors: Vec<Compressor>,
    /// The compressor of lossless and 12-bit encodes, once one was made.
    raw: Option<RawCompressor>,
}

/// Quality, subsampling label, layout, progressive, arithmetic, optimize.
type ReasonKey = (i64, &'static str, Layout, bool, bool, bool);

impl JpegTurboEncoder {
    /// A new encoder.
    pub fn new() -> Result<Self> {
        Ok(JpegTurboEncoder {
            reason: None,
            compressors: Vec::new(),
            raw: None,
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
        let (pixel_format, raw_format) = match format.layout {
            Layout::Gray => (turbojpeg::PixelFormat::GRAY, raw::TJPF_TJPF_GRAY),
            Layout::Rgb => (turbojpeg::PixelFormat::RGB, raw::TJPF_TJPF_RGB),
            Layout::Cmyk => (turbojpeg::PixelFormat::CMYK, raw::TJPF_TJPF_CMYK),
            _ => return Err(cannot_store(format)),
        };
        if !matches!(format.sample, SampleType::U8 | SampleType::U16) {
            return Err(cannot_store(format));
        }
        if image.width() > MAX_DIMENSION || image.height() > MAX_DIMENSION {
            return Err(Error::Unsupported(format!(
                "JPEG cannot hold a {}x{} image: width and height are limited to {MAX_DIMENSION}",
                image.width(),
                image.height()
            )));
        }
        let lossless = options.bool("lossless")?;
        check_option_mix(options, lossless)?;
        let precision = precision(options, format.sample, lossless)?;
        if lossless || precision != 8 {
            return self.encode_raw(image, options, precision, raw_format, out);
        }
        let quality = options.int("quality")?;
        let (subsamp, label) = subsampling(format, options.str("subsampling")?)?;
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

impl JpegTurboEncoder {
    /// Lossless JPEG at any precision, or 12-bit lossy JPEG: one piece through the raw
    /// compressor. Returns the lossy reason (none for lossless with `point_transform=0`).
    fn encode_raw(
        &mut self,
        image: &ImageRef<'_>,
        options: &ResolvedOptions,
        precision: u32,
        pixel_format: raw::TJPF,
        out: &mut dyn Write,
    ) -> Result<Option<Arc<str>>> {
        let format = image.format();
        let lossless = options.bool("lossless")?;
        let pt = options.int("point_transform")? as u32;
        if lossless && pt >= precision {
            return Err(Error::invalid(format!(
                "point_transform={pt} must be below the precision ({precision} bits)"
            )));
        }
        let quality = options.int("quality")?;
        let (subsamp, label) = if lossless {
            (turbojpeg::Subsamp::None, "")
        } else {
            subsampling(format, options.str("subsampling")?)?
        };
        let settings = RawSettings {
            precision,
            lossless: lossless.then_some((options.int("predictor")? as u32, pt)),
            quality: quality as i32,
            subsamp,
            progressive: options.bool("progressive")?,
            arithmetic: options.bool("arithmetic")?,
            optimize: options.bool("optimize")?,
            pixel_format,
        };
        // 16-bit samples go to C as `short`s: a caller view that is not 2-aligned is copied.
        let copy;
        let mut view = *image;
        let wide = format.sample.size() == 2;
        if wide && (view.as_bytes().as_ptr() as usize % 2 != 0 || view.stride() % 2 != 0) {
            copy = view.to_image();
            view = copy.as_ref();
        }
        if self.raw.is_none() {
            self.raw = Some(RawCompressor::new()?);
        }
        let raw = self.raw.as_mut().expect("made above");
        match raw.compress(&settings, &view) {
            Ok(()) => out.write_all(raw.output())?,
            Err(CompressFailure::SampleTooLarge { x, y, channel, value }) => {
                let at = if format.layout.channels() == 1 {
                    format!("x={x}, y={y}")
                } else {
                    format!("x={x}, y={y}, channel {channel}")
                };
                let max = (1u32 << precision) - 1;
                return Err(Error::NotExact(if lossless {
                    format!(
                        "{NAME} cannot store {format} sample {value} at {at} with precision={precision} (values 0..={max}); nothing was written. Raise precision (up to {}) or leave it at 0 for the full sample width",
                        if wide { 16 } else { 8 }
                    )
                } else {
                    use crate::convert::{Remedy, Surface};
                    format!(
                        "{NAME} cannot store {format} sample {value} at {at} in a 12-bit lossy JPEG (values 0..={max}); nothing was written. Set lossless=true for an exact JPEG of up to 16 bits, or make the samples 8-bit first: {} (fails naming the first value that does not fit) or {} (rescales on purpose)",
                        Remedy::Cast(SampleType::U8).text(Surface::Rust),
                        Remedy::Scale(SampleType::U8).text(Surface::Rust)
                    )
                }));
            }
            Err(CompressFailure::Other(m)) => return Err(encode_err(m)),
        }
        if raw.output().len() > MAX_KEPT_OUTPUT {
            self.raw = None;
        }
        Ok(match (lossless, pt) {
            (true, 0) => None,
            (true, pt) => Some(
                format!(
                    "lossless JPEG with point_transform={pt} keeps only the {} high bits of every sample",
                    precision - pt
                )
                .into(),
            ),
            (false, _) => {
                let mut reason = format!("JPEG is lossy ({precision}-bit, quality {quality}, {label}");
                if format.layout == Layout::Cmyk {
                    reason.push_str(", YCCK");
                }
                for (on, name) in [
                    (settings.progressive, "progressive"),
                    (settings.arithmetic, "arithmetic"),
                    (settings.optimize, "optimized"),
                ] {
                    if on {
                        reason.push_str(", ");
                        reason.push_str(name);
                    }
                }
                reason.push(')');
                Some(reason.into())
            }
        })
    }
}

/// The error for a pixel format JPEG cannot hold at all.
fn cannot_store(format: crate::format::PixelFormat) -> Error {
    Error::NotExact(format!(
        "{NAME} cannot store {format} pixels; it encodes Gray, Rgb and Cmyk at U8 and U16 (lossy, or exact with lossless=true)"
    ))
}

/// Options that do not apply to the chosen mode are refused rather than ignored.
fn check_option_mix(options: &ResolvedOptions, lossless: bool) -> Result<()> {
    let (mode, not_here): (&str, &[&str]) = if lossless {
        (
            "lossless=true",
            &["quality", "subsampling", "progressive", "arithmetic"],
        )
    } else {
        ("lossy JPEG", &["predictor", "point_transform"])
    };
    if let Some(name) = not_here.iter().find(|n| options.is_explicit(n)) {
        let hint = if lossless { "" } else { " (set lossless=true)" };
        return Err(Error::invalid(format!("option {name} does not apply to {mode}{hint}")));
    }
    Ok(())
}

/// The data precision in bits for these options and sample type (`precision=0`: automatic).
fn precision(options: &ResolvedOptions, sample: SampleType, lossless: bool) -> Result<u32> {
    let p = options.int("precision")? as u32;
    let (auto, range, rule) = match (sample, lossless) {
        (SampleType::U8, true) => (8, 2..=8, "lossless U8 takes 2..8 (9..16 need U16 samples)"),
        (_, true) => (16, 9..=16, "lossless U16 takes 9..16 (2..8 need U8 samples)"),
        (SampleType::U8, false) => (8, 8..=8, "lossy U8 is 8-bit (lossless=true allows 2..8)"),
        (_, false) => (12, 12..=12, "lossy U16 is 12-bit (lossless=true allows 9..16)"),
    };
    match p {
        0 => Ok(auto),
        p if range.contains(&p) => Ok(p),
        p => Err(Error::invalid(format!("precision={p} is not possible: {rule}"))),
    }
}

/// The TurboJPEG subsampling and its label for the `subsampling` option (grayscale input
/// always encodes grayscale).
fn subsampling(format: crate::format::PixelFormat, requested: &str) -> Result<(turbojpeg::Subsamp, &'static str)> {
    if format.layout == Layout::Gray {
        return Ok((turbojpeg::Subsamp::Gray, "grayscale"));
    }
    Ok(match requested {
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
    })
}
