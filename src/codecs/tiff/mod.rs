//! TIFF codec backed by the [`tiff`](https://crates.io/crates/tiff) crate.
//!
//! # Decoding
//!
//! Every page decodes to the file's own sample type: 8/16/32/64-bit unsigned (`SampleFormat`
//! 1), 8/16/32/64-bit signed (`SampleFormat` 2, which stays signed) and 32/64-bit IEEE float
//! (`SampleFormat` 3), as `Gray` (BlackIsZero or WhiteIsZero, one sample), `GrayAlpha`
//! (two samples, the second marked as unassociated alpha by `ExtraSamples` = 2), `Rgb`,
//! `Rgba` (fourth sample marked as unassociated alpha) and `Cmyk` (separated, four inks).
//! Strips and tiles, chunky and planar configuration (planes are interleaved by pixcodec),
//! classic TIFF and BigTIFF, both byte orders, and the compressions the `tiff` crate reads:
//! none, LZW, Deflate (both tag values), PackBits, CCITT Group 4 and JPEG (new-style, tag 7;
//! such pages report `ImageInfo::lossy_source`). Horizontal and floating-point predictors
//! are undone by the `tiff` crate.
//!
//! Decisions where the file's samples do not map one-to-one onto a pixcodec format:
//! - **1 to 7-bit unsigned gray** (bilevel, 2/4-bit gray, odd depths) decodes to `Gray U8`
//!   holding the stored sample values unchanged (`0..=2^bits-1`, e.g. 0/1 for bilevel);
//!   values are not rescaled to 0..255. Sub-byte samples with more than one channel
//!   (e.g. 1-bit RGB) are unsupported.
//! - **WhiteIsZero** (`PhotometricInterpretation` 0) unsigned gray decodes to `Gray`
//!   holding the **stored** samples, exactly as written in the file (0 means white); the
//!   inversion is left to the caller. WhiteIsZero with signed, float or alpha samples is
//!   unsupported (the `tiff` crate would change those values in a way that cannot be undone).
//! - Unsupported (`Error::Unsupported` naming what): 16-bit float samples (pixcodec has no
//!   F16 type, and widening would change the file's sample type), integer depths other than
//!   1..=7, 8, 16, 32, 64 (e.g. 10, 12, 14, 24-bit), palette images (expanding indices through
//!   the colour map is a colour conversion), associated (premultiplied) alpha, extra samples
//!   of unspecified meaning, CMYK with extra samples, YCbCr, CIE/ICC/ITU Lab, LogLuv,
//!   transparency masks, CCITT Huffman/Group 3, old-style JPEG (6), ZSTD and WebP.
//!
//! `ImageInfo::pages` is the number of IFDs in the main chain, counted when the decoder is
//! created (bounded by `Limits::max_pages`; a longer chain is an `Error::Limits`).
//! Limits are checked before any pixel allocation; the `tiff` crate's own buffer limits are
//! set from `Limits::max_alloc_bytes` as well.
//!
//! Metadata (`decode/metadata.rs`, `encode/metadata.rs`), per page as stored and written on
//! the first page: ICC profile (34675), XMP (700), resolution (282, 283, 296), orientation
//! (274) and the text tags ImageDescription, Software, DateTime, Artist and Copyright. The
//! EXIF IFD (34665) is read as an EXIF block (IFD0 with the orientation and the EXIF IFD
//! pointer, the EXIF IFD's values copied byte for byte; sub-IFDs in it are noted as not
//! carried); the encoder writes such a block back as the page's EXIF IFD, and reports dropped
//! a block whose IFD0 holds other tags (a camera's Make, Model, ...).
//!
//! # Encoding
//!
//! All 50 pairs of {Gray, GrayAlpha, Rgb, Rgba, Cmyk} x {U8..U64, I8..I64, F32, F64} are
//! written exactly: `SampleFormat` 1/2/3 as fits, alpha as `ExtraSamples` = 2 (unassociated),
//! CMYK as `PhotometricInterpretation` 5. Every page given becomes one IFD. Options:
//! `compression` (none|lzw|deflate|packbits, default none), `level` (1..=9, default 6, used
//! by deflate), `predictor` (horizontal differencing, integer samples only, default false),
//! `bigtiff` (default false; BigTIFF is also chosen automatically when the data could not fit
//! below 4 GiB) and `parallel` (default true: a compressed page's strips may be coded on
//! rayon's pool, by pixcodec's one parallelism rule, `src/parallel.rs`; the bytes written
//! are the same either way).
//!
//! Deflate `level` n is libdeflate's level n: the same speed/size ladder as zlib's levels,
//! each compressing smaller and faster than zlib's (libdeflate's slow near-optimal levels
//! 10..=12 are not used). Level 6 writes the same size as tifffile, which uses libdeflate too.
//!
//! # Speed: what and why
//!
//! Plain chunky strip pages (the common case) are read by pixcodec itself: Deflate strips
//! are inflated by libdeflate (`libdeflater`), one whole zlib stream per call, straight from
//! the caller's bytes into the caller's buffer, with the byte swap and the predictor undone in
//! the same per-strip job; the strips of a page are decoded on rayon's pool when the
//! parallelism rule allows it. libdeflate was chosen because it inflates and deflates these
//! whole-buffer streams faster than zlib-rs (and deflates a little smaller). Strips libdeflate
//! refuses (a stream decoding to more rows than the page needs, or lacking its end) go through
//! zlib-rs's streaming inflate. The encoder lays the file out itself and writes it front to
//! back with no spooling, so an uncompressed page is one write of the caller's pixels. The
//! measurements behind these choices are in `bench/README.md` (section "TIFF").

mod decode;
mod encode;
mod lzw;
mod predict;

use crate::codec::{Capabilities, Codec, CodecDescriptor, Decoder, Encoder, Fidelity, Source};
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::limits::Limits;
use crate::metadata::{Metadata, MetadataNote};
use crate::options::OptionSpec;
use crate::sample::SampleType;

/// Codec name in the registry.
const NAME: &str = "tiff";

/// The TIFF codec (`tiff` crate): exact multi-page decode and encode of every pixcodec
/// pixel format. See the [module documentation](self) for the supported variants.
#[derive(Debug, Clone)]
pub struct TiffCodec {
    descriptor: CodecDescriptor,
    capabilities: Capabilities,
    options: Vec<OptionSpec>,
}

impl Default for TiffCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl TiffCodec {
    /// The codec with its descriptor, capability table and option specs.
    pub fn new() -> Self {
        let descriptor = CodecDescriptor::new(
            NAME,
            "tiff",
            "TIFF and BigTIFF via the tiff crate: every sample type, multi-page, lossless compression",
            &["tif", "tiff"],
            &["image/tiff"],
            &[b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"],
            100,
        );
        let grid = Capabilities::grid(&Layout::ALL, &SampleType::ALL, Fidelity::Exact);
        let capabilities = Capabilities {
            decode: grid.clone(),
            encode: grid,
            multi_page_encode: true,
            multi_page_decode: true,
        };
        let options = vec![
            OptionSpec::choice(
                "compression",
                &["none", "lzw", "deflate", "packbits"],
                "none",
                "lossless compression of the strips",
            ),
            OptionSpec::int(
                "level",
                1,
                9,
                6,
                "deflate level (1 fastest .. 9 smallest); used by compression=deflate",
            ),
            OptionSpec::bool(
                "predictor",
                false,
                "horizontal differencing predictor (TIFF predictor 2), for integer samples only",
            ),
            OptionSpec::bool(
                "bigtiff",
                false,
                "write BigTIFF (64-bit offsets); chosen automatically when the file could pass 4 GiB",
            ),
            OptionSpec::bool(
                "parallel",
                true,
                "code a compressed page's strips on rayon's pool when the caller is not parallel itself (same bytes)",
            ),
        ];
        TiffCodec {
            descriptor,
            capabilities,
            options,
        }
    }
}

impl Codec for TiffCodec {
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
        Ok(Box::new(decode::TiffDecoder::new(source, limits)?))
    }

    fn encoder(&self) -> Result<Box<dyn Encoder>> {
        Ok(Box::new(encode::TiffEncoder::default()))
    }

    fn metadata_fit(&self, metadata: &Metadata, _format: PixelFormat) -> Vec<MetadataNote> {
        encode::metadata::fit(metadata)
    }

    fn reusable_encoder(&self) -> bool {
        true
    }
}

/// Maps a `tiff` crate error onto pixcodec's error kinds.
fn map_err(e: tiff::TiffError) -> Error {
    use tiff::TiffError as T;
    match e {
        T::UnsupportedError(u) => Error::Unsupported(format!("TIFF variant not supported by the tiff crate: {u}")),
        T::LimitsExceeded => Error::Limits(
            "TIFF data exceeds the decoding limits (buffer, tag or strip size); raise Limits::max_alloc_bytes if the input is trusted"
                .to_string(),
        ),
        T::IntSizeError => Error::Limits("TIFF sizes exceed what the tiff crate can address on this platform".to_string()),
        T::IoError(io) => Error::decode(NAME, format!("truncated or unreadable TIFF data: {io}")),
        T::FormatError(f) => Error::decode(NAME, format!("malformed TIFF: {f}")),
        other => Error::decode(NAME, other),
    }
}
