//! JPEG through libjpeg-turbo 3.1 (the `turbojpeg` crate, vendored C library).
//!
//! # Decoding
//!
//! - 8-bit lossy JPEG (baseline, extended, progressive, arithmetic-coded): grayscale files give
//!   `Gray U8`, YCbCr and RGB files give `Rgb U8`, CMYK and YCCK files give `Cmyk U8`.
//! - 12-bit lossy JPEG gives `Gray/Rgb/Cmyk U16` holding the file's own 12-bit values
//!   (0..=4095), decoded with `tj3Decompress12`.
//! - Lossless JPEG (SOF3, 2..=16 bits) gives U8 for precisions up to 8 and U16 above, with the
//!   file's own values ([`ImageInfo::lossy_source`](crate::ImageInfo::lossy_source) is then
//!   `false`).
//! - CMYK: the samples are returned as stored, exactly as libjpeg-turbo reports them. YCCK is
//!   converted back to the CMYK values it was made from. Files written by Adobe applications
//!   (with an Adobe APP14 marker) conventionally store *inverted* CMYK (0 = full ink); this
//!   decoder does not invert them, so such files give `255 - ink`, and says so: a CMYK file
//!   with an Adobe APP14 marker sets `Metadata::photometric` to `AdobeInvertedCmyk`
//!   (`convert::apply_invert` turns the samples into plain ink amounts). The encoder stores
//!   the values given, and libjpeg-turbo marks every CMYK file it writes with an Adobe APP14
//!   marker: CMYK samples carrying `AdobeInvertedCmyk` keep their meaning, while plain CMYK
//!   samples (no photometric) are reported in `EncodeReport::metadata_dropped`, since readers
//!   would show them inverted (and `MetadataPolicy::Strict` / `require_exact` refuse them).
//! - Strict: any libjpeg warning is an error (`TJPARAM_STOPONWARNING`). A truncated file
//!   ("premature end of JPEG file") or corrupt entropy-coded data is an
//!   [`Error::Decode`](crate::Error::Decode), never a partially grey image.
//! - Guards: the header is read when the decoder is made and [`Limits`] are checked before
//!   any pixel memory exists; libjpeg-turbo is also given `TJPARAM_MAXPIXELS`,
//!   `TJPARAM_MAXMEMORY` (from `max_alloc_bytes`) and a progressive scan limit of
//!   [`MAX_SCANS`] against the "many scans" denial of service.
//! - Shrink-on-load: [`Decoder::draft`] selects libjpeg-turbo's DCT scaling (1/2, 1/4, 1/8)
//!   for lossy files, so a large JPEG decodes straight to a smaller size (as Pillow's `draft`).
//! - Metadata (`metadata.rs`), as stored: ICC profile (APP2 chunks joined), raw EXIF bytes
//!   (APP1) and the EXIF orientation tag, XMP (APP1), the JFIF density (unit kept). The
//!   encoder writes them all (an ICC profile over 65519 bytes spans several APP2 segments);
//!   text entries and the density of a CMYK file (no JFIF header) are reported dropped.
//! - Two bands at once: a sequential (not progressive) lossy 8-bit file of at least
//!   [`PARALLEL_MIN_PIXELS`], decoded at full size when pixcodec's parallelism rule
//!   (`src/parallel.rs`) allows it, is decoded as an upper and a lower band on rayon's pool,
//!   each with its own TurboJPEG instance and a cropping region. The lower band entropy-decodes
//!   the rows above it without reconstructing them, so the bands cost more CPU than one pass
//!   for a shorter wall time on two cores. Pixels are identical to one pass (`tests/jpeg.rs`).
//!   A caller on a pool thread (`ml::Dataset`, or any `pool.install`), or one of several
//!   threads decoding at once, gets one pass and leaves the other cores to the other files.
//!
//! # Encoding
//!
//! `Gray`, `Rgb` and `Cmyk` (written as YCCK when lossy) at U8 and U16. Alpha is never dropped:
//! `Rgba` is not encodable. The capability table marks every row lossy with `exact_with`
//! [`EXACT_WITH`] (`lossless=true`): [`Codec::encode_fidelity_with`] says exact when
//! `lossless=true` and `point_transform=0`, so `require_exact` succeeds only then.
//!
//! - Lossy 8-bit (U8, the default): every encode returns a reason such as
//!   `JPEG is lossy (quality 90, 4:2:0)`. Options: `quality` 1..=100 (90), `subsampling`
//!   444|422|420|440|411|gray (420; grayscale input always encodes grayscale; `gray` for colour
//!   input is refused because it would discard colour), `progressive` (false), `optimize`
//!   (false), `arithmetic` (false), `parallel` (true).
//! - Lossy 12-bit (U16 without `lossless`): the same options; every sample must fit 12 bits,
//!   otherwise the encode is refused ([`Error::NotExact`](crate::Error::NotExact)) naming the
//!   first sample above 4095 and `lossless=true`. The reason reads
//!   `JPEG is lossy (12-bit, quality 90, 4:2:0)`. One sequential encode (`parallel` does not
//!   apply); libjpeg-turbo optimizes the Huffman tables of every 12-bit file.
//! - Lossless (`lossless=true`, SOF3): `predictor` 1..=7 (1), `point_transform` (0; above 0
//!   the low bits are dropped and the encode is reported lossy), `precision` 2..=8 for U8 and
//!   9..=16 for U16 (0, the default, means the sample type's full width). Every sample must
//!   fit the precision, otherwise the encode is refused naming the first one. `quality`,
//!   `subsampling`, `progressive` and `arithmetic` do not apply and are refused when given;
//!   `parallel` does not apply (one sequential encode). libjpeg-turbo writes RGB input as RGB
//!   and CMYK as CMYK (no colour transform), so decoding gives back every sample.
//!
//! Options that belong to the other mode (`predictor` without `lossless=true`, ...) are
//! refused rather than ignored.
//!
//! `parallel`: a baseline Huffman-coded image of at least [`PARALLEL_MIN_PIXELS`] is cut into
//! horizontal bands of whole MCU rows, the bands are encoded as independent JPEGs, and their
//! entropy-coded data is joined into one standard baseline JPEG with a restart interval (DRI)
//! of one band and RST0..7 markers between the bands. The bands run on rayon's pool when the
//! parallelism rule allows it and one after another otherwise; the band layout depends only on
//! the image size, so the bytes do not depend on where the bands ran or on the number of
//! threads. The result is byte for byte what libjpeg-turbo writes itself when asked for that
//! restart interval, so it holds exactly the coefficients of a single-threaded encode and
//! decodes to the same pixels (both are tested). Size: the 6-byte DRI, 2 bytes per RST marker,
//! the 1-padding of each band's last byte and each band's first DC coded without prediction
//! (`tests/jpeg.rs` bounds it). Progressive, optimized and arithmetic encodes, and
//! `parallel=false`, are one sequential scan without restart markers.
//!
//! # Design notes
//!
//! - The encoder object owns its compressors (with the output buffers each has grown): the
//!   registry keeps one encoder per thread, so an encode allocates nothing once warm. Every
//!   setting is applied again on each use, and libjpeg-turbo resets all other compression
//!   state per image (`tests/jpeg.rs` compares interleaved encodes with fresh compressors).
//! - Decoders deliberately create a fresh TurboJPEG instance per file: creating one is cheap
//!   next to a decode, while a reused libjpeg decompressor keeps the quantization tables of
//!   earlier files, so a file without DQT segments would decode with the previous file's
//!   tables instead of being refused.
//! - libjpeg-turbo is built as a CMake Release build (see `Cargo.toml`), as its authors ship it.
//!
//! The measurements behind these choices (band speed-ups, instance and compressor costs, the
//! build type) are in `bench/README.md`.
//!
//! Files: `handle.rs` (every `unsafe` `tj3*` call, behind safe methods, including the raw
//! compressor of lossless and 12-bit encodes), `decode.rs` (the decoder), `encode.rs` (the
//! encoder), `bands.rs` (band encode and decode), `markers.rs`
//! (EXIF and scan layout).

mod bands;
mod decode;
mod encode;
mod handle;
mod markers;
mod metadata;

pub use decode::JpegTurboDecoder;
pub use encode::JpegTurboEncoder;

use crate::codec::{Capabilities, Codec, CodecDescriptor, Decoder, Encoder, Fidelity, Source};
use crate::error::Result;
use crate::format::{Layout, PixelFormat};
use crate::limits::Limits;
use crate::metadata::{Metadata, MetadataNote};
use crate::options::{OptionSpec, ResolvedOptions};
use crate::sample::SampleType;

const NAME: &str = "jpeg-turbo";

/// Largest number of progressive scans accepted when decoding (libjpeg-turbo's own
/// recommended guard against the progressive-JPEG denial-of-service).
pub const MAX_SCANS: u32 = 500;

/// Largest width or height a JPEG file can hold.
pub const MAX_DIMENSION: u32 = 65_500;

/// Pixels per band of a banded encode (before rounding the band count up to an even
/// number): large enough that the fixed cost of one more libjpeg-turbo encode per band stays
/// near 1%, small enough to share the work of a 2-megapixel image among 8 bands.
pub const PARALLEL_BAND_PIXELS: u64 = 1 << 18;

/// Smallest image (in pixels) encoded as bands (`parallel=true`, baseline Huffman coding
/// only) or decoded as two bands; smaller images are one sequential encode or decode.
pub const PARALLEL_MIN_PIXELS: u64 = 1 << 18;

/// The options that make an encode exact (the capability table's `exact_with`), as long as
/// `point_transform` stays 0.
pub const EXACT_WITH: &str = "lossless=true";

/// The libjpeg-turbo JPEG codec (`jpeg-turbo`): decodes 8-bit, 12-bit and lossless JPEG,
/// encodes Gray, Rgb and Cmyk at U8 and U16, lossy (8- and 12-bit) or, with
/// `lossless=true`, exact. See the module documentation for details.
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
        let samples = [SampleType::U8, SampleType::U16];
        let mut capabilities = Capabilities {
            decode: Capabilities::grid(&layouts, &samples, Fidelity::Lossy),
            encode: Capabilities::grid(&layouts, &samples, Fidelity::Lossy),
            multi_page_encode: false,
            multi_page_decode: false,
        };
        let all: Vec<PixelFormat> = capabilities.encode.iter().map(|c| c.format).collect();
        capabilities.set_exact_with(&all, EXACT_WITH);
        JpegTurboCodec {
            descriptor: CodecDescriptor::new(
                NAME,
                "jpeg",
                "JPEG via libjpeg-turbo 3.1: baseline, progressive, arithmetic, 12-bit and lossless decode; lossy 8/12-bit and lossless 2..16-bit encode",
                &["jpg", "jpeg", "jpe", "jfif"],
                &["image/jpeg"],
                &[&[0xFF, 0xD8, 0xFF]],
                100,
            ),
            capabilities,
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
                    "encode large baseline images as bands joined by restart markers, on rayon's pool when the caller is not parallel itself (same pixels, a few bytes larger)",
                ),
                OptionSpec::bool(
                    "lossless",
                    false,
                    "write lossless JPEG (SOF3): exact at any precision 2..16 while point_transform is 0",
                ),
                OptionSpec::int(
                    "predictor",
                    1,
                    7,
                    1,
                    "lossless only: predictor selection value (1 = left, 2 = above, 3 = above-left, 4..7 two-dimensional)",
                ),
                OptionSpec::int(
                    "point_transform",
                    0,
                    15,
                    0,
                    "lossless only: drop this many low bits of every sample (0..precision-1; above 0 the file is lossy)",
                ),
                OptionSpec::int(
                    "precision",
                    0,
                    16,
                    0,
                    "bits per sample written: 0 = 8 for U8, 16 for lossless U16, 12 for lossy U16; lossless 2..8 (U8) or 9..16 (U16); lossy 8 (U8) or 12 (U16); every sample must fit",
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
        Ok(Box::new(decode::JpegTurboDecoder::new(
            source.into_bytes(limits)?,
            limits,
        )?))
    }

    /// Exact with `lossless=true` and `point_transform=0`; lossy otherwise.
    fn encode_fidelity_with(&self, format: PixelFormat, options: &ResolvedOptions) -> Option<Fidelity> {
        let row = self.capabilities.encode_row(format)?;
        let exact = row.exact_with_holds(options) && options.int("point_transform").is_ok_and(|pt| pt == 0);
        Some(if exact { Fidelity::Exact } else { row.fidelity })
    }

    fn encoder(&self) -> Result<Box<dyn Encoder>> {
        Ok(Box::new(encode::JpegTurboEncoder::new()?))
    }

    fn metadata_fit(&self, metadata: &Metadata, format: PixelFormat) -> Vec<MetadataNote> {
        metadata::fit(metadata, format.layout)
    }

    fn reusable_encoder(&self) -> bool {
        true
    }
}
