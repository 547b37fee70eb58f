//! A conformance kit for codec authors: checks a codec against its own descriptor and
//! capability table with real round trips on generated data.
//!
//! Call [`check_codec`] from your crate's tests and assert [`KitReport::passed`]:
//!
//! ```no_run
//! # fn my_codec() -> std::sync::Arc<dyn pixcodec::Codec> { unimplemented!() }
//! let report = pixcodec::testkit::check_codec(my_codec());
//! assert!(report.passed(), "{report}");
//! ```
//!
//! What is checked:
//! - the descriptor: a name, a format, lower-case extensions without dots;
//! - every encode pair marked exact round-trips bit-exactly (1x1, 1xN, Nx1, odd sizes,
//!   rows with padding) and the report says exact; every lossy pair is reported lossy and
//!   decodes to the same size and pixel format; decoded formats appear in the decode table;
//!   a lossy pair whose row has `exact_with` options round-trips bit-exactly with them (its
//!   lossy mode may refuse generated values it cannot hold, e.g. U16 above 12 bits);
//! - decoding into a caller buffer writes the pixels and leaves row padding alone;
//! - sniffing recognises the codec's own output and rejects empty input and other
//!   formats' signatures;
//! - every truncated prefix of a valid file fails with an error, never a panic;
//! - limits below the image size fail with [`ErrorKind::Limits`] before decoding;
//! - metadata: an encode with every item (ICC profile, EXIF, orientation, XMP, resolution,
//!   text) reports as dropped exactly what [`Codec::metadata_fit`] lists, and every item it
//!   does not list comes back from the codec's own output byte for byte (ICC, EXIF, XMP,
//!   text entries), equal (orientation) or of the same density (resolution).

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use crate::codec::{Codec, Fidelity, Source};
use crate::error::ErrorKind;
use crate::format::PixelFormat;
use crate::image::{Image, ImageMut, ImageRef};
use crate::io::DecodeOptions;
use crate::limits::Limits;
use crate::metadata::{exif, Metadata, MetadataItem, MetadataNote, Resolution, ResolutionUnit, TextEntry};
use crate::options::EncodeOptions;
use crate::registry::Registry;
use crate::sample::SampleType;

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// `None` when it passed, else what went wrong.
    pub failure: Option<String>,
}

/// All checks run on one codec.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KitReport {
    /// Codec name.
    pub codec: String,
    /// Every check, in the order run.
    pub checks: Vec<Check>,
}

impl KitReport {
    /// True when every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.failure.is_none())
    }

    /// The failed checks.
    pub fn failures(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| c.failure.is_some()).collect()
    }

    fn record(&mut self, name: String, result: Result<(), String>) {
        self.checks.push(Check {
            name,
            failure: result.err(),
        });
    }
}

impl fmt::Display for KitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.failures();
        writeln!(
            f,
            "codec {}: {} checks, {} failed",
            self.codec,
            self.checks.len(),
            failed.len()
        )?;
        for c in failed {
            writeln!(f, "  FAIL {}: {}", c.name, c.failure.as_deref().unwrap_or(""))?;
        }
        Ok(())
    }
}

/// Deterministic test pixels (xorshift); floats stay finite.
pub fn generate(width: u32, height: u32, format: PixelFormat, seed: u64) -> Image {
    let mut img = Image::new(width, height, format).expect("valid test geometry");
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let size = format.sample.size();
    for y in 0..height {
        for chunk in img.row_mut(y).chunks_exact_mut(size) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            match format.sample {
                SampleType::F32 => chunk.copy_from_slice(&(((s >> 40) as f32) / 65536.0 - 64.0).to_ne_bytes()),
                SampleType::F64 => chunk.copy_from_slice(&(((s >> 11) as f64) / 1e6 - 4e6).to_ne_bytes()),
                SampleType::F16 => {
                    // Any finite half (normal, subnormal, ±0): clear an exponent bit of ±inf/NaN.
                    let mut bits = (s >> 48) as u16;
                    if bits & 0x7c00 == 0x7c00 {
                        bits &= !0x4000;
                    }
                    chunk.copy_from_slice(&bits.to_ne_bytes())
                }
                _ => chunk.copy_from_slice(&s.to_ne_bytes()[..size]),
            }
        }
    }
    img
}

fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("{what} panicked: {msg}")
    })
}

const SHAPES: [(u32, u32, usize); 5] = [(1, 1, 0), (1, 5, 3), (5, 1, 0), (7, 3, 2), (16, 9, 0)];
const FOREIGN_MAGIC: [&[u8]; 5] = [
    b"\x89PNG\r\n\x1a\n",
    b"\xFF\xD8\xFF\xE0",
    b"II*\x00",
    b"GIF89a",
    b"\x93NUMPY\x01\x00",
];

/// Runs every check on `codec` (in a private registry holding only it).
pub fn check_codec(codec: Arc<dyn Codec>) -> KitReport {
    let name = codec.descriptor().name.clone();
    let mut report = KitReport {
        codec: name.clone(),
        checks: Vec::new(),
    };
    let reg = Registry::empty();
    if let Err(e) = reg.register(codec.clone()) {
        report.record("register".into(), Err(e.to_string()));
        return report;
    }
    report.record("descriptor".into(), check_descriptor(codec.as_ref()));
    let mut sample_file: Option<(Vec<u8>, Image)> = None;
    for cap in codec.capabilities().encode.clone() {
        for (i, &(w, h, pad)) in SHAPES.iter().enumerate() {
            let img = generate(w, h, cap.format, i as u64 + 1);
            let label = format!("round trip {} ({}) {w}x{h} pad {pad}", cap.format, cap.fidelity);
            let defaults = EncodeOptions::new();
            let r = no_panic(&label, || round_trip(&reg, &name, &img, pad, cap.fidelity, &defaults)).and_then(|r| r);
            // A lossy row that has an exact mode may refuse values its lossy mode cannot hold
            // (12-bit JPEG and full-range U16), as long as the exact mode takes them below.
            let r = match r {
                Err(e) if cap.exact_with.is_some() && e.starts_with("encode failed: not exact") => Ok(None),
                r => r.map(Some),
            };
            if let (Ok(Some(bytes)), None) = (&r, &sample_file) {
                if w > 1 && h > 1 {
                    sample_file = Some((bytes.clone(), img.clone()));
                }
            }
            report.record(label, r.map(|_| ()));
            if let Some(with) = cap.exact_with {
                let label = format!("round trip {} (exact with {with}) {w}x{h} pad {pad}", cap.format);
                let r = exact_with_options(with).and_then(|opts| {
                    no_panic(&label, || round_trip(&reg, &name, &img, pad, Fidelity::Exact, &opts)).and_then(|r| r)
                });
                report.record(label, r.map(|_| ()));
            }
        }
    }
    if let Some((bytes, img)) = sample_file {
        report.record(
            "decode_into keeps padding".into(),
            no_panic("decode_into", || decode_into_padded(&reg, &bytes, &img)).and_then(|r| r),
        );
        report.record(
            "sniffing".into(),
            no_panic("sniff", || check_sniff(codec.as_ref(), &bytes)).and_then(|r| r),
        );
        report.record("truncated input".into(), check_truncated(&reg, &name, &bytes));
        report.record(
            "limits".into(),
            no_panic("limits", || check_limits(&reg, &name, &bytes, &img)).and_then(|r| r),
        );
        report.record(
            "metadata round trip".into(),
            no_panic("metadata", || check_metadata(&reg, codec.as_ref(), &img)).and_then(|r| r),
        );
    } else {
        report.record(
            "sample file".into(),
            Err("no encodable format produced a file, so decoding checks could not run".into()),
        );
    }
    report
}

fn check_descriptor(codec: &dyn Codec) -> Result<(), String> {
    let d = codec.descriptor();
    if d.name.trim().is_empty() || d.format.trim().is_empty() {
        return Err("name and format must be non-empty".into());
    }
    if d.extensions.is_empty() {
        return Err("at least one file extension is needed".into());
    }
    if let Some(e) = d
        .extensions
        .iter()
        .find(|e| e.starts_with('.') || e.to_ascii_lowercase() != **e)
    {
        return Err(format!("extension '{e}' must be lower-case without a dot"));
    }
    for c in &codec.capabilities().encode {
        if codec
            .capabilities()
            .encode
            .iter()
            .filter(|x| x.format == c.format)
            .count()
            > 1
        {
            return Err(format!("{} is listed twice in the encode table", c.format));
        }
    }
    Ok(())
}

fn padded(img: &Image, pad: usize) -> (Vec<u8>, usize) {
    let stride = img.row_bytes() + pad * img.format().sample.size();
    let mut buf = vec![0xA5u8; stride * img.height() as usize];
    for y in 0..img.height() as usize {
        buf[y * stride..y * stride + img.row_bytes()].copy_from_slice(img.row(y as u32));
    }
    (buf, stride)
}

/// The options of a capability row's `exact_with` (`KEY=VALUE` pairs, comma-separated).
fn exact_with_options(with: &str) -> Result<EncodeOptions, String> {
    let mut opts = EncodeOptions::new();
    for pair in with.split(',') {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| format!("exact_with '{with}' is not KEY=VALUE pairs"))?;
        opts = opts.set(k.trim(), v.trim());
    }
    Ok(opts)
}

fn round_trip(
    reg: &Registry,
    name: &str,
    img: &Image,
    pad: usize,
    fidelity: Fidelity,
    opts: &EncodeOptions,
) -> Result<Vec<u8>, String> {
    let (buf, stride) = padded(img, pad);
    let view = ImageRef::new(&buf, img.width(), img.height(), img.format(), stride).map_err(|e| e.to_string())?;
    let enc = reg
        .encode(view, name, opts)
        .map_err(|e| format!("encode failed: {e}"))?;
    if enc.report.bytes_written as usize != enc.data.len() {
        return Err(format!(
            "report says {} bytes, {} were written",
            enc.report.bytes_written,
            enc.data.len()
        ));
    }
    match (fidelity, enc.report.exact) {
        (Fidelity::Exact, false) => {
            return Err(format!(
                "table says exact, report says lossy: {:?}",
                enc.report.lossy_reason
            ))
        }
        (Fidelity::Lossy, true) => return Err("table says lossy, report says exact".into()),
        _ => {}
    }
    let back = reg
        .decode(&enc.data, &DecodeOptions::new().codec(name))
        .map_err(|e| format!("decoding own output failed: {e}"))?;
    let caps = reg.by_name(name).map(|c| c.capabilities().clone()).unwrap_or_default();
    if caps.decode_fidelity(back.format()).is_none() {
        return Err(format!("decoded {} is missing from the decode table", back.format()));
    }
    if (back.width(), back.height(), back.format()) != (img.width(), img.height(), img.format()) {
        return Err(format!(
            "decoded {}x{} {}, encoded {}x{} {}",
            back.width(),
            back.height(),
            back.format(),
            img.width(),
            img.height(),
            img.format()
        ));
    }
    if fidelity == Fidelity::Exact && back != *img {
        let v = crate::compare::compare(&img.as_ref(), &back.as_ref()).map_err(|e| e.to_string())?;
        return Err(format!(
            "table says exact but pixels differ (max difference {})",
            v.max_abs_diff
        ));
    }
    Ok(enc.data)
}

/// `decode_into` into memory holding 0x5A everywhere writes every pixel byte (the rows equal a
/// plain decode, whose image starts zeroed) and no padding byte.
fn decode_into_padded(reg: &Registry, bytes: &[u8], img: &Image) -> Result<(), String> {
    let (mut buf, stride) = padded(img, 3);
    buf.iter_mut().for_each(|b| *b = 0x5A);
    let out = ImageMut::new(&mut buf, img.width(), img.height(), img.format(), stride).map_err(|e| e.to_string())?;
    let name = reg.codecs()[0].descriptor().name.clone();
    reg.decode_into(bytes, out, &DecodeOptions::new().codec(&name))
        .map_err(|e| format!("decode_into failed: {e}"))?;
    let direct = reg
        .decode(bytes, &DecodeOptions::new().codec(&name))
        .map_err(|e| e.to_string())?;
    for y in 0..img.height() as usize {
        let row = &buf[y * stride..(y + 1) * stride];
        if &row[..img.row_bytes()] != direct.row(y as u32) {
            return Err(format!("row {y} differs from a plain decode"));
        }
        if row[img.row_bytes()..].iter().any(|&b| b != 0x5A) {
            return Err(format!("padding of row {y} was overwritten"));
        }
    }
    Ok(())
}

fn check_sniff(codec: &dyn Codec, bytes: &[u8]) -> Result<(), String> {
    if !codec.sniff(bytes) {
        return Err("sniff does not recognise the codec's own output".into());
    }
    if codec.sniff(&[]) {
        return Err("sniff accepts empty input".into());
    }
    for magic in FOREIGN_MAGIC {
        if codec.sniff(magic) && !bytes.starts_with(magic) {
            return Err(format!("sniff accepts another format's signature {magic:02x?}"));
        }
    }
    Ok(())
}

fn check_truncated(reg: &Registry, name: &str, bytes: &[u8]) -> Result<(), String> {
    let step = (bytes.len() / 200).max(1);
    let mut len = 0;
    while len < bytes.len() {
        let prefix = &bytes[..len];
        let r = no_panic(&format!("decoding a {len}-byte prefix"), || {
            reg.decode_pages(prefix, &DecodeOptions::new().codec(name))
        })?;
        if r.is_ok() {
            return Err(format!(
                "a {len}-byte prefix of a {}-byte file decoded without error",
                bytes.len()
            ));
        }
        len += step;
    }
    Ok(())
}

fn check_limits(reg: &Registry, name: &str, bytes: &[u8], img: &Image) -> Result<(), String> {
    let codec = reg.by_name(name).ok_or("codec vanished")?;
    let d = Limits::default();
    let cases = [
        (
            "max_width",
            Limits {
                max_width: img.width() - 1,
                ..d
            },
        ),
        (
            "max_height",
            Limits {
                max_height: img.height() - 1,
                ..d
            },
        ),
        (
            "max_pixels",
            Limits {
                max_pixels: img.width() as u64 * img.height() as u64 - 1,
                ..d
            },
        ),
        (
            "max_alloc_bytes",
            Limits {
                max_alloc_bytes: (img.row_bytes() * img.height() as usize) as u64 - 1,
                ..d
            },
        ),
    ];
    for (what, limits) in cases {
        let r = codec.decoder(Source::Bytes(bytes), &limits).and_then(|mut d| {
            let i = d.info().clone();
            let mut out = Image::new(i.width, i.height, i.format)?;
            d.decode_into(out.as_mut())
        });
        match r {
            Err(e) if e.kind() == ErrorKind::Limits => {}
            Err(e) => {
                return Err(format!(
                    "{what} below the image size gave {:?} instead of Limits: {e}",
                    e.kind()
                ))
            }
            Ok(()) => return Err(format!("{what} below the image size was not enforced")),
        }
    }
    Ok(())
}

/// An EXIF block in the native byte order, of the shape a TIFF page stores (IFD0 holding the
/// orientation 6 and the EXIF IFD pointer; ExposureTime 1/250 and PixelXDimension 16), made
/// from a small TIFF whose IFD at 8 serves as the EXIF IFD.
fn kit_exif() -> Vec<u8> {
    let le = cfg!(target_endian = "little");
    let b16 = |v: u16| if le { v.to_le_bytes() } else { v.to_be_bytes() };
    let b32 = |v: u32| if le { v.to_le_bytes() } else { v.to_be_bytes() };
    let mut f = if le { b"II*\0".to_vec() } else { b"MM\0*".to_vec() };
    f.extend_from_slice(&b32(8));
    f.extend_from_slice(&b16(2));
    for (tag, ty, value) in [(0x829Au16, 5u16, 38u32), (0xA002, 4, 16)] {
        f.extend_from_slice(&b16(tag));
        f.extend_from_slice(&b16(ty));
        f.extend_from_slice(&b32(1));
        f.extend_from_slice(&b32(value));
    }
    f.extend_from_slice(&b32(0));
    f.extend_from_slice(&b32(1));
    f.extend_from_slice(&b32(250));
    exif::from_tiff_ifd_bytes(&f, 8, Some(6))
        .expect("the kit's EXIF IFD is well formed")
        .0
}

/// The metadata the kit writes: every item (a 600-byte ICC profile, an EXIF block of the shape
/// TIFF stores with orientation 6, XMP, 100 x 50 per centimetre, a Latin-1 and a language-tagged
/// text entry, a frame of 120 ms disposed to the background, 3 plays), with values each
/// built-in format holds exactly when it holds the item at all.
pub fn sample_metadata() -> Metadata {
    let mut icc: Vec<u8> = (0..600u32).map(|i| (i * 7 % 251) as u8).collect();
    icc[..4].copy_from_slice(&600u32.to_be_bytes());
    icc[36..40].copy_from_slice(b"acsp");
    Metadata {
        icc_profile: Some(icc),
        exif: Some(kit_exif()),
        orientation: Some(6),
        xmp: Some(
            br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>"#
                .to_vec(),
        ),
        resolution: Some(Resolution::new(100.0, 50.0, ResolutionUnit::Centimeter)),
        text: vec![
            TextEntry::new("Software", "pixcodec testkit"),
            TextEntry {
                keyword: "Title".into(),
                value: "caf\u{e9}".into(),
                language: Some("fr".into()),
            },
        ],
        frame: Some(crate::metadata::FrameTiming {
            delay_ms: 120,
            disposal: crate::metadata::Disposal::Background,
        }),
        loop_count: Some(3),
        ..Metadata::default()
    }
}

fn note_list(notes: &[MetadataNote]) -> String {
    let v: Vec<String> = notes.iter().map(|n| n.to_string()).collect();
    format!("[{}]", v.join("; "))
}

fn check_metadata(reg: &Registry, codec: &dyn Codec, img: &Image) -> Result<(), String> {
    let name = &codec.descriptor().name;
    let m = sample_metadata();
    let fit = codec.metadata_fit(&m, img.format());
    let enc = reg
        .encode(img.as_ref(), name, &EncodeOptions::new().metadata(m.clone()))
        .map_err(|e| format!("encode with metadata failed: {e}"))?;
    if enc.report.metadata_dropped != fit {
        return Err(format!(
            "the report lists {} as dropped, metadata_fit {}",
            note_list(&enc.report.metadata_dropped),
            note_list(&fit)
        ));
    }
    let got = reg
        .probe(&enc.data, &DecodeOptions::new().codec(name))
        .map_err(|e| format!("probing own output failed: {e}"))?
        .metadata;
    if !got.unreadable.is_empty() {
        return Err(format!("own metadata is unreadable: {}", got.unreadable.join("; ")));
    }
    let lost: Vec<String> = m
        .items()
        .into_iter()
        .filter(|item| !fit.iter().any(|n| n.item == *item))
        .filter(|item| !match item {
            MetadataItem::IccProfile => got.icc_profile == m.icc_profile,
            MetadataItem::Exif => got.exif == m.exif,
            MetadataItem::Orientation => got.orientation == m.orientation,
            MetadataItem::Xmp => got.xmp == m.xmp,
            MetadataItem::Resolution => match (got.resolution, m.resolution) {
                (Some(a), Some(b)) => a.same_density(&b),
                _ => false,
            },
            MetadataItem::Text(k) => m.text.iter().filter(|t| t.keyword == *k).all(|t| got.text.contains(t)),
            MetadataItem::NpyChannelAxis => got.npy.channel_axis == m.npy.channel_axis,
            MetadataItem::NpyPageAxis => got.npy.page_axis == m.npy.page_axis,
            MetadataItem::NpyBool => got.npy.bool_dtype == m.npy.bool_dtype,
            MetadataItem::Photometric => got.photometric == m.photometric,
            MetadataItem::FrameTiming => got.frame == m.frame,
            MetadataItem::LoopCount => got.loop_count == m.loop_count,
            MetadataItem::TiffTag(tag) => {
                let of = |m: &Metadata| {
                    m.tiff_tags
                        .iter()
                        .filter(|t| t.tag == *tag)
                        .cloned()
                        .collect::<Vec<_>>()
                };
                of(&got) == of(&m)
            }
        })
        .map(|item| item.to_string())
        .collect();
    if lost.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "metadata_fit claims {} are kept, but they do not come back as written",
            lost.join(", ")
        ))
    }
}
