//! The metadata of the current TIFF page, as stored: the EXIF IFD (34665, as an EXIF block
//! made by [`exif::from_tiff_ifd`]), ICC profile (34675), XMP (700), resolution
//! (282, 283, 296; rationals as their value), orientation (274) and the text tags
//! ImageDescription, Software, DateTime, Artist and Copyright (keyword = tag name), and every
//! other tag that is not the page structure as a [`TiffTag`] (GeoTIFF, GDAL, private tags). A tag that
//! is present but cannot be read is named in [`Metadata::unreadable`]; pixels still decode.

use tiff::decoder::ifd::Value;
use tiff::decoder::Decoder as TDecoder;
use tiff::tags::Tag;

use super::{guarded, Reader};
use crate::metadata::tiff_tags::{self, TiffTag};
use crate::metadata::{exif, tiff_ifd, Metadata, Resolution, ResolutionUnit, TextEntry};

/// The text tags carried, with their keywords.
pub(crate) const TEXT_TAGS: [(u16, &str); 5] = [
    (270, "ImageDescription"),
    (305, "Software"),
    (306, "DateTime"),
    (315, "Artist"),
    (33432, "Copyright"),
];

/// Reads a tag's value, `None` when absent; a read error is noted as unreadable `item`.
fn tag(dec: &mut TDecoder<Reader<'_>>, m: &mut Metadata, tag: u16, item: &str) -> Option<Value> {
    match guarded(|| dec.find_tag(Tag::from_u16_exhaustive(tag))) {
        Ok(v) => v,
        Err(e) => {
            m.unreadable.push(format!("{item}: tag {tag}: {e}"));
            None
        }
    }
}

/// `f` given the file's bytes: `file` when decoding from memory, else the decoder's reader,
/// whose position is restored.
fn with_bytes<T>(
    dec: &mut TDecoder<Reader<'_>>,
    file: Option<&[u8]>,
    f: impl FnOnce(&mut dyn FnMut(u64, usize) -> Option<Vec<u8>>) -> Result<T, String>,
) -> Result<T, String> {
    use std::io::{Read, Seek, SeekFrom};
    if let Some(file) = file {
        return f(&mut |off, len| {
            let off = usize::try_from(off).ok()?;
            file.get(off..off.checked_add(len)?).map(<[u8]>::to_vec)
        });
    }
    let r = dec.inner();
    let pos = r.stream_position().map_err(|e| e.to_string())?;
    let out = f(&mut |off, len| {
        r.seek(SeekFrom::Start(off)).ok()?;
        let mut v = Vec::new();
        (&mut *r).take(len as u64).read_to_end(&mut v).ok()?;
        (v.len() == len).then_some(v)
    });
    r.seek(SeekFrom::Start(pos)).map_err(|e| e.to_string())?;
    out
}

/// The page's tags kept as stored ([`Metadata::tiff_tags`]): every tag of its IFD that is
/// neither the page structure nor another item, values turned into the machine's byte order.
/// Tags pointing into the file (GPS IFD, sub-IFDs) and tags whose values cannot be read are
/// named in [`Metadata::unreadable`].
fn page_tags(dec: &mut TDecoder<Reader<'_>>, file: Option<&[u8]>, m: &mut Metadata) {
    let Some(at) = dec.ifd_pointer() else { return };
    let read = with_bytes(dec, file, |get| {
        let order = tiff_ifd::file_order(get)?;
        let entries = tiff_ifd::read_ifd(get, order, at.0, "page IFD", &|tag, ty| tiff_tags::is_carried(tag, ty))?;
        Ok((order, entries))
    });
    let (order, entries) = match read {
        Ok(r) => r,
        Err(why) => {
            m.unreadable.push(format!("tiff tags: {why}"));
            return;
        }
    };
    for e in entries {
        if tiff_tags::STRUCTURE_TAGS.contains(&e.tag) {
            continue;
        }
        let value = match e.value {
            _ if tiff_tags::POINTER_TAGS.contains(&e.tag) || matches!(e.ty, 13 | 18) => {
                Err("its value points to another structure in the file, which is not carried".to_string())
            }
            None => Err(format!("its field type {} is unknown", e.ty)),
            Some(v) => v,
        };
        let tag = value.and_then(|mut v| {
            if order.le != cfg!(target_endian = "little") {
                TiffTag::swapped(e.ty, &mut v);
            }
            TiffTag::new(e.tag, e.ty, e.count, v)
        });
        match tag {
            Ok(t) => m.tiff_tags.push(t),
            Err(why) => m.unreadable.push(format!("tiff tag {}: {why}", e.tag)),
        }
    }
    m.tiff_tags.sort_by_key(|t| t.tag);
}

/// A RATIONAL (or other single number) as its value.
fn number(v: Value) -> Option<f64> {
    match v {
        Value::Rational(n, d) if d != 0 => Some(f64::from(n) / f64::from(d)),
        Value::Double(x) => Some(x),
        Value::Float(x) => Some(f64::from(x)),
        Value::Short(x) => Some(f64::from(x)),
        Value::Unsigned(x) => Some(f64::from(x)),
        Value::List(mut l) if l.len() == 1 => number(l.pop()?),
        _ => None,
    }
}

/// The metadata of the page the decoder is on; `file` is the whole file when decoding from
/// memory (the EXIF IFD is copied from it).
pub(super) fn read(dec: &mut TDecoder<Reader<'_>>, file: Option<&[u8]>) -> Metadata {
    let mut m = Metadata::default();
    if let Some(v) = tag(dec, &mut m, 34675, "icc_profile") {
        match v.into_u8_vec() {
            Ok(v) if !v.is_empty() => m.icc_profile = Some(v),
            Ok(_) => {}
            Err(e) => m.unreadable.push(format!("icc_profile: tag 34675: {e}")),
        }
    }
    if let Some(v) = tag(dec, &mut m, 700, "xmp") {
        match v.into_u8_vec() {
            Ok(v) if !v.is_empty() => m.xmp = Some(v),
            Ok(_) => {}
            Err(e) => m.unreadable.push(format!("xmp: tag 700: {e}")),
        }
    }
    if let Some(v) = tag(dec, &mut m, 274, "orientation") {
        m.orientation = v.into_u16().ok().filter(|o| (1..=8).contains(o));
    }
    if let Some(v) = tag(dec, &mut m, 34665, "exif") {
        let orientation = m.orientation;
        let block = match v.into_u64() {
            Ok(at) => with_bytes(dec, file, |get| exif::from_tiff_ifd(get, at, orientation)),
            Err(e) => Err(format!("tag 34665: {e}")),
        };
        match block {
            Ok((block, notes)) => {
                m.exif = Some(block);
                m.unreadable.extend(notes);
            }
            Err(why) => m.unreadable.push(format!("exif: {why}")),
        }
    }
    let x = tag(dec, &mut m, 282, "resolution").and_then(number);
    let y = tag(dec, &mut m, 283, "resolution").and_then(number);
    let unit = tag(dec, &mut m, 296, "resolution")
        .and_then(|v| v.into_u16().ok())
        .unwrap_or(2);
    let unit = match unit {
        1 => Some(ResolutionUnit::None),
        2 => Some(ResolutionUnit::Inch),
        3 => Some(ResolutionUnit::Centimeter),
        _ => None,
    };
    if let (Some(x), Some(y), Some(unit)) = (x, y, unit) {
        if x.is_finite() && y.is_finite() && x > 0.0 && y > 0.0 {
            m.resolution = Some(Resolution::new(x, y, unit));
        }
    }
    for (t, keyword) in TEXT_TAGS {
        if let Some(v) = tag(dec, &mut m, t, keyword) {
            match v.into_string() {
                Ok(s) => m.text.push(TextEntry::new(keyword, &s)),
                Err(e) => m.unreadable.push(format!("text '{keyword}': tag {t}: {e}")),
            }
        }
    }
    page_tags(dec, file, &mut m);
    m
}
