//! IFD and tag reading: counting the pages of the main chain, mapping a page's tags onto a
//! pixcodec [`PixelFormat`] (or a precise `Unsupported` naming what is not); the page's
//! metadata is read by `metadata.rs`.

use std::collections::HashSet;

use tiff::decoder::Decoder as TDecoder;
use tiff::tags::Tag;

use super::{guarded, packed, unsupported, Page, Reader};
use crate::codecs::tiff::NAME;
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::limits::Limits;
use crate::sample::SampleType;

/// Counts the IFDs of the main chain (loops are a decode error, more than
/// `limits.max_pages` a limits error).
pub(super) fn count_pages(dec: &mut TDecoder<Reader<'_>>, limits: &Limits) -> Result<u32> {
    let mut next = dec.ifd_pointer();
    let mut seen = HashSet::new();
    let mut n: u64 = 0;
    while let Some(ptr) = next {
        if !seen.insert(ptr.0) {
            return Err(Error::decode(
                NAME,
                format!("IFD chain loops back to offset {} after {n} pages", ptr.0),
            ));
        }
        n += 1;
        limits.check_pages(n)?;
        let dir = guarded(|| dec.read_directory(ptr))?;
        next = dir.next();
    }
    u32::try_from(n).map_err(|_| Error::Limits(format!("TIFF has {n} pages")))
}

pub(super) fn tag_u16(dec: &mut TDecoder<Reader<'_>>, tag: Tag, default: u16) -> Result<u16> {
    Ok(guarded(|| dec.find_tag_unsigned::<u16>(tag))?.unwrap_or(default))
}

fn tag_u16_vec(dec: &mut TDecoder<Reader<'_>>, tag: Tag) -> Result<Option<Vec<u16>>> {
    guarded(|| dec.find_tag_unsigned_vec::<u16>(tag))
}

/// Works out the output format of the current page, or says exactly what is unsupported.
pub(super) fn classify(dec: &mut TDecoder<Reader<'_>>) -> Result<Page> {
    let (width, height) = guarded(|| dec.dimensions())?;
    let photometric = tag_u16(dec, Tag::PhotometricInterpretation, u16::MAX)?;
    let samples = tag_u16(dec, Tag::SamplesPerPixel, 1)?;
    let bits_v = tag_u16_vec(dec, Tag::BitsPerSample)?.unwrap_or_else(|| vec![1]);
    let formats = tag_u16_vec(dec, Tag::SampleFormat)?.unwrap_or_else(|| vec![1]);
    let extra = tag_u16_vec(dec, Tag::ExtraSamples)?.unwrap_or_default();
    let planar_cfg = tag_u16(dec, Tag::PlanarConfiguration, 1)?;
    let compression = tag_u16(dec, Tag::Compression, 1)?;
    let fill_order = tag_u16(dec, Tag::FillOrder, 1)?;

    let bits = bits_v[0];
    if bits_v.iter().any(|&b| b != bits) {
        return Err(unsupported(format!("with differing bits per sample {bits_v:?}")));
    }
    let sf = formats[0];
    if formats.iter().any(|&f| f != sf) {
        return Err(unsupported(format!("with mixed sample formats {formats:?}")));
    }

    // Compression.
    let lossy = match compression {
        1 | 4 | 5 | 8 | 32946 | 32773 | 50000 => false,
        7 => true,
        2 => return Err(unsupported("CCITT modified Huffman compression (2)")),
        3 => return Err(unsupported("CCITT Group 3 fax compression (3)")),
        6 => return Err(unsupported("old-style JPEG compression (6)")),
        34712 => return Err(unsupported("JPEG 2000 compression (34712)")),
        50001 => return Err(unsupported("WebP compression (50001)")),
        c => return Err(unsupported(format!("compression method {c}"))),
    };

    // Channel layout.
    let extra_desc = |extra: &[u16]| {
        extra
            .iter()
            .map(|e| match e {
                0 => "unspecified",
                1 => "associated alpha",
                2 => "unassociated alpha",
                _ => "unknown",
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let with_alpha = |base: Layout, alpha: Layout, color: usize, what: &str| -> Result<Layout> {
        let n = usize::from(samples);
        if n == color {
            return Ok(base);
        }
        if n == color + 1 {
            return match extra.as_slice() {
                [2] => Ok(alpha),
                [1] => Err(unsupported(format!(
                    "{what} with associated (premultiplied) alpha: pixcodec's {alpha} holds straight alpha, un-premultiplying would change the values"
                ))),
                [] => Err(unsupported(format!("{what} with 1 extra sample (no ExtraSamples tag)"))),
                e => Err(unsupported(format!("{what} with an extra sample of kind: {}", extra_desc(e)))),
            };
        }
        if n < color {
            return Err(unsupported(format!("{what} with only {n} samples per pixel")));
        }
        Err(unsupported(format!(
            "{what} with {} extra samples ({})",
            n - color,
            if extra.is_empty() {
                "no ExtraSamples tag".to_string()
            } else {
                extra_desc(&extra)
            }
        )))
    };
    let layout = match photometric {
        0 | 1 => with_alpha(Layout::Gray, Layout::GrayAlpha, 1, "gray")?,
        2 => with_alpha(Layout::Rgb, Layout::Rgba, 3, "RGB")?,
        // The indices; `palette.rs` expands them through the ColorMap.
        3 if samples == 1 && sf == 1 && (1..=16).contains(&bits) => Layout::Gray,
        3 => {
            return Err(unsupported(format!(
                "palette image with {samples} sample(s) per pixel of {bits} bits, sample format {sf} (supported: one unsigned 1..16-bit index)"
            )))
        }
        4 => return Err(unsupported("transparency mask (PhotometricInterpretation 4)")),
        5 => {
            let inkset = tag_u16(dec, Tag::Unknown(332), 1)?;
            if inkset != 1 {
                return Err(unsupported(format!("separated image with InkSet {inkset} (not CMYK)")));
            }
            if samples > 4 {
                return Err(unsupported(format!(
                    "CMYK with {} extra samples ({}): pixcodec has no CMYK+alpha layout",
                    samples - 4,
                    extra_desc(&extra)
                )));
            }
            if samples < 4 {
                return Err(unsupported(format!("separated (CMYK) image with {samples} inks")));
            }
            Layout::Cmyk
        }
        6 => return Err(unsupported("YCbCr image: converting to RGB would change the values")),
        8..=10 => {
            return Err(unsupported(format!(
                "CIE Lab image (PhotometricInterpretation {photometric})"
            )))
        }
        32844 | 32845 => return Err(unsupported("LogL/LogLuv image")),
        p => return Err(unsupported(format!("photometric interpretation {p}"))),
    };

    // Sample type.
    let sample = match (sf, bits) {
        (1, 8) => SampleType::U8,
        (1, 16) => SampleType::U16,
        (1, 32) => SampleType::U32,
        (1, 64) => SampleType::U64,
        (2, 8) => SampleType::I8,
        (2, 16) => SampleType::I16,
        (2, 32) => SampleType::I32,
        (2, 64) => SampleType::I64,
        (3, 32) => SampleType::F32,
        (3, 64) => SampleType::F64,
        (3, 16) => SampleType::F16,
        // Packed integers of any other width up to 32 bits (`packed.rs`).
        (1 | 2, 1..=32) => {
            if fill_order == 2 {
                return Err(unsupported(format!(
                    "FillOrder 2 (least significant bit first) for {bits}-bit samples"
                )));
            }
            let fax = compression == 4 && sf == 1 && bits < 8 && layout == Layout::Gray;
            if !fax && !packed::compression_supported(compression) {
                return Err(unsupported(format!(
                    "{bits}-bit samples with compression {compression} (packed samples are read with none, LZW, Deflate, PackBits or ZSTD)"
                )));
            }
            packed::wider_type(bits, sf == 2).unwrap_or(SampleType::U32)
        }
        (1 | 2, b) => {
            return Err(unsupported(format!(
                "{b}-bit {} integer samples (supported: 1 to 32 and 64 bits)",
                if sf == 1 { "unsigned" } else { "signed" }
            )))
        }
        (3, b) => {
            return Err(unsupported(format!(
                "{b}-bit float samples (supported: 16, 32 and 64 bits)"
            )))
        }
        (4, _) => return Err(unsupported("samples of undefined data format (SampleFormat 4)")),
        (f, _) => return Err(unsupported(format!("sample format {f}"))),
    };

    // Integer widths other than the byte types, except 1..=7-bit fax pages (the tiff crate's),
    // and planar tiles of 8/16/32-bit integers, which the tiff crate misreads when they
    // overhang the image.
    let planar_tiles = planar_cfg == 2 && samples > 1 && dec.get_chunk_type() == tiff::decoder::ChunkType::Tile;
    let packed = matches!(sf, 1 | 2)
        && compression != 4
        && (!matches!(bits, 8 | 16 | 32 | 64)
            || (planar_tiles && bits != 64 && packed::compression_supported(compression)));
    let white_is_zero = photometric == 0;
    if white_is_zero {
        if sf != 1 {
            return Err(unsupported(
                "WhiteIsZero with signed or float samples: the tiff crate inverts them in a way that cannot be undone exactly",
            ));
        }
        if layout != Layout::Gray {
            return Err(unsupported("WhiteIsZero gray with alpha"));
        }
        if !packed && !matches!(bits, 1 | 2 | 4 | 8 | 16 | 32 | 64) {
            return Err(unsupported(format!("WhiteIsZero with {bits}-bit samples")));
        }
    }
    if compression == 4 {
        let (cw, ch) = dec.chunk_dimensions();
        let ch = ch.min(height);
        if cw > u32::from(u16::MAX) || ch > u32::from(u16::MAX) {
            return Err(unsupported(format!(
                "CCITT Group 4 strip or tile of {cw}x{ch} pixels: the fax decoder handles at most 65535 pixels per side"
            )));
        }
    }
    let planar = planar_cfg == 2 && samples > 1;
    Ok(Page {
        width,
        height,
        format: PixelFormat::new(layout, sample),
        bits: bits as u8,
        packed,
        planar,
        white_is_zero,
        lossy,
        compression,
        palette: photometric == 3,
    })
}
