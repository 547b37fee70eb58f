//! The metadata tags of the first page: ICC profile (34675, UNDEFINED), XMP (700, BYTE),
//! X/YResolution (282, 283, RATIONAL) with ResolutionUnit (296), Orientation (274) and the
//! text tags named by their keywords (ImageDescription, Software, DateTime, Artist,
//! Copyright, ASCII), the tags kept as stored ([`Metadata::tiff_tags`]: GeoTIFF, GDAL, private
//! tags, with their own types) and the EXIF IFD (34665) when the EXIF block is one a page can hold: its
//! IFD0 has only the orientation and the EXIF IFD pointer (the shape TIFF decoding makes), in
//! the file's byte order. Other blocks are reported dropped: their IFD0 tags (Make, Model, ...)
//! would have to be merged into the page's own.

use std::sync::Arc;

use super::super::decode::TEXT_TAGS;
use super::ifd::Ifd;
use crate::format::{Layout, PixelFormat};
use crate::metadata::{exif, tiff_tags, Metadata, MetadataItem, MetadataNote, Photometric, Resolution, ResolutionUnit};

const BYTE: u16 = 1;
const ASCII: u16 = 2;
const SHORT: u16 = 3;
const RATIONAL: u16 = 5;
const UNDEFINED: u16 = 7;

/// `v` as a rational with a power-of-ten denominator, exact when possible.
fn rational(v: f64) -> (u32, u32, bool) {
    for den in [1u32, 10, 100, 1000, 10_000, 100_000, 1_000_000] {
        let n = v * f64::from(den);
        let r = n.round();
        if (n - r).abs() <= 1e-6 * f64::from(den).max(1.0) && r >= 1.0 && r <= f64::from(u32::MAX) {
            return (r as u32, den, true);
        }
    }
    let den = (f64::from(u32::MAX) / v.max(1.0)).clamp(1.0, 1e6) as u32;
    (((v * f64::from(den)).round().max(1.0)) as u32, den, false)
}

/// X and Y as rationals, the ResolutionUnit value, and whether the rationals are exact.
type Rationals = ((u32, u32), (u32, u32), u16, bool);

/// The tag values for a resolution.
fn resolution(r: &Resolution) -> Option<Rationals> {
    let (unit, (x, y)) = match r.unit {
        ResolutionUnit::None => (1, (r.x, r.y)),
        ResolutionUnit::Inch => (2, (r.x, r.y)),
        ResolutionUnit::Centimeter => (3, (r.x, r.y)),
        ResolutionUnit::Meter => (3, r.to_unit(ResolutionUnit::Centimeter)?),
    };
    if !(x.is_finite() && y.is_finite() && x > 0.0 && y > 0.0) {
        return None;
    }
    let (xn, xd, xe) = rational(x);
    let (yn, yd, ye) = rational(y);
    Some(((xn, xd), (yn, yd), unit, xe && ye))
}

/// The text tag of a keyword.
fn text_tag(keyword: &str) -> Option<u16> {
    TEXT_TAGS.iter().find(|(_, k)| *k == keyword).map(|(t, _)| *t)
}

/// Why the first page cannot hold `m.tiff_tags[i]` as given; `None` when it is written.
fn tiff_tag_problem(m: &Metadata, i: usize) -> Option<String> {
    let t = &m.tiff_tags[i];
    if tiff_tags::STRUCTURE_TAGS.contains(&t.tag) {
        return Some("the encoder writes this tag from the image (or another metadata item) itself".into());
    }
    if tiff_tags::POINTER_TAGS.contains(&t.tag) {
        return Some("its value points to another structure of a file, which is not carried".into());
    }
    if m.tiff_tags[..i].iter().any(|e| e.tag == t.tag) {
        return Some("it is given more than once; the first is written".into());
    }
    if matches!(t.field_type, 16 | 17) {
        return Some(format!(
            "its field type {} (LONG8/SLONG8) exists only in BigTIFF, and pixcodec writes these tags with classic TIFF types",
            t.field_type
        ));
    }
    match t.element_size() {
        None => Some(format!("field type {} is not a value type", t.field_type)),
        Some(size) if Some(t.value.len() as u64) != t.count.checked_mul(size as u64) => Some(format!(
            "{} value bytes are not {} values of type {}",
            t.value.len(),
            t.count,
            t.field_type
        )),
        Some(_) if u32::try_from(t.count).is_err() => {
            Some(format!("{} values are more than a TIFF tag holds", t.count))
        }
        Some(_) => None,
    }
}

/// What of `m` a TIFF page of `format` cannot hold as given. Of the photometric conventions,
/// TIFF states white-is-zero (PhotometricInterpretation 0), written for unsigned gray pages
/// without alpha (pixcodec reads no other WhiteIsZero page back); it has no inverted CMYK.
pub(in crate::codecs::tiff) fn fit(m: &Metadata, format: PixelFormat) -> Vec<MetadataNote> {
    let mut notes = m.empty_items();
    notes.extend(m.npy_facts_dropped("tiff"));
    notes.extend(m.timing_dropped("tiff"));
    if let Some(n) = m.photometric_mismatch(format.layout) {
        notes.push(n);
    } else if m.photometric == Some(Photometric::WhiteIsZero) {
        let why = match (format.layout, format.sample) {
            (Layout::GrayAlpha, _) => Some("with alpha"),
            (_, s) if s.is_float() => Some("with float samples"),
            (_, s) if s.is_signed_int() => Some("with signed samples"),
            _ => None,
        };
        if let Some(why) = why {
            notes.push(MetadataNote::new(
                MetadataItem::Photometric,
                format!(
                    "tiff writes white-is-zero for unsigned gray samples without alpha, not {why} (pixcodec reads no \
                     other white-is-zero page back), so the picture would show inverted; convert with {} to keep the picture",
                    crate::convert::Remedy::Invert.text(crate::convert::Surface::Rust)
                ),
            ));
        }
    } else {
        notes.extend(m.photometric_dropped("tiff"));
    }
    if let Some(Err(why)) = exif_ifd(m) {
        let kept = if exif::effective_orientation(m).is_some() {
            " (the orientation is kept as tag 274)"
        } else {
            ""
        };
        let why =
            format!("tiff keeps EXIF as an EXIF IFD, and this block cannot be one: {why}; it is not written{kept}");
        notes.push(MetadataNote::new(MetadataItem::Exif, why));
    }
    if let Some(o) = m.orientation.filter(|o| !(1..=8).contains(o)) {
        let why = format!("{o} is not a TIFF orientation (1..=8)");
        notes.push(MetadataNote::new(MetadataItem::Orientation, why));
    }
    if let Some(r) = &m.resolution {
        match resolution(r) {
            None => notes.push(MetadataNote::new(
                MetadataItem::Resolution,
                format!("tiff cannot store {} x {} per {}", r.x, r.y, r.unit),
            )),
            Some(((xn, xd), (yn, yd), _, false)) => notes.push(MetadataNote::new(
                MetadataItem::Resolution,
                format!("written as the rationals {xn}/{xd} x {yn}/{yd}, near {} x {}", r.x, r.y),
            )),
            Some(_) => {}
        }
    }
    let mut used = Vec::new();
    for t in &m.text {
        let why = match text_tag(&t.keyword) {
            None => Some(format!(
                "tiff has no tag for this keyword (it holds {})",
                TEXT_TAGS.map(|(_, k)| k).join(", ")
            )),
            Some(tag) if used.contains(&tag) => Some("tiff holds one value per text tag".to_string()),
            Some(_) if t.value.contains('\0') => Some("TIFF ASCII values cannot contain NUL".to_string()),
            Some(_) if t.language.is_some() => Some("tiff text tags have no language".to_string()),
            Some(tag) => {
                used.push(tag);
                None
            }
        };
        if let Some(why) = why {
            notes.push(MetadataNote::new(MetadataItem::Text(t.keyword.clone()), why));
        }
    }
    for (i, t) in m.tiff_tags.iter().enumerate() {
        if let Some(why) = tiff_tag_problem(m, i) {
            notes.push(MetadataNote::new(MetadataItem::TiffTag(t.tag), why));
        }
    }
    notes
}

/// The EXIF IFD entries of `m`'s EXIF block, when it is one the page can hold: IFD0 with
/// only the orientation and the EXIF IFD pointer, in the byte order the file is written in.
fn exif_ifd(m: &Metadata) -> Option<Result<Vec<exif::IfdEntry>, String>> {
    let block = m.exif.as_ref().filter(|e| !e.is_empty())?;
    Some(exif::simple_exif_ifd(block).and_then(|(le, entries)| {
        if le == cfg!(target_endian = "little") {
            Ok(entries)
        } else {
            Err("its byte order differs from the file's".to_string())
        }
    }))
}

/// The first page's metadata tags of the last encode, kept with the encoder: worked out once
/// per metadata value (recognised by its `Arc`, which the cache holds so the value cannot
/// change), with the EXIF IFD laid out once per file offset.
#[derive(Default)]
pub(super) struct TagCache {
    /// The metadata the tags below come from.
    source: Option<Arc<Metadata>>,
    /// Its tags as (tag, field type, count, range of `values`), native byte order.
    tags: Vec<(u16, u16, u64, std::ops::Range<usize>)>,
    /// The value bytes of `tags`.
    values: Vec<u8>,
    /// Its EXIF IFD's entries, when it has one a page can hold.
    exif: Option<Vec<exif::IfdEntry>>,
    /// The EXIF IFD as last written: (file offset, BigTIFF, bytes).
    written: Option<(u64, bool, Vec<u8>)>,
}

impl TagCache {
    /// Works out the tags of `m` unless `m` is the value of the last call.
    fn load(&mut self, m: &Arc<Metadata>) {
        if self.source.as_ref().is_some_and(|s| Arc::ptr_eq(s, m)) {
            return;
        }
        self.tags.clear();
        self.values.clear();
        self.exif = exif_ifd(m).and_then(|r| r.ok()).filter(|e| !e.is_empty());
        self.written = None;
        self.source = Some(m.clone());
        if let Some(icc) = m.icc_profile.as_ref().filter(|p| !p.is_empty()) {
            self.push(34675, UNDEFINED, icc.len() as u64, icc);
        }
        if let Some(x) = m.xmp.as_ref().filter(|x| !x.is_empty()) {
            self.push(700, BYTE, x.len() as u64, x);
        }
        if let Some(o) = exif::effective_orientation(m).filter(|o| (1..=8).contains(o)) {
            self.push(274, SHORT, 1, &o.to_ne_bytes());
        }
        if let Some(((xn, xd), (yn, yd), unit, _)) = m.resolution.as_ref().and_then(resolution) {
            let pair = |n: u32, d: u32| [n.to_ne_bytes(), d.to_ne_bytes()].concat();
            self.push(282, RATIONAL, 1, &pair(xn, xd));
            self.push(283, RATIONAL, 1, &pair(yn, yd));
            self.push(296, SHORT, 1, &unit.to_ne_bytes());
        }
        let mut used = Vec::new();
        for t in &m.text {
            let Some(tag) = text_tag(&t.keyword) else { continue };
            if used.contains(&tag) || t.value.contains('\0') || t.language.is_some() {
                continue;
            }
            used.push(tag);
            let mut v = t.value.as_bytes().to_vec();
            v.push(0);
            self.push(tag, ASCII, v.len() as u64, &v);
        }
        for (i, t) in m.tiff_tags.iter().enumerate() {
            if tiff_tag_problem(m, i).is_none() {
                self.push(t.tag, t.field_type, t.count, &t.value);
            }
        }
    }

    fn push(&mut self, tag: u16, ty: u16, count: u64, bytes: &[u8]) {
        let start = self.values.len();
        self.values.extend_from_slice(bytes);
        self.tags.push((tag, ty, count, start..self.values.len()));
    }

    /// The EXIF IFD [`add_tags`] found, placed at file offset `at` (classic or BigTIFF
    /// entries), with its out-of-line values after it.
    pub(super) fn exif_ifd_at(&mut self, at: u64, big: bool) -> Option<&[u8]> {
        let entries = self.exif.as_ref()?;
        if !matches!(&self.written, Some((a, b, _)) if *a == at && *b == big) {
            // The page IFD's layout rules (sorted tags, inline or out-of-line values, field widths).
            let mut ifd = Ifd::default();
            ifd.reset(big);
            for e in entries {
                ifd.raw(e.tag, e.ty, u64::from(e.count), &e.value);
            }
            let mut out = Vec::new();
            ifd.write(at, 0, &mut out);
            self.written = Some((at, big, out));
        }
        self.written.as_ref().map(|(_, _, b)| &b[..])
    }
}

/// Adds the tags of `m` that [`fit`] did not exclude to the first page's IFD (worked out once
/// per metadata value, `cache`). When `m` has an EXIF IFD to write, its pointer (34665) gets
/// its value with [`Ifd::set_offset`] once the page's layout is known, and
/// [`TagCache::exif_ifd_at`] lays it out.
pub(super) fn add_tags(ifd: &mut Ifd, m: &Arc<Metadata>, cache: &mut TagCache) -> crate::error::Result<()> {
    cache.load(m);
    if cache.exif.is_some() {
        ifd.offsets(34665, &[0])?;
    }
    for (tag, ty, count, range) in &cache.tags {
        ifd.raw(*tag, *ty, *count, &cache.values[range.clone()]);
    }
    Ok(())
}
