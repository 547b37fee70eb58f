//! TIFF codec backed by the [`tiff`](https://crates.io/crates/tiff) crate.
//!
//! # Decoding
//!
//! Every page decodes to the file's own sample type: 8/16/32/64-bit unsigned (`SampleFormat`
//! 1), 8/16/32/64-bit signed (`SampleFormat` 2, which stays signed) and 16/32/64-bit IEEE
//! float (`SampleFormat` 3; 16-bit is `F16`), as `Gray` (BlackIsZero or WhiteIsZero, one sample), `GrayAlpha`
//! (two samples, the second marked as unassociated alpha by `ExtraSamples` = 2), `Rgb`,
//! `Rgba` (fourth sample marked as unassociated alpha) and `Cmyk` (separated, four inks).
//! Strips and tiles, chunky and planar configuration (planes are interleaved by pixcodec),
//! classic TIFF and BigTIFF, both byte orders, and the compressions the `tiff` crate reads:
//! none, LZW, Deflate (both tag values), PackBits, ZSTD (50000), CCITT Group 4 and JPEG (new-style, tag 7;
//! such pages report `ImageInfo::lossy_source`). Horizontal and floating-point predictors
//! are undone by pixcodec's strip reader for chunky strips (predictor 3 on any float type,
//! byte planes most significant first as libtiff writes them), else by the `tiff` crate.
//!
//! Decisions where the file's samples do not map one-to-one onto a pixcodec format:
//! - **Integers of any other width 1..=32 bits** (bilevel, 2/4-bit, 10, 12, 14, 24-bit, ...;
//!   packed MSB-first, strips or tiles, chunky or planar, with or without the horizontal
//!   predictor, compressed with none, LZW, Deflate, PackBits or ZSTD) decode exactly into the
//!   next wider type: `U8`/`I8` up to 8 bits, `U16`/`I16` up to 16, `U32`/`I32` up to 32, signed
//!   samples sign-extended. Values are not rescaled (a 12-bit sample stays `0..=4095`), and
//!   `ImageInfo::significant_bits` reports the stored width. pixcodec reads these pages itself
//!   (`decode/packed.rs`); the `tiff` crate only reads 1..=7-bit CCITT Group 4 pages.
//! - **WhiteIsZero** (`PhotometricInterpretation` 0) unsigned gray decodes to `Gray`
//!   holding the **stored** samples, exactly as written in the file (0 means white), with
//!   `Metadata::photometric` = `WhiteIsZero` saying so; the inversion is left to the caller
//!   (`convert::apply_invert`). The encoder writes PhotometricInterpretation 0 for unsigned
//!   gray pages when the metadata says `WhiteIsZero` (other cases, and Adobe's inverted CMYK,
//!   are reported by `metadata_fit`). WhiteIsZero with signed, float or alpha samples is
//!   unsupported (the `tiff` crate would change those values in a way that cannot be undone).
//! - Unsupported (`Error::Unsupported` naming what): integer depths 33..=63,
//!   packed depths with JPEG or CCITT compression, palettes other than one unsigned 1..16-bit
//!   index, associated (premultiplied) alpha, extra samples
//!   of unspecified meaning, CMYK with extra samples, YCbCr, CIE/ICC/ITU Lab, LogLuv,
//!   transparency masks, CCITT Huffman/Group 3, old-style JPEG (6) and WebP.
//!
//! Palette pages (PhotometricInterpretation 3, one unsigned 1..=16-bit index) are expanded
//! as PNG palettes are, to `Rgb` with the ColorMap's values (`decode/palette.rs`): `Rgb U8`
//! (entry / 257) when every 16-bit entry is a multiple of 257 (an 8-bit colour as libtiff and
//! Pillow store it), else `Rgb U16` with the entries as stored; exact either way.
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
//! All 55 pairs of {Gray, GrayAlpha, Rgb, Rgba, Cmyk} x {U8..U64, I8..I64, F16, F32, F64} are
//! written exactly: `SampleFormat` 1/2/3 as fits, alpha as `ExtraSamples` = 2 (unassociated),
//! CMYK as `PhotometricInterpretation` 5. Every page given becomes one IFD. Options:
//! `compression` (none|lzw|deflate|packbits|zstd, default none), `level` (deflate 1..=9,
//! default 6; zstd 1..=22, default 3 when not given), `predictor` (default false; on:
//! horizontal differencing, TIFF predictor 2, for integer pages and the floating-point
//! predictor 3 for float pages, as libtiff and tifffile write it; applied only with
//! compression, since libtiff and tifffile do not undo a predictor on uncompressed strips, so
//! with `none` the option has no effect — earlier versions wrote predicted uncompressed strips),
//! `bigtiff` (default false; BigTIFF is also chosen automatically when the data could not fit
//! below 4 GiB) and `parallel` (default true: a compressed page's strips may be coded on
//! rayon's pool, by pixcodec's one parallelism rule, `src/parallel.rs`; the bytes written
//! are the same either way), `significant_bits` (default 0 = the type's width: packed
//! integer samples of 1..=8 bits for `U8`/`I8`, 9..=16 for `U16`/`I16`, 17..=32 for
//! `U32`/`I32`, so that the file decodes back as the same type; every sample must fit, else
//! the error names the first that does not; `ImageInfo::significant_bits` of a decoded file
//! is the value that writes it back at its own depth).
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
//!
//! ZSTD strips (compression 50000) take the same path through libzstd (the `zstd` crate):
//! one-shot decompression per strip, the streaming decoder for a frame longer than the strip.
//! Packed integer pages are read by `decode/packed.rs`, strips or rows of tiles in parallel;
//! 12-bit samples have their own unpacking and packing loops (measured in `bench/README.md`,
//! section "TIFF").

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
                &["none", "lzw", "deflate", "packbits", "zstd"],
                "none",
                "lossless compression of the strips",
            ),
            OptionSpec::int(
                "level",
                1,
                22,
                6,
                "compression level: deflate 1 (fastest) ..= 9 (smallest), default 6; zstd 1 ..= 22, default 3 when not given",
            ),
            OptionSpec::bool(
                "predictor",
                false,
                "predictor with lzw/deflate/packbits: horizontal differencing (TIFF predictor 2) for integer samples, floating point (3) for float samples; no effect with compression none (libtiff does not undo it there)",
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
            OptionSpec::int(
                "significant_bits",
                0,
                32,
                0,
                "stored bits per integer sample when narrower than the type (e.g. 12 for U16; U8 1..=8, U16 9..=16, U32 17..=32), packed as TIFF stores them; every value must fit; 0 = the type's width",
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

    fn metadata_fit(&self, metadata: &Metadata, format: PixelFormat) -> Vec<MetadataNote> {
        encode::metadata::fit(metadata, format)
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
