//! JPEG through libjpeg-turbo 3.1 (the `turbojpeg` crate, vendored C library).
//!
//! # Decoding
//!
//! - 8-bit lossy JPEG (baseline, extended, progressive, arithmetic-coded): grayscale files give
//!   `Gray U8`, YCbCr and RGB files give `Rgb U8`, CMYK and YCCK files give `Cmyk U8`.
//! - 12-bit lossy JPEG gives `Gray/Rgb/Cmyk U16` holding the file's own 12-bit values
//!   (0..=4095), decoded with `tj3Decompress12`.
//! - Lossless JPEG (SOF3, 2..=16 bits) gives U8 for precisions up to 8 and U16 above, with the
//!   file's own values ([`ImageInfo::lossy_source`] is then `false`).
//! - CMYK: the samples are returned as stored, exactly as libjpeg-turbo reports them. YCCK is
//!   converted back to the CMYK values it was made from. Files written by Adobe applications
//!   (with an Adobe APP14 marker) conventionally store *inverted* CMYK (0 = full ink); this
//!   decoder does not invert them, so such files give `255 - ink`. Files written by this
//!   encoder (and by libjpeg) store the values given, so a round trip keeps their meaning.
//! - Strict: any libjpeg warning is an error (`TJPARAM_STOPONWARNING`). A truncated file
//!   ("premature end of JPEG file") or corrupt entropy-coded data is an [`Error::Decode`],
//!   never a partially grey image.
//! - Guards: the header is read when the decoder is made and [`Limits`] are checked before
//!   any pixel memory exists; libjpeg-turbo is also given `TJPARAM_MAXPIXELS`,
//!   `TJPARAM_MAXMEMORY` (from `max_alloc_bytes`) and a progressive scan limit of
//!   [`MAX_SCANS`] against the "many scans" denial of service.
//! - Shrink-on-load: [`Decoder::draft`] selects libjpeg-turbo's DCT scaling (1/2, 1/4, 1/8)
//!   for lossy files, so a large JPEG decodes straight to a smaller size (as Pillow's `draft`).
//! - Metadata: ICC profile (APP2), pixel density from the JFIF header (as DPI), raw EXIF
//!   bytes (APP1) and the EXIF orientation tag.
//! - Two bands at once: a sequential (not progressive) lossy 8-bit file of at least
//!   [`PARALLEL_MIN_PIXELS`], decoded at full size from outside rayon's pool while the pool
//!   has two or more threads, is decoded as an upper and a lower band on the pool, each with
//!   its own TurboJPEG instance and a cropping region. The lower band entropy-decodes the rows
//!   above it without reconstructing them, so the bands cost ~1.3x the CPU of one pass for
//!   1.1-1.4x the speed on 2 cores (bench photos, q90 4:2:0, 768x512 to 4000x3000). Pixels are
//!   identical to one pass (`tests/jpeg.rs`). A caller on a pool thread (`ml::Dataset`, or
//!   any `pool.install`) gets one pass and keeps the other cores for other files.
//!
//! # Encoding
//!
//! `Gray U8`, `Rgb U8` and `Cmyk U8` (written as YCCK), all lossy; every encode returns a
//! reason such as `JPEG is lossy (quality 90, 4:2:0)`. Alpha is never dropped: `Rgba` is not
//! encodable. Options: `quality` 1..=100 (90), `subsampling` 444|422|420|440|411|gray (420;
//! grayscale input always encodes grayscale; `gray` for colour input is refused because it
//! would discard colour), `progressive` (false), `optimize` (false), `arithmetic` (false),
//! `parallel` (true).
//!
//! `parallel`: a baseline Huffman-coded image of at least [`PARALLEL_MIN_PIXELS`] is cut into
//! horizontal bands of whole MCU rows, the bands are encoded as independent JPEGs on rayon's
//! pool, and their entropy-coded data is joined into one standard baseline JPEG with a
//! restart interval (DRI) of one band and RST0..7 markers between the bands. The result is
//! byte for byte what libjpeg-turbo writes itself when asked for that restart interval, so
//! it holds exactly the coefficients of a single-threaded encode and decodes to the same
//! pixels (both are tested). Size: the 6-byte DRI, 2 bytes per RST marker, the 1-padding of
//! each band's last byte and each band's first DC coded without prediction (measured in
//! `tests/jpeg.rs`: -51..+93 bytes on 39 KB..1 MB files, 2..8 bands). The band layout
//! depends only on the image size, so the bytes do not depend on the number of threads.
//! Progressive, optimized and arithmetic encodes, and `parallel=false`, are one sequential
//! scan without restart markers. Speed on the 2-core bench machine (q90 4:2:0 RGB, best of
//! 90 calls, MP/s, parallel vs `parallel=false` in one run): 640x480 767 vs 523, 768x512 856
//! vs 513, 1024x768 833 vs 490, 1920x1080 809 vs 437; on a 1-thread pool the banded encode
//! is as fast as the single one (within 2%).
//!
//! # Performance notes
//!
//! - Compressors (with the output buffer each has grown) are pooled process-wide, so an encode
//!   allocates nothing once warm (a new compressor + output buffer per call measured ~3% slower
//!   at 1920x1080). Every setting is applied again on each use, and libjpeg-turbo resets all
//!   other compression state per image (`tests/jpeg.rs` compares interleaved encodes with
//!   fresh compressors).
//! - Decoders deliberately create a fresh TurboJPEG instance per file: `tj3Init` plus
//!   `tj3Destroy` measured 0.3 µs (0.02% of a 768x512 decode), while a reused libjpeg
//!   decompressor keeps the quantization tables of earlier files, so a file without DQT
//!   segments would decode with the previous file's tables instead of being refused.
//! - libjpeg-turbo is built as a CMake Release build (see `Cargo.toml`); against the default
//!   RelWithDebInfo (-O2) build the difference was within the noise of the shared machine
//!   (its hot loops are SIMD assembly).

use std::borrow::Cow;
use std::ffi::CStr;
use std::io::Write;

use turbojpeg::{libc, raw};

use crate::codec::{Capabilities, Codec, CodecDescriptor, Decoder, Encoder, Fidelity, Source};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::{ImageMut, ImageRef};
use crate::info::{ImageInfo, Metadata};
use crate::limits::Limits;
use crate::options::{OptionSpec, ResolvedOptions};
use crate::sample::SampleType;

const NAME: &str = "jpeg-turbo";

/// Largest number of progressive scans accepted when decoding (libjpeg-turbo's own
/// recommended guard against the progressive-JPEG denial-of-service).
pub const MAX_SCANS: u32 = 500;

/// Largest width or height a JPEG file can hold.
pub const MAX_DIMENSION: u32 = 65_500;

/// The libjpeg-turbo JPEG codec (`jpeg-turbo`): decodes 8-bit, 12-bit and lossless JPEG,
/// encodes Gray, Rgb and Cmyk U8 (lossy). See the module documentation for details.
pub struct JpegTurboCodec {
    descriptor: CodecDescriptor,
    capabilities: Capabilities,
    options: Vec<OptionSpec>,
}

impl Default for JpegTurboCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl JpegTurboCodec {
    /// The codec with its descriptor (priority 100), capability table and options.
    pub fn new() -> Self {
        let layouts = [Layout::Gray, Layout::Rgb, Layout::Cmyk];
        JpegTurboCodec {
            descriptor: CodecDescriptor::new(
                NAME,
                "jpeg",
                "JPEG via libjpeg-turbo 3.1: baseline, progressive, arithmetic, 12-bit and lossless decode; lossy encode",
                &["jpg", "jpeg", "jpe", "jfif"],
                &["image/jpeg"],
                &[&[0xFF, 0xD8, 0xFF]],
                100,
            ),
            capabilities: Capabilities {
                decode: Capabilities::grid(&layouts, &[SampleType::U8, SampleType::U16], Fidelity::Lossy),
                encode: Capabilities::grid(&layouts, &[SampleType::U8], Fidelity::Lossy),
                multi_page_encode: false,
                multi_page_decode: false,
            },
            options: vec![
                OptionSpec::int("quality", 1, 100, 90, "JPEG quality (1 = smallest, 100 = best)"),
                OptionSpec::choice(
                    "subsampling",
                    &["444", "422", "420", "440", "411", "gray"],
                    "420",
                    "chroma subsampling; grayscale input always encodes grayscale",
                ),
                OptionSpec::bool("progressive", false, "write a progressive JPEG (SOF2)"),
                OptionSpec::bool("optimize", false, "compute optimal Huffman tables (smaller, slower)"),
                OptionSpec::bool("arithmetic", false, "use arithmetic entropy coding (SOF9/SOF10)"),
                OptionSpec::bool(
                    "parallel",
                    true,
                    "encode large baseline images as bands on all cores, joined by restart markers (same pixels, a few bytes larger)",
                ),
            ],
        }
    }
}

impl Codec for JpegTurboCodec {
    fn descriptor(&self) -> &CodecDescriptor {
        &self.descriptor
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn encode_options(&self) -> &[OptionSpec] {
        &self.options
    }

    fn decoder<'a>(&self, source: Source<'a>, limits: &Limits) -> Result<Box<dyn Decoder + 'a>> {
        Ok(Box::new(JpegTurboDecoder::new(source.into_bytes(limits)?, limits)?))
    }

    fn encoder(&self) -> Result<Box<dyn Encoder>> {
        Ok(Box::new(JpegTurboEncoder::new()?))
    }

    fn reusable_encoder(&self) -> bool {
        true
    }
}

/// An owned TurboJPEG instance (the safe `Decompressor` hides the parameters we need:
/// strict warnings, precision, 12/16-bit output, ICC, density, memory limits).
struct Handle(raw::tjhandle);

impl Handle {
    fn new(init: raw::TJINIT) -> Result<Handle> {
        // SAFETY: tj3Init has no preconditions; a null return is handled.
        let ptr = unsafe { raw::tj3Init(init as libc::c_int) };
        if ptr.is_null() {
            return Err(Error::decode(NAME, "could not create a TurboJPEG instance"));
        }
        Ok(Handle(ptr))
    }

    /// A decompressor that fails on any libjpeg warning and is held to the progressive scan
    /// limit and to `guards` (`TJPARAM_MAXPIXELS`, `TJPARAM_MAXMEMORY`).
    fn decompressor(guards: (i32, i32)) -> Result<Handle> {
        let handle = Handle::new(raw::TJINIT_TJINIT_DECOMPRESS)?;
        handle.set(raw::TJPARAM_TJPARAM_STOPONWARNING, 1)?;
        handle.set(raw::TJPARAM_TJPARAM_SCANLIMIT, MAX_SCANS as i32)?;
        handle.set(raw::TJPARAM_TJPARAM_MAXPIXELS, guards.0)?;
        handle.set(raw::TJPARAM_TJPARAM_MAXMEMORY, guards.1)?;
        Ok(handle)
    }

    fn error(&self) -> String {
        // SAFETY: the handle is valid; tj3GetErrorStr returns a NUL-terminated static or
        // per-instance string that stays valid until the next call on this instance.
        unsafe { CStr::from_ptr(raw::tj3GetErrorStr(self.0)) }
            .to_string_lossy()
            .into_owned()
    }

    fn get(&self, param: raw::TJPARAM) -> i32 {
        // SAFETY: valid handle; unknown parameters return -1.
        unsafe { raw::tj3Get(self.0, param as libc::c_int) }
    }

    fn set(&self, param: raw::TJPARAM, value: i32) -> Result<()> {
        // SAFETY: valid handle; invalid values are reported through the return code.
        if unsafe { raw::tj3Set(self.0, param as libc::c_int, value) } != 0 {
            return Err(Error::decode(NAME, self.error()));
        }
        Ok(())
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle came from tj3Init and is destroyed once.
        unsafe { raw::tj3Destroy(self.0) }
    }
}

// SAFETY: a TurboJPEG instance has no thread affinity; it is used by one owner at a time.
unsafe impl Send for Handle {}

/// How the pixels are produced: which `tj3Decompress*` and which `TJPF`.
#[derive(Clone, Copy)]
struct Plan {
    bits: Bits,
    pixel_format: raw::TJPF,
}

#[derive(Clone, Copy, PartialEq)]
enum Bits {
    /// 2..=8 bits: tj3Decompress8 into u8.
    Eight,
    /// 9..=12 bits: tj3Decompress12 into 16-bit samples.
    Twelve,
    /// 13..=16 bits (lossless only): tj3Decompress16 into u16.
    Sixteen,
}

/// Decoder over one JPEG held in memory (borrowed when the caller gave bytes).
pub struct JpegTurboDecoder<'a> {
    data: Cow<'a, [u8]>,
    handle: Handle,
    info: ImageInfo,
    plan: Plan,
    /// Size in the file (before any [`Decoder::draft`] scaling).
    full: (u32, u32),
    /// The `TJPARAM_MAXPIXELS` and `TJPARAM_MAXMEMORY` values given to libjpeg-turbo (again
    /// for the second handle of a band decode).
    guards: (i32, i32),
    /// Sequential (not progressive) lossy 8-bit: can be decoded in two bands.
    bandable: bool,
}

/// The error for a failed `tj3Decompress*` on `handle`.
fn decompress_error(handle: &Handle) -> Error {
    let msg = handle.error();
    if msg.to_ascii_lowercase().contains("backing store") {
        return Error::Limits(format!(
            "libjpeg-turbo needs more intermediate memory than Limits::max_alloc_bytes allows ({msg})"
        ));
    }
    decode_err(msg)
}

fn decode_err(msg: impl std::fmt::Display) -> Error {
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
        let handle = Handle::decompressor(guards)?;
        handle.set(raw::TJPARAM_TJPARAM_SAVEMARKERS, 2)?;

        // SAFETY: valid handle; the pointer and length describe `data`, which outlives the call.
        let rc = unsafe { raw::tj3DecompressHeader(handle.0, data.as_ptr(), data.len() as raw::size_t) };
        if rc != 0 {
            return Err(decode_err(format!("cannot read the JPEG header: {}", handle.error())));
        }
        let width = handle.get(raw::TJPARAM_TJPARAM_JPEGWIDTH);
        let height = handle.get(raw::TJPARAM_TJPARAM_JPEGHEIGHT);
        if width < 1 || height < 1 {
            return Err(decode_err(
                "the data holds no image (an abbreviated tables-only JPEG datastream)",
            ));
        }
        let (width, height) = (width as u32, height as u32);
        let lossless = handle.get(raw::TJPARAM_TJPARAM_LOSSLESS) != 0;
        let progressive = handle.get(raw::TJPARAM_TJPARAM_PROGRESSIVE) != 0;
        let precision = handle.get(raw::TJPARAM_TJPARAM_PRECISION);
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
        let colorspace = handle.get(raw::TJPARAM_TJPARAM_COLORSPACE);
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
        info.metadata = read_metadata(&handle, &data);
        Ok(JpegTurboDecoder {
            data,
            handle,
            info,
            plan: Plan { bits, pixel_format },
            full: (width, height),
            guards,
            bandable: bits == Bits::Eight && !lossless && !progressive,
        })
    }

    /// Whether this decode runs as two bands on rayon's pool: a sequential lossy 8-bit file
    /// at full size of at least [`PARALLEL_MIN_PIXELS`], decoded from outside the pool (a
    /// caller already on a pool thread, such as `ml::Dataset`, keeps its cores for other
    /// files) while the pool has more than one thread.
    fn band_decode(&self) -> bool {
        self.bandable
            && (self.info.width, self.info.height) == self.full
            && u64::from(self.info.width) * u64::from(self.info.height) >= PARALLEL_MIN_PIXELS
            && self.info.height >= 64
            && rayon::current_thread_index().is_none()
            && rayon::current_num_threads() > 1
    }

    /// Decodes rows `0..split` and `split..height` at the same time, each with its own
    /// TurboJPEG instance and a cropping region (`tj3SetCroppingRegion`). The lower band's
    /// instance entropy-decodes the rows above it without reconstructing them
    /// (`jpeg_skip_scanlines`), so the split sits below the middle to even out the work; the
    /// upper band stops after its rows. Both bands check every warning, and between them every
    /// byte of entropy-coded data is decoded, so a corrupt or truncated file fails as in a
    /// single decode. The pixels are identical to a single decode (`tests/jpeg.rs`).
    fn decompress_bands(&self, buf: &mut [u8], pitch_bytes: usize) -> Result<()> {
        let h = self.info.height as usize;
        // Measured on the bench photos: skipping costs ~0.4-0.5 of decoding a row, so the
        // upper band gets ~64% of the rows.
        let split = h * 16 / 25;
        let (top, bottom) = buf.split_at_mut(split * pitch_bytes);
        let (file, guards, pf): (&[u8], _, _) = (&self.data, self.guards, self.plan.pixel_format as libc::c_int);
        let band = |y: usize, rows: usize, out: &mut [u8]| -> Result<()> {
            let handle = Handle::decompressor(guards)?;
            let (data, len) = (file.as_ptr(), file.len() as raw::size_t);
            // SAFETY: valid handle; the pointer and length describe the file's bytes.
            if unsafe { raw::tj3DecompressHeader(handle.0, data, len) } != 0 {
                return Err(decode_err(handle.error()));
            }
            let region = raw::tjregion {
                x: 0,
                y: y as libc::c_int,
                w: 0,
                h: rows as libc::c_int,
            };
            // SAFETY: valid handle after reading the header; x = 0 is on an iMCU boundary and
            // the rows lie inside the image.
            if unsafe { raw::tj3SetCroppingRegion(handle.0, region) } != 0 {
                return Err(decode_err(handle.error()));
            }
            // SAFETY: `out` starts at row `y` of the caller's buffer and holds `rows` rows of
            // `pitch_bytes` (the last one possibly only its pixel bytes), which is what
            // libjpeg-turbo writes for a cropping region of `rows` full-width rows.
            let rc =
                unsafe { raw::tj3Decompress8(handle.0, data, len, out.as_mut_ptr(), pitch_bytes as libc::c_int, pf) };
            if rc != 0 {
                return Err(decompress_error(&handle));
            }
            Ok(())
        };
        let (a, b) = rayon::join(|| band(0, split, top), || band(split, h - split, bottom));
        a.and(b)
    }

    fn decompress(&mut self, out: &mut ImageMut<'_>) -> Result<()> {
        let stride = out.stride();
        let sample_size = self.info.format.sample.size();
        let pitch = i32::try_from(stride / sample_size)
            .map_err(|_| Error::invalid(format!("row stride {stride} is too large for libjpeg-turbo")))?;
        let (data, len) = (self.data.as_ptr(), self.data.len() as raw::size_t);
        let h = self.handle.0;
        let pf = self.plan.pixel_format as libc::c_int;
        let buf = out.as_bytes_mut();
        if self.band_decode() {
            return self.decompress_bands(buf, stride);
        }
        // SAFETY (all arms): `buf` holds stride * (height - 1) + width * bytes_per_pixel bytes
        // (checked by ImageMut) and the output geometry equals the header's (checked by the
        // caller), so libjpeg-turbo writes only inside `buf`, and only each row's pixel bytes.
        // For 16-bit output `buf` is 2-aligned (checked by the caller) and pitch is in samples.
        let rc = match self.plan.bits {
            Bits::Eight => unsafe { raw::tj3Decompress8(h, data, len, buf.as_mut_ptr(), pitch, pf) },
            Bits::Twelve => unsafe { raw::tj3Decompress12(h, data, len, buf.as_mut_ptr().cast(), pitch, pf) },
            Bits::Sixteen => unsafe { raw::tj3Decompress16(h, data, len, buf.as_mut_ptr().cast(), pitch, pf) },
        };
        if rc != 0 {
            return Err(decompress_error(&self.handle));
        }
        Ok(())
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
        let factor = raw::tjscalingfactor {
            num: 1,
            denom: denom as libc::c_int,
        };
        // SAFETY: valid handle; 1/1, 1/2, 1/4 and 1/8 are among libjpeg-turbo's scaling factors.
        if unsafe { raw::tj3SetScalingFactor(self.handle.0, factor) } != 0 {
            return Err(decode_err(format!(
                "cannot set the DCT scaling factor 1/{denom}: {}",
                self.handle.error()
            )));
        }
        let new = (scaled(w, denom), scaled(h, denom));
        let changed = new != (self.info.width, self.info.height);
        (self.info.width, self.info.height) = new;
        Ok(changed)
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

/// ICC profile, density and EXIF from the header just read by `handle`.
fn read_metadata(handle: &Handle, data: &[u8]) -> Metadata {
    let mut meta = Metadata::default();
    let mut icc: *mut libc::c_uchar = std::ptr::null_mut();
    let mut icc_len: raw::size_t = 0;
    // SAFETY: valid handle after tj3DecompressHeader; on success `icc` is null or a tj3Alloc'd
    // buffer of `icc_len` bytes that we copy and free once.
    unsafe {
        if raw::tj3GetICCProfile(handle.0, &mut icc, &mut icc_len) == 0 && !icc.is_null() {
            if icc_len > 0 {
                meta.icc_profile = Some(std::slice::from_raw_parts(icc, icc_len as usize).to_vec());
            }
            raw::tj3Free(icc.cast());
        }
    }
    let units = handle.get(raw::TJPARAM_TJPARAM_DENSITYUNITS);
    let (x, y) = (
        handle.get(raw::TJPARAM_TJPARAM_XDENSITY),
        handle.get(raw::TJPARAM_TJPARAM_YDENSITY),
    );
    if x > 0 && y > 0 {
        match units {
            1 => meta.dpi = Some((x as f64, y as f64)),
            2 => meta.dpi = Some((x as f64 * 2.54, y as f64 * 2.54)),
            _ => {}
        }
    }
    if let Some(exif) = find_exif(data) {
        meta.orientation = exif_orientation(exif);
        meta.exif = Some(exif.to_vec());
    }
    meta
}

/// The TIFF-structured payload of the first `APP1 Exif\0\0` segment before the first scan.
fn find_exif(data: &[u8]) -> Option<&[u8]> {
    let mut i = 2;
    loop {
        while *data.get(i)? != 0xFF {
            i += 1; // tolerate garbage between segments, as libjpeg does (with a warning)
        }
        while *data.get(i)? == 0xFF {
            i += 1;
        }
        let marker = *data.get(i)?;
        i += 1;
        match marker {
            0x01 | 0xD0..=0xD8 => continue,
            0xD9 | 0xDA => return None,
            _ => {}
        }
        let len = u16::from_be_bytes([*data.get(i)?, *data.get(i + 1)?]) as usize;
        let seg = data.get(i + 2..i + len.max(2))?;
        if marker == 0xE1 && seg.starts_with(b"Exif\0\0") {
            return Some(&seg[6..]);
        }
        i += len;
    }
}

/// The orientation tag (0x0112) of IFD0 when it holds a value in 1..=8.
fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let le = match tiff.get(..4)? {
        [b'I', b'I', 42, 0] => true,
        [b'M', b'M', 0, 42] => false,
        _ => return None,
    };
    let u16_at = |o: usize| -> Option<u16> {
        let b = [*tiff.get(o)?, *tiff.get(o + 1)?];
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |o: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(o..o + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let ifd = u32_at(4)? as usize;
    let count = u16_at(ifd)? as usize;
    (0..count).find_map(|k| {
        let e = ifd.checked_add(2 + 12 * k)?;
        // tag 0x0112, type SHORT (3), count 1: the value sits in the first 2 bytes of the field
        if u16_at(e)? == 0x0112 && u16_at(e + 2)? == 3 && u32_at(e + 4)? == 1 {
            u16_at(e + 8).filter(|v| (1..=8).contains(v))
        } else {
            None
        }
    })
}

/// Encoder for `Gray`, `Rgb` and `Cmyk` U8. It holds no state of its own: every encode takes
/// libjpeg-turbo compressors (with the output buffers they grew) from a small process-wide
/// pool, so a new encoder per call costs no allocation once the pool is warm.
pub struct JpegTurboEncoder {
    /// The lossy reason of the last call and the settings it describes: a reused encoder
    /// hands out the same text without formatting it again.
    reason: Option<(ReasonKey, std::sync::Arc<str>)>,
}

/// Quality, subsampling label, layout, progressive, arithmetic, optimize.
type ReasonKey = (i64, &'static str, Layout, bool, bool, bool);

fn encode_err(e: impl std::fmt::Display) -> Error {
    Error::encode(NAME, e)
}

impl JpegTurboEncoder {
    /// A new encoder.
    pub fn new() -> Result<Self> {
        Ok(JpegTurboEncoder { reason: None })
    }
}

/// Pixels per band of a parallel encode (before rounding the band count up to an even
/// number): large enough that the fixed cost of one more libjpeg-turbo encode per band (about
/// 10 µs) stays near 1%, small enough to share the work of a 2-megapixel image among 8 bands.
pub const PARALLEL_BAND_PIXELS: u64 = 1 << 18;

/// Smallest image (in pixels) encoded as parallel bands (`parallel=true`, baseline Huffman
/// coding only); smaller images are one sequential encode.
pub const PARALLEL_MIN_PIXELS: u64 = 1 << 18;

/// Pooled compressors kept for reuse (each with its output buffer).
const POOL_MAX: usize = 16;
/// A compressor whose last output was larger than this is freed instead of pooled, so the
/// pool never pins the buffers of a few huge encodes.
const POOL_MAX_OUTPUT: usize = 16 << 20;

/// One TurboJPEG compressor and the output buffer it reuses (libjpeg-turbo grows the buffer
/// as needed and keeps it with the instance).
struct Slot {
    compressor: turbojpeg::Compressor,
    out: turbojpeg::OutputBuf<'static>,
}

// SAFETY: the compressor is `Send`; the output buffer is an owned heap allocation (tj3Alloc)
// used only by the slot's owner, and moving it between threads moves only the pointer.
unsafe impl Send for Slot {}

static POOL: std::sync::Mutex<Vec<Slot>> = std::sync::Mutex::new(Vec::new());

impl Slot {
    fn take() -> Result<Slot> {
        if let Some(slot) = POOL.lock().ok().and_then(|mut p| p.pop()) {
            return Ok(slot);
        }
        Ok(Slot {
            compressor: turbojpeg::Compressor::new().map_err(encode_err)?,
            out: turbojpeg::OutputBuf::new_owned(),
        })
    }

    /// Returns the slot to the pool (called only after a successful encode; a slot whose
    /// encode failed is dropped).
    fn give_back(self) {
        if self.out.len() <= POOL_MAX_OUTPUT {
            if let Ok(mut pool) = POOL.lock() {
                if pool.len() < POOL_MAX {
                    pool.push(self);
                }
            }
        }
    }

    /// Compresses `height` rows starting at `pixels` with every setting of `s` applied afresh
    /// (libjpeg-turbo resets all other compression state for each image).
    fn compress(&mut self, s: &Settings, pixels: &[u8], pitch: usize, height: u32) -> Result<()> {
        let c = &mut self.compressor;
        c.set_quality(s.quality).map_err(encode_err)?;
        c.set_subsamp(s.subsamp).map_err(encode_err)?;
        c.set_progressive(s.progressive).map_err(encode_err)?;
        c.set_optimize(s.optimize).map_err(encode_err)?;
        c.set_arithmetic(s.arithmetic).map_err(encode_err)?;
        let input = turbojpeg::Image {
            pixels,
            width: s.width as usize,
            pitch,
            height: height as usize,
            format: s.pixel_format,
        };
        c.compress(input, &mut self.out).map_err(encode_err)
    }
}

/// Everything one `tj3Compress8` call needs besides the pixels.
struct Settings {
    quality: i32,
    subsamp: turbojpeg::Subsamp,
    progressive: bool,
    optimize: bool,
    arithmetic: bool,
    width: u32,
    pixel_format: turbojpeg::PixelFormat,
}

/// MCU width and height in pixels for a subsampling mode.
fn mcu_size(subsamp: turbojpeg::Subsamp) -> (u32, u32) {
    match subsamp {
        turbojpeg::Subsamp::Sub2x1 => (16, 8),
        turbojpeg::Subsamp::Sub2x2 => (16, 16),
        turbojpeg::Subsamp::Sub1x2 => (8, 16),
        turbojpeg::Subsamp::Sub4x1 => (32, 8),
        _ => (8, 8),
    }
}

/// Rows per band for a parallel encode, or `None` when the image is encoded in one piece:
/// too small, or a mode whose bands could not be joined (progressive, optimized Huffman
/// tables or arithmetic coding give each band its own tables or coder state).
///
/// The band count is the number of [`PARALLEL_BAND_PIXELS`] in the image, rounded up to an
/// even number (so two or four cores share the work evenly); the bands are whole MCU rows of
/// near-equal height.
fn band_rows(s: &Settings, height: u32) -> Option<u32> {
    if s.progressive || s.optimize || s.arithmetic {
        return None;
    }
    let pixels = u64::from(s.width) * u64::from(height);
    if pixels < PARALLEL_MIN_PIXELS {
        return None;
    }
    let (mcu_w, mcu_h) = mcu_size(s.subsamp);
    let mcus_per_row = u64::from(s.width.div_ceil(mcu_w));
    let mcu_rows = u64::from(height.div_ceil(mcu_h));
    let bands = pixels.div_ceil(PARALLEL_BAND_PIXELS).next_multiple_of(2);
    // The restart interval (MCUs per band) is a 16-bit field.
    let band_mcu_rows = mcu_rows.div_ceil(bands).min(u64::from(u16::MAX) / mcus_per_row);
    if band_mcu_rows == 0 || band_mcu_rows >= mcu_rows {
        return None;
    }
    Some(band_mcu_rows as u32 * mcu_h)
}

/// Where the parts of a single-scan JPEG written by libjpeg-turbo are: the frame's height
/// field, the SOS marker and the first entropy-coded byte; the entropy-coded data runs to the
/// final EOI marker (the last two bytes).
struct ScanLayout {
    height_at: usize,
    sos_at: usize,
    data_at: usize,
}

fn scan_layout(jpeg: &[u8]) -> Option<ScanLayout> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) || !jpeg.ends_with(&[0xFF, 0xD9]) {
        return None;
    }
    let mut i = 2;
    let mut height_at = None;
    loop {
        if *jpeg.get(i)? != 0xFF {
            return None;
        }
        let marker = *jpeg.get(i + 1)?;
        let len = usize::from(u16::from_be_bytes([*jpeg.get(i + 2)?, *jpeg.get(i + 3)?]));
        match marker {
            // A restart interval already present would clash with the one added.
            0xDD => return None,
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => height_at = Some(i + 5),
            0xDA => {
                let data_at = i + 2 + len;
                return (data_at <= jpeg.len() - 2).then_some(ScanLayout {
                    height_at: height_at?,
                    sos_at: i,
                    data_at,
                });
            }
            _ => {}
        }
        i += 2 + len;
    }
}

/// Encodes horizontal bands of `rows` rows on rayon's pool and joins them into one baseline
/// JPEG with a restart interval of one band. Every band is an independent JPEG with the same
/// tables, and the entropy-coded data of an independent encode is exactly a restart segment
/// (DC predictions start at 0, the last byte is padded with 1-bits); bands start on MCU rows
/// and the chroma downsampling is local to an MCU, so the joined file holds the very
/// coefficients a single encode computes (`tests/jpeg.rs` checks it byte for byte against
/// libjpeg-turbo's own restart-interval encode). Returns `Ok(false)`, having written nothing,
/// if the band headers differ (which libjpeg-turbo never does).
fn encode_bands(s: &Settings, image: &ImageRef<'_>, rows: u32, out: &mut dyn Write) -> Result<bool> {
    use rayon::prelude::*;
    let height = image.height();
    let stride = image.stride();
    let bytes = image.as_bytes();
    let count = height.div_ceil(rows) as usize;
    let slots = (0..count)
        .into_par_iter()
        .map(|k| {
            let y0 = k as u32 * rows;
            let mut slot = Slot::take()?;
            slot.compress(s, &bytes[y0 as usize * stride..], stride, rows.min(height - y0))?;
            Ok(slot)
        })
        .collect::<Result<Vec<Slot>>>()?;
    let Some(layouts) = slots
        .iter()
        .map(|slot| scan_layout(&slot.out))
        .collect::<Option<Vec<ScanLayout>>>()
    else {
        return Ok(false);
    };
    let (first, l0) = (&slots[0].out[..], &layouts[0]);
    let same_header = slots.iter().zip(&layouts).all(|(slot, l)| {
        let b = &slot.out[..];
        l.height_at == l0.height_at
            && l.data_at == l0.data_at
            && b[..l.height_at] == first[..l0.height_at]
            && b[l.height_at + 2..l.data_at] == first[l0.height_at + 2..l0.data_at]
    });
    let (mcu_w, mcu_h) = mcu_size(s.subsamp);
    let Ok(interval) = u16::try_from(s.width.div_ceil(mcu_w) * (rows / mcu_h)) else {
        return Ok(false);
    };
    if !same_header {
        return Ok(false);
    }
    out.write_all(&first[..l0.height_at])?;
    out.write_all(&(height as u16).to_be_bytes())?;
    out.write_all(&first[l0.height_at + 2..l0.sos_at])?;
    let [hi, lo] = interval.to_be_bytes();
    out.write_all(&[0xFF, 0xDD, 0x00, 0x04, hi, lo])?;
    out.write_all(&first[l0.sos_at..l0.data_at])?;
    for (k, (slot, l)) in slots.iter().zip(&layouts).enumerate() {
        if k > 0 {
            out.write_all(&[0xFF, 0xD0 + ((k - 1) % 8) as u8])?;
        }
        out.write_all(&slot.out[l.data_at..slot.out.len() - 2])?;
    }
    out.write_all(&[0xFF, 0xD9])?;
    for slot in slots {
        slot.give_back();
    }
    Ok(true)
}

impl Encoder for JpegTurboEncoder {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> Result<Option<std::sync::Arc<str>>> {
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
        let settings = Settings {
            quality: quality as i32,
            subsamp,
            progressive,
            optimize,
            arithmetic,
            width: image.width(),
            pixel_format,
        };
        let bands = if options.bool("parallel")? {
            band_rows(&settings, image.height())
        } else {
            None
        };
        let joined = match bands {
            Some(rows) => encode_bands(&settings, image, rows, out)?,
            None => false,
        };
        if !joined {
            let mut slot = Slot::take()?;
            slot.compress(&settings, image.as_bytes(), image.stride(), image.height())?;
            out.write_all(&slot.out)?;
            slot.give_back();
        }

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
        let reason: std::sync::Arc<str> = reason.into();
        self.reason = Some((key, reason.clone()));
        Ok(Some(reason))
    }
}
