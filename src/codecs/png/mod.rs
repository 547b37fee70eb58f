//! PNG through the [`png`](https://crates.io/crates/png) crate (image-rs), codec name `png`.
//!
//! # Decoding: which pixel format a PNG file becomes
//!
//! Samples keep the file's own depth; only the expansions PNG itself requires are made:
//!
//! | file (colour type, depth)            | decoded [`PixelFormat`](crate::PixelFormat)   |
//! |--------------------------------------|------------------------------------------------|
//! | gray 8 / 16                          | `Gray U8` / `Gray U16`                          |
//! | gray 1, 2, 4                         | `Gray U8`, stored values 0..2^bits-1 (below)    |
//! | gray + tRNS                          | `GrayAlpha` at the depth above (U8 or U16)      |
//! | gray-alpha 8 / 16                    | `GrayAlpha U8` / `GrayAlpha U16`                |
//! | RGB 8 / 16                           | `Rgb U8` / `Rgb U16`                            |
//! | RGB + tRNS                           | `Rgba U8` / `Rgba U16`                          |
//! | RGBA 8 / 16                          | `Rgba U8` / `Rgba U16`                          |
//! | palette 1, 2, 4, 8                   | `Rgb U8` (the palette entries)                  |
//! | palette + tRNS                       | `Rgba U8` (palette entries plus tRNS alpha)     |
//!
//! * **Significant bits rule** (the same in every codec): `ImageInfo::significant_bits` =
//!   `Some(n)` means the decoded values are the stored `n`-bit values, in the low bits
//!   (0..=2^n-1). Gray samples of 1, 2 or 4 bits decode to those values (`Gray U8`,
//!   `significant_bits` = the depth), as a 1, 2 or 4-bit TIFF does; tRNS alpha on them is 0 or
//!   2^n-1. Pillow and libpng show them scaled to 0..=255 by bit replication (`v * 255`,
//!   `v * 85`, `v * 17`); `pixcodec::ml` loads them that way (Keras parity).
//! * **sBIT** with one value `n` for every channel below the sample depth (8, 16, or the
//!   sub-byte depth; palette entries are 8-bit): when every decoded sample (tRNS alpha
//!   included) is the bit replication of its top `n` bits, as the PNG specification
//!   recommends writers scale, the samples decode to those `n` bits (`v >> (depth - n)`) with
//!   `significant_bits = Some(n)`: nothing is lost, the replication gives the file's samples
//!   back. Otherwise (some sample's low bits are not the replication, or the channels have
//!   different sBIT values) the samples are returned as stored and `significant_bits` says the
//!   stored depth (`None` for 8 and 16 bits). To know which, the decoder reads the pixels of
//!   such a file when it opens it (so `probe` reads the whole file, and decode errors in the
//!   image data surface there); files without sBIT, or with sBIT equal to the depth, are read
//!   as before.
//! * **tRNS** on gray or RGB becomes an alpha channel at the file's depth: 0 where the pixel
//!   equals the tRNS colour, the maximum (255 or 65535; 2^n-1 on n-bit gray) elsewhere.
//! * **16-bit** samples are stored big-endian in the file and returned native-endian.
//! * **gAMA, cHRM, sRGB, bKGD** are not applied; pixels are never colour-converted.
//! * **APNG**: only the default image (the `IDAT` data) is decoded; files have one page.
//! * Interlaced (Adam7) files decode to the same pixels as non-interlaced ones.
//!
//! Metadata read from the chunks before the image data, as stored (`metadata.rs`): the ICC
//! profile (`iCCP`), EXIF (`eXIf`) and its orientation, XMP (`iTXt` keyword
//! `XML:com.adobe.xmp`), the resolution (`pHYs`, per metre or unitless) and text (`tEXt`,
//! `zTXt`, `iTXt`; chunks after the image data are not read). The encoder writes all of
//! them after `IHDR`; only a resolution that is not a whole number per metre is rounded
//! (and reported).
//! Decoding reads the whole file up to `IEND`: a file cut anywhere (even inside the trailing
//! `IEND` chunk) or with a damaged chunk after the image data is an
//! [`Error::Decode`](crate::Error::Decode) error, so a truncated download is never mistaken
//! for a complete image.
//!
//! [`Limits`] are checked against the `IHDR` size before anything is allocated, and the `png`
//! crate's own allocation limit is set to `Limits::max_alloc_bytes`, so its internal buffers
//! (rows, compressed metadata chunks) are bounded too.
//!
//! # Encoding
//!
//! `Gray`, `GrayAlpha`, `Rgb` and `Rgba` at `U8` and `U16` are written exactly (8- and 16-bit
//! PNG colour types 0, 4, 2 and 6, never palette; sub-byte gray only with `significant_bits`). Rows are streamed to the
//! compressor; 16-bit rows are converted to big-endian one row at a time in a reused buffer.
//! Options:
//!
//! * `level` (int 0..=9, default 6): the zlib/deflate level passed to the compressor
//!   (`flate2`); 0 stores the data uncompressed (rows are still filtered).
//! * `filter` (`none|sub|up|avg|paeth|adaptive`, default `adaptive`): the PNG row filter;
//!   `adaptive` picks the best of the five filters for each row.
//! * `significant_bits` (int 0..=16, default 0 = the type's width): samples of `n` bits
//!   (`U8` 1..=8, `U16` 1..=16); every value must fit `n` bits, else the error names the first
//!   pixel that does not. `Gray U8` with 1, 2 or 4 bits is written as a 1, 2 or 4-bit gray PNG;
//!   any other width below the type's is written bit-replicated to 8 or 16 bits (`v` of 12 bits
//!   as `(v << 4) | (v >> 8)`) with an `sBIT` chunk of `n`, which viewers that ignore sBIT show
//!   at the right brightness. Either decodes back to the same values with
//!   `significant_bits = Some(n)`.
//! * `parallel` (bool, default true): an image of 768 KiB of pixels and up is deflated in
//!   segments, one zlib stream made as pigz makes it (see `parallel.rs`), a little larger than
//!   a sequential encode, with the same pixels; the segments run on rayon's pool when
//!   pixcodec's one parallelism rule allows it (`src/parallel.rs`), and the bytes do not
//!   depend on where they ran. `false` writes one sequential stream.
//!
//! The encoder object owns every buffer and compressor it uses (the registry keeps one per
//! thread), so an encode into a reused buffer allocates nothing once warm.
//!
//! Files: `decode.rs` (the decoder), `encode.rs` (the encoder and the chunk writer),
//! `filter.rs` (row filters), `parallel.rs` (segmented deflate, Adler-32), `sbit.rs` (the
//! `significant_bits` option).

mod decode;
mod encode;
mod filter;
mod metadata;
mod parallel;
mod sbit;

use crate::codec::{Capabilities, Codec, CodecDescriptor, Decoder, Encoder, Fidelity, Source};
use crate::error::Result;
use crate::format::Layout;
use crate::limits::Limits;
use crate::metadata::{Metadata, MetadataNote};
use crate::options::OptionSpec;
use crate::sample::SampleType;

const NAME: &str = "png";
const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const LAYOUTS: [Layout; 4] = [Layout::Gray, Layout::GrayAlpha, Layout::Rgb, Layout::Rgba];
const SAMPLES: [SampleType; 2] = [SampleType::U8, SampleType::U16];
const FILTERS: [&str; 6] = ["none", "sub", "up", "avg", "paeth", "adaptive"];

/// The PNG codec (`png` crate backend).
#[derive(Debug)]
pub struct PngCodec {
    descriptor: CodecDescriptor,
    capabilities: Capabilities,
    options: Vec<OptionSpec>,
}

impl Default for PngCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl PngCodec {
    /// The codec with its descriptor, capability table and option list.
    pub fn new() -> Self {
        PngCodec {
            descriptor: CodecDescriptor::new(
                NAME,
                "png",
                "PNG via the png crate: 1..16-bit gray, gray-alpha, RGB, RGBA and palette; writes 8/16-bit exactly",
                &["png"],
                &["image/png"],
                &[SIGNATURE],
                100,
            ),
            capabilities: Capabilities {
                decode: Capabilities::grid(&LAYOUTS, &SAMPLES, Fidelity::Exact),
                encode: Capabilities::grid(&LAYOUTS, &SAMPLES, Fidelity::Exact),
                multi_page_encode: false,
                multi_page_decode: false,
            },
            options: vec![
                OptionSpec::int(
                    "level",
                    0,
                    9,
                    6,
                    "deflate (zlib) compression level: 0 stores uncompressed, 9 is smallest and slowest",
                ),
                OptionSpec::choice(
                    "filter",
                    &FILTERS,
                    "adaptive",
                    "PNG row filter; adaptive picks the best filter for each row",
                ),
                OptionSpec::bool(
                    "parallel",
                    true,
                    "deflate a large image in segments, on rayon's pool when the caller is not parallel itself (same pixels, a little larger)",
                ),
                OptionSpec::int(
                    "significant_bits",
                    0,
                    16,
                    0,
                    "stored bits per sample when narrower than the type (U8 1..=8, U16 1..=16): Gray U8 with 1, 2 or 4 bits is written as 1/2/4-bit gray, other widths bit-replicated to 8/16 bits with an sBIT chunk; every value must fit; 0 = the type's width",
                ),
            ],
        }
    }
}

impl Codec for PngCodec {
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
        Ok(Box::new(decode::PngDecoder::new(source, limits)?))
    }

    fn encoder(&self) -> Result<Box<dyn Encoder>> {
        Ok(Box::new(encode::PngEncoder::default()))
    }

    fn metadata_fit(&self, metadata: &Metadata, format: crate::format::PixelFormat) -> Vec<MetadataNote> {
        metadata::fit(metadata, format.layout)
    }

    fn reusable_encoder(&self) -> bool {
        true
    }
}
