//! The JPEG decoder: header and metadata when it is made, [`Limits`] checked before any pixel
//! memory exists, pixels straight into the caller's rows (as two bands on rayon's pool when
//! the parallelism rule allows it, see [`super::bands`]).

use std::borrow::Cow;

use turbojpeg::raw;

use super::handle::{Bits, Decompressor};
use super::{NAME, PARALLEL_MIN_PIXELS};
use crate::codec::{DctMethod, Decoder};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::ImageMut;
use crate::info::ImageInfo;
use crate::limits::Limits;
use crate::parallel::Contention;
use crate::sample::SampleType;

/// How the pixels are produced: which `tj3Decompress*` and which `TJPF`.
#[derive(Clone, Copy)]
struct Plan {
    bits: Bits,
    pixel_format: raw::TJPF,
}

/// Decoder over one JPEG held in memory (borrowed when the caller gave bytes).
pub struct JpegTurboDecoder<'a> {
    /// The TurboJPEG instance with the file's bytes; its header has been read.
    dec: Decompressor<'a>,
    info: ImageInfo,
    plan: Plan,
    /// Size in the file (before any [`Decoder::draft`] scaling).
    full: (u32, u32),
    /// The `TJPARAM_MAXPIXELS` and `TJPARAM_MAXMEMORY` values given to libjpeg-turbo (again
    /// for the instances of a band decode).
    guards: (i32, i32),
    /// Sequential (not progressive) lossy 8-bit: can be decoded in two bands.
    bandable: bool,
    /// The inverse DCT chosen with [`Decoder::set_dct_method`] (again for the band instances).
    dct_method: DctMethod,
}

/// The error for a failed `tj3Decompress*` with libjpeg-turbo's message `msg`.
pub(super) fn decompress_error(msg: String) -> Error {
    if msg.to_ascii_lowercase().contains("backing store") {
        return Error::Limits(format!(
            "libjpeg-turbo needs more intermediate memory than Limits::max_alloc_bytes allows ({msg})"
        ));
    }
    decode_err(msg)
}

pub(super) fn decode_err(msg: impl std::fmt::Display) -> Error {
    Error::decode(NAME, msg)
}

impl<'a> JpegTurboDecoder<'a> {
    /// Reads the header of `data` and checks `limits`; no pixel memory is allocated.
    pub fn new(data: Cow<'a, [u8]>, limits: &Limits) -> Result<Self> {
        if data.len() < 4 || data[..3] != [0xFF, 0xD8, 0xFF] {
            return Err(decode_err("not a JPEG file (no SOI marker FF D8 FF)"));
        }
        // 0 means "no limit" to libjpeg-turbo; our own checks below cover larger values.
        let max_pixels = i32::try_from(limits.max_pixels).unwrap_or(0);
        let max_mb = if limits.max_alloc_bytes >= (i32::MAX as u64) << 20 {
            0
        } else {
            (limits.max_alloc_bytes >> 20).max(1) as i32
        };
        let guards = (max_pixels, max_mb);
        let mut dec = Decompressor::new(data, guards)?;
        // Metadata segments are read by metadata.rs, not saved by libjpeg (whose ICC check would
        // fail the whole decode on a damaged ICC chunk).
        dec.set(raw::TJPARAM_TJPARAM_SAVEMARKERS, 0)?;
        dec.read_header()
            .map_err(|e| decode_err(format!("cannot read the JPEG header: {e}")))?;
        let width = dec.get(raw::TJPARAM_TJPARAM_JPEGWIDTH);
        let height = dec.get(raw::TJPARAM_TJPARAM_JPEGHEIGHT);
        if width < 1 || height < 1 {
            return Err(decode_err(
                "the data holds no image (an abbreviated tables-only JPEG datastream)",
            ));
        }
        let (width, height) = (width as u32, height as u32);
        let lossless = dec.get(raw::TJPARAM_TJPARAM_LOSSLESS) != 0;
        let progressive = dec.get(raw::TJPARAM_TJPARAM_PROGRESSIVE) != 0;
        let precision = dec.get(raw::TJPARAM_TJPARAM_PRECISION);
        let bits = match (precision, lossless) {
            (8, false) | (2..=8, true) => Bits::Eight,
            (12, false) | (9..=12, true) => Bits::Twelve,
            (13..=16, true) => Bits::Sixteen,
            (p, l) => {
                return Err(Error::Unsupported(format!(
                    "{p}-bit {} JPEG: libjpeg-turbo decodes 8- and 12-bit lossy and 2..16-bit lossless JPEG",
                    if l { "lossless" } else { "lossy" }
                )))
            }
        };
        let colorspace = dec.get(raw::TJPARAM_TJPARAM_COLORSPACE);
        let (layout, pixel_format) = match colorspace as raw::TJCS {
            raw::TJCS_TJCS_GRAY => (Layout::Gray, raw::TJPF_TJPF_GRAY),
            raw::TJCS_TJCS_RGB | raw::TJCS_TJCS_YCbCr => (Layout::Rgb, raw::TJPF_TJPF_RGB),
            raw::TJCS_TJCS_CMYK | raw::TJCS_TJCS_YCCK => (Layout::Cmyk, raw::TJPF_TJPF_CMYK),
            other => {
                return Err(Error::Unsupported(format!(
                    "JPEG colorspace {other} (libjpeg-turbo knows Gray, RGB, YCbCr, CMYK, YCCK)"
                )))
            }
        };
        let sample = if bits == Bits::Eight {
            SampleType::U8
        } else {
            SampleType::U16
        };
        let format = PixelFormat::new(layout, sample);
        limits.check_image(width, height, format)?;

        let mut info = ImageInfo::new(width, height, format, NAME, "jpeg");
        info.lossy_source = !lossless;
        // A 12-bit lossy or a 2..16-bit lossless file stores fewer bits than its sample type.
        let width_bits = sample.size() as i32 * 8;
        if precision < width_bits {
            info.significant_bits = Some(precision as u8);
        }
        info.metadata = super::metadata::read(&dec, layout);
        Ok(JpegTurboDecoder {
            dec,
            info,
            plan: Plan { bits, pixel_format },
            full: (width, height),
            guards,
            bandable: bits == Bits::Eight && !lossless && !progressive,
            dct_method: DctMethod::Accurate,
        })
    }

    /// Whether this decode runs as two bands on rayon's pool: a sequential lossy 8-bit file
    /// at full size of at least [`PARALLEL_MIN_PIXELS`], when pixcodec's parallelism rule
    /// ([`crate::parallel`]) allows it (so a caller already on a pool thread, such as
    /// `ml::Dataset`, keeps its cores for other files) and `contention` does not pause band
    /// decodes (after two in a row whose threads waited for cores held by other work).
    fn band_decode(&self, call: &crate::parallel::Call, contention: &Contention) -> bool {
        let (w, h) = (u64::from(self.info.width), u64::from(self.info.height));
        self.bandable
            && (self.info.width, self.info.height) == self.full
            && w * h >= PARALLEL_MIN_PIXELS
            && h >= 64
            && call.split_costly(w * h * self.info.format.bytes_per_pixel() as u64, contention)
    }

    fn decompress(&mut self, out: &mut ImageMut<'_>) -> Result<()> {
        let call = crate::parallel::Call::begin();
        let stride = out.stride();
        let pitch = stride / self.info.format.sample.size();
        if i32::try_from(pitch).is_err() {
            return Err(Error::invalid(format!(
                "row stride {stride} is too large for libjpeg-turbo"
            )));
        }
        let buf = out.as_bytes_mut();
        let contention = &super::bands::DECODE_CONTENTION;
        if self.band_decode(&call, contention) {
            return super::bands::decode(
                contention,
                self.dec.data(),
                self.guards,
                self.dct_method,
                self.plan.pixel_format,
                self.info.height,
                buf,
                stride,
            );
        }
        self.dec
            .decompress(self.plan.bits, buf, pitch, self.plan.pixel_format)
            .map_err(decompress_error)
    }
}

impl Decoder for JpegTurboDecoder<'_> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    /// DCT-domain downscaling (1/2, 1/4 or 1/8, the largest that keeps the output at least
    /// `min_width` x `min_height`; sizes round up as libjpeg-turbo's `TJSCALED`). Lossy JPEG
    /// only (8- and 12-bit); lossless JPEG is left at full size (`Ok(false)`). Calling it again
    /// chooses again from the full size.
    fn draft(&mut self, min_width: u32, min_height: u32) -> Result<bool> {
        if !self.info.lossy_source {
            return Ok(false);
        }
        let (w, h) = self.full;
        let scaled = |v: u32, d: u32| v.div_ceil(d);
        let denom = [8u32, 4, 2, 1]
            .into_iter()
            .find(|&d| scaled(w, d) >= min_width.max(1) && scaled(h, d) >= min_height.max(1))
            .unwrap_or(1);
        self.dec
            .set_scaling(denom)
            .map_err(|e| decode_err(format!("cannot set the DCT scaling factor 1/{denom}: {e}")))?;
        let new = (scaled(w, denom), scaled(h, denom));
        let changed = new != (self.info.width, self.info.height);
        (self.info.width, self.info.height) = new;
        Ok(changed)
    }

    /// `TJPARAM_FASTDCT` for [`DctMethod::Fast`]. Lossless JPEG has no DCT (`Ok(false)`);
    /// libjpeg-turbo ignores the choice for a [`Decoder::draft`]-scaled decode.
    fn set_dct_method(&mut self, method: DctMethod) -> Result<bool> {
        if !self.info.lossy_source {
            return Ok(false);
        }
        self.dec
            .set(raw::TJPARAM_TJPARAM_FASTDCT, i32::from(method == DctMethod::Fast))?;
        self.dct_method = method;
        Ok(true)
    }

    fn decode_into(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        out.expect_shape(self.info.width, self.info.height, self.info.format)?;
        let aligned = out.as_bytes_mut().as_ptr() as usize % self.info.format.sample.size() == 0;
        if aligned {
            return self.decompress(&mut out);
        }
        // A caller buffer that is not 2-aligned cannot be handed to C as 16-bit samples:
        // decode into an aligned image and copy the rows (padding still untouched).
        let mut tmp = crate::image::Image::new(self.info.width, self.info.height, self.info.format)?;
        self.decompress(&mut tmp.as_mut())?;
        out.copy_from(&tmp.as_ref())
    }
}
