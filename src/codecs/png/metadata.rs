//! PNG metadata chunks: read into [`Metadata`] (from the `png` crate's `Info`, plus a scan of
//! the raw chunks to name an `iCCP` or `eXIf` chunk that could not be read), and written by
//! the encoder after `IHDR`: `iCCP` (zlib), `eXIf`, `iTXt` with keyword `XML:com.adobe.xmp`
//! for XMP, `pHYs`, and text as `tEXt` (Latin-1 text without language) or `iTXt` (UTF-8 or
//! with a language tag).

use std::io::Write;

use super::encode::write_chunk;
use crate::error::{Error, Result};
use crate::format::Layout;
use crate::metadata::{exif, whole, Metadata, MetadataItem, MetadataNote, Resolution, ResolutionUnit, TextEntry};

/// The `iTXt` keyword of an XMP packet.
pub(super) const XMP_KEYWORD: &str = "XML:com.adobe.xmp";
/// The profile name written in `iCCP` (as Pillow writes it).
const ICC_NAME: &[u8] = b"ICC Profile";

/// Metadata from the chunks the `png` crate read before the image data. `raw` is the whole
/// file when the decoder reads from memory: an `iCCP` the crate skipped as corrupt is then
/// named in [`Metadata::unreadable`]. Compressed text is inflated up to `text_limit` bytes.
pub(super) fn read(info: &png::Info<'_>, raw: Option<&[u8]>, text_limit: usize) -> Metadata {
    let mut m = Metadata {
        icc_profile: info.icc_profile.as_ref().filter(|p| !p.is_empty()).map(|p| p.to_vec()),
        ..Metadata::default()
    };
    if m.icc_profile.is_none() && raw.is_some_and(|r| has_chunk_before_idat(r, b"iCCP")) {
        m.unreadable
            .push("icc_profile: the iCCP chunk is corrupt (its name or zlib stream cannot be read)".to_string());
    }
    if let Some(e) = &info.exif_metadata {
        // Some writers keep the JPEG APP1 prefix; pixcodec carries the bare TIFF structure.
        exif::carry(&mut m, e.strip_prefix(b"Exif\0\0").unwrap_or(e));
    }
    if let Some(d) = info.pixel_dims {
        let unit = match d.unit {
            png::Unit::Meter => ResolutionUnit::Meter,
            png::Unit::Unspecified => ResolutionUnit::None,
        };
        if d.xppu > 0 && d.yppu > 0 {
            m.resolution = Some(Resolution::new(f64::from(d.xppu), f64::from(d.yppu), unit));
        }
    }
    for t in &info.uncompressed_latin1_text {
        m.text.push(TextEntry::new(&t.keyword, &t.text));
    }
    for t in &info.compressed_latin1_text {
        let mut t = t.clone();
        match t.decompress_text_with_limit(text_limit).and_then(|_| t.get_text()) {
            Ok(v) => m.text.push(TextEntry::new(&t.keyword, &v)),
            Err(e) => m.unreadable.push(format!("text '{}': zTXt chunk: {e}", t.keyword)),
        }
    }
    for t in &info.utf8_text {
        let mut t = t.clone();
        let text = match t.decompress_text_with_limit(text_limit).and_then(|_| t.get_text()) {
            Ok(v) => v,
            Err(e) => {
                m.unreadable.push(format!("text '{}': iTXt chunk: {e}", t.keyword));
                continue;
            }
        };
        if t.keyword == XMP_KEYWORD && m.xmp.is_none() && !text.is_empty() {
            m.xmp = Some(text.into_bytes());
        } else {
            m.text.push(TextEntry {
                keyword: t.keyword.clone(),
                value: text,
                language: (!t.language_tag.is_empty()).then(|| t.language_tag.clone()),
            });
        }
    }
    m
}

/// True when a chunk of type `kind` comes before the first `IDAT` of the PNG `data`.
fn has_chunk_before_idat(data: &[u8], kind: &[u8; 4]) -> bool {
    let mut at = 8;
    while let Some(head) = data.get(at..at + 8) {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let ty = &head[4..8];
        if ty == kind {
            return true;
        }
        if ty == b"IDAT" {
            return false;
        }
        at = match at.checked_add(12 + len) {
            Some(v) => v,
            None => return false,
        };
    }
    false
}

/// A Latin-1 keyword PNG accepts: 1..=79 printable characters.
fn keyword_ok(k: &str) -> bool {
    let n = k.chars().count();
    (1..=79).contains(&n) && k.chars().all(|c| matches!(c as u32, 32..=126 | 161..=255))
}

fn latin1(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(c as u32).ok()).collect()
}

/// `pHYs` values for a resolution: (x, y, unit byte) and a note when they are not exact.
fn phys(r: &Resolution) -> std::result::Result<([u32; 2], u8, Option<String>), String> {
    let (unit, (x, y)) = match r.unit {
        ResolutionUnit::None => (0, (r.x, r.y)),
        _ => (1, r.to_unit(ResolutionUnit::Meter).unwrap_or((r.x, r.y))),
    };
    if let (Some(a), Some(b)) = (whole(x, u32::MAX >> 1), whole(y, u32::MAX >> 1)) {
        return Ok(([a, b], unit, None));
    }
    let (a, b) = (x.round(), y.round());
    if !(a >= 1.0 && b >= 1.0 && a <= f64::from(u32::MAX >> 1) && b <= f64::from(u32::MAX >> 1)) {
        return Err(format!("png cannot store {} x {} per {}", r.x, r.y, r.unit));
    }
    let note = format!(
        "png stores whole pixels per metre: {} x {} per {} written as {a} x {b} per metre",
        r.x, r.y, r.unit
    );
    Ok(([a as u32, b as u32], unit, Some(note)))
}

/// What of `m` a PNG of `layout` cannot hold as given (PNG has no inverted conventions).
pub(super) fn fit(m: &Metadata, layout: Layout) -> Vec<MetadataNote> {
    let mut notes = m.empty_items();
    notes.extend(m.npy_facts_dropped("png"));
    notes.extend(m.timing_dropped("png"));
    notes.extend(m.tiff_tags_dropped("png"));
    notes.extend(m.photometric_mismatch(layout).or_else(|| m.photometric_dropped("png")));
    if let (_, Some(n)) = exif::for_write(m) {
        notes.push(n);
    }
    if m.xmp.as_deref().is_some_and(|x| std::str::from_utf8(x).is_err()) {
        notes.push(MetadataNote::new(
            MetadataItem::Xmp,
            "png stores XMP in an iTXt chunk, which must be UTF-8, and this packet is not",
        ));
    }
    if let Some(r) = &m.resolution {
        match phys(r) {
            Ok((_, _, Some(n))) | Err(n) => notes.push(MetadataNote::new(MetadataItem::Resolution, n)),
            Ok(_) => {}
        }
    }
    for t in &m.text {
        let why = if !keyword_ok(&t.keyword) {
            Some("png keywords are 1..=79 printable Latin-1 characters")
        } else if t.value.contains('\0') {
            Some("png text cannot contain NUL characters")
        } else if t.language.as_deref().is_some_and(|l| l.contains('\0') || !l.is_ascii()) {
            Some("png language tags are ASCII")
        } else {
            None
        };
        if let Some(why) = why {
            notes.push(MetadataNote::new(MetadataItem::Text(t.keyword.clone()), why));
        }
    }
    notes
}

/// Writes the metadata chunks of `m` (those [`fit`] did not exclude), right after `IHDR`.
pub(super) fn write(out: &mut dyn Write, m: &Metadata) -> Result<()> {
    if let Some(icc) = m.icc_profile.as_ref().filter(|p| !p.is_empty()) {
        let mut data = Vec::with_capacity(icc.len() / 2 + 64);
        data.extend_from_slice(ICC_NAME);
        data.extend_from_slice(&[0, 0]);
        let mut z = flate2::write::ZlibEncoder::new(data, flate2::Compression::default());
        z.write_all(icc)?;
        let data = z
            .finish()
            .map_err(|e| Error::encode(super::NAME, format!("deflate failed: {e}")))?;
        write_chunk(out, b"iCCP", &data)?;
    }
    if let (Some(e), _) = exif::for_write(m) {
        write_chunk(out, b"eXIf", &e)?;
    }
    if let Some(x) = m
        .xmp
        .as_deref()
        .filter(|x| !x.is_empty() && std::str::from_utf8(x).is_ok())
    {
        write_chunk(out, b"iTXt", &itxt(XMP_KEYWORD, "", x))?;
    }
    if let Some(Ok(([x, y], unit, _))) = m.resolution.as_ref().map(phys) {
        let mut d = [0u8; 9];
        d[..4].copy_from_slice(&x.to_be_bytes());
        d[4..8].copy_from_slice(&y.to_be_bytes());
        d[8] = unit;
        write_chunk(out, b"pHYs", &d)?;
    }
    for t in &m.text {
        if !keyword_ok(&t.keyword) || t.value.contains('\0') {
            continue;
        }
        let key = latin1(&t.keyword).unwrap_or_default();
        match (&t.language, latin1(&t.value)) {
            (None, Some(v)) => {
                let mut d = key;
                d.push(0);
                d.extend_from_slice(&v);
                write_chunk(out, b"tEXt", &d)?;
            }
            (Some(l), _) if l.contains('\0') || !l.is_ascii() => {}
            (lang, _) => write_chunk(
                out,
                b"iTXt",
                &itxt(&t.keyword, lang.as_deref().unwrap_or(""), t.value.as_bytes()),
            )?,
        }
    }
    Ok(())
}

/// An uncompressed `iTXt` chunk body (no translated keyword).
fn itxt(keyword: &str, language: &str, text: &[u8]) -> Vec<u8> {
    let mut d = latin1(keyword).unwrap_or_default();
    d.extend_from_slice(&[0, 0, 0]);
    d.extend_from_slice(language.as_bytes());
    d.extend_from_slice(&[0, 0]);
    d.extend_from_slice(text);
    d
}
