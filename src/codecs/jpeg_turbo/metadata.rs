//! JPEG metadata segments: read from the markers before the first scan (APP2 `ICC_PROFILE`
//! chunks joined by sequence number, APP1 `Exif`, APP1 XMP, the JFIF density from
//! libjpeg-turbo's header), and written by [`Splicer`], which inserts them into the stream
//! libjpeg-turbo produces: right after its JFIF APP0 (whose density it sets) or after SOI.
//! An ICC profile larger than one segment spans several APP2 markers (65519 bytes each).

use std::io::Write;

use turbojpeg::raw;

use super::handle::Decompressor;
use crate::format::Layout;
use crate::metadata::{exif, whole, Metadata, MetadataItem, MetadataNote, Photometric, Resolution, ResolutionUnit};

const EXIF_ID: &[u8] = b"Exif\0\0";
const XMP_ID: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const ICC_ID: &[u8] = b"ICC_PROFILE\0";
/// Payload bytes of one marker segment (65535 minus the length field).
const SEGMENT: usize = 65533;
/// ICC bytes per APP2 segment (after the identifier, sequence number and count).
const ICC_CHUNK: usize = SEGMENT - ICC_ID.len() - 2;

/// The marker segments before the first scan: (marker, payload).
fn segments(data: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    let mut i = 2;
    std::iter::from_fn(move || loop {
        while *data.get(i)? != 0xFF {
            i += 1; // garbage between segments, tolerated as libjpeg does
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
        i += len.max(2);
        return Some((marker, seg));
    })
}

/// Joins the APP2 `ICC_PROFILE` chunks: all `count` sequence numbers present once.
fn icc(data: &[u8]) -> Option<Result<Vec<u8>, String>> {
    let mut chunks: Vec<(u8, u8, &[u8])> = segments(data)
        .filter(|(m, s)| *m == 0xE2 && s.starts_with(ICC_ID))
        .map(|(_, s)| {
            let s = &s[ICC_ID.len()..];
            (
                s.first().copied().unwrap_or(0),
                s.get(1).copied().unwrap_or(0),
                s.get(2..).unwrap_or(&[]),
            )
        })
        .collect();
    if chunks.is_empty() {
        return None;
    }
    let count = chunks[0].1;
    chunks.sort_by_key(|c| c.0);
    let seqs: Vec<u8> = chunks.iter().map(|c| c.0).collect();
    let want: Vec<u8> = (1..=count).collect();
    if count == 0 || chunks.iter().any(|c| c.1 != count) || seqs != want {
        return Some(Err(format!(
            "the APP2 ICC_PROFILE chunks are incomplete or inconsistent (sequence numbers {seqs:?} of {count})"
        )));
    }
    let profile: Vec<u8> = chunks.iter().flat_map(|c| c.2.iter().copied()).collect();
    if profile.is_empty() {
        return Some(Err("the APP2 ICC_PROFILE chunks hold no bytes".to_string()));
    }
    Some(Ok(profile))
}

/// Metadata of the JPEG whose header `dec` has read, its samples being of `layout`: a CMYK
/// file with an Adobe APP14 marker is [`Photometric::AdobeInvertedCmyk`].
pub(super) fn read(dec: &Decompressor<'_>, layout: Layout) -> Metadata {
    let data = dec.data();
    let mut m = Metadata::default();
    if layout == Layout::Cmyk && has_adobe_marker(data) {
        m.photometric = Some(Photometric::AdobeInvertedCmyk);
    }
    match icc(data) {
        Some(Ok(p)) => m.icc_profile = Some(p),
        Some(Err(why)) => m.unreadable.push(format!("icc_profile: {why}")),
        None => {}
    }
    if let Some((_, s)) = segments(data).find(|(m, s)| *m == 0xE1 && s.starts_with(EXIF_ID)) {
        exif::carry(&mut m, &s[EXIF_ID.len()..]);
    }
    if let Some((_, s)) = segments(data).find(|(m, s)| *m == 0xE1 && s.starts_with(XMP_ID)) {
        m.xmp = Some(s[XMP_ID.len()..].to_vec()).filter(|x| !x.is_empty());
    }
    let has_jfif = segments(data).any(|(m, s)| m == 0xE0 && s.starts_with(b"JFIF\0"));
    let units = dec.get(raw::TJPARAM_TJPARAM_DENSITYUNITS);
    let (x, y) = (
        dec.get(raw::TJPARAM_TJPARAM_XDENSITY),
        dec.get(raw::TJPARAM_TJPARAM_YDENSITY),
    );
    if has_jfif && x > 0 && y > 0 {
        let unit = match units {
            1 => Some(ResolutionUnit::Inch),
            2 => Some(ResolutionUnit::Centimeter),
            // Units 0 with 1:1 is JFIF's "nothing known", written by default.
            _ if x != y => Some(ResolutionUnit::None),
            _ => None,
        };
        if let Some(unit) = unit {
            m.resolution = Some(Resolution::new(f64::from(x), f64::from(y), unit));
        }
    }
    m
}

/// The photometric convention of a JPEG: libjpeg-turbo writes every CMYK file (CMYK or YCCK)
/// with an Adobe APP14 marker, which readers (Photoshop, Pillow's `CMYK;I`) take as Adobe's
/// inverted CMYK. So CMYK samples marked [`Photometric::AdobeInvertedCmyk`] keep their
/// meaning, plain CMYK samples do not (the note says so), and JPEG cannot state white-is-zero.
fn photometric_fit(m: &Metadata, layout: Layout) -> Option<MetadataNote> {
    if let Some(n) = m.photometric_mismatch(layout) {
        return Some(n);
    }
    match (layout, m.photometric) {
        (Layout::Cmyk, None) => Some(MetadataNote::new(
            MetadataItem::Photometric,
            format!(
                "jpeg-turbo writes CMYK with an Adobe APP14 marker, which readers take as {} (0 = full ink), so \
                 these plain CMYK samples would show inverted; convert with {} to keep the picture",
                Photometric::AdobeInvertedCmyk,
                crate::convert::Remedy::Invert.text(crate::convert::Surface::Rust)
            ),
        )),
        (Layout::Cmyk, Some(_)) => None,
        _ => m.photometric_dropped("jpeg-turbo"),
    }
}

/// True when the JPEG holds an Adobe APP14 marker (`Adobe` followed by version, flags and the
/// colour transform).
fn has_adobe_marker(data: &[u8]) -> bool {
    segments(data).any(|(m, s)| m == 0xEE && s.len() >= 12 && s.starts_with(b"Adobe"))
}

/// JFIF (units, x, y) for a resolution, with a note when rounded.
fn jfif(r: &Resolution) -> Result<(u8, u16, u16, Option<String>), String> {
    let max = u32::from(u16::MAX);
    let exact = |u: u8, (x, y): (f64, f64)| Some((u, whole(x, max)? as u16, whole(y, max)? as u16, None));
    let found = match r.unit {
        ResolutionUnit::None => exact(0, (r.x, r.y)),
        ResolutionUnit::Inch => exact(1, (r.x, r.y)),
        ResolutionUnit::Centimeter => exact(2, (r.x, r.y)),
        ResolutionUnit::Meter => r
            .to_unit(ResolutionUnit::Centimeter)
            .and_then(|v| exact(2, v))
            .or_else(|| exact(1, r.dpi()?)),
    };
    if let Some(f) = found {
        return Ok(f);
    }
    let (u, (x, y)) = match r.unit {
        ResolutionUnit::None => (0, (r.x, r.y)),
        ResolutionUnit::Centimeter => (2, (r.x, r.y)),
        _ => (1, r.dpi().unwrap_or((r.x, r.y))),
    };
    let (a, b) = (x.round(), y.round());
    if !(a >= 1.0 && b >= 1.0 && a <= 65535.0 && b <= 65535.0) {
        return Err(format!("JFIF cannot store {} x {} per {}", r.x, r.y, r.unit));
    }
    let per = ["unit", "inch", "centimetre"][usize::from(u)];
    let note = format!(
        "JFIF stores whole numbers up to 65535: {} x {} per {} written as {a} x {b} per {per}",
        r.x, r.y, r.unit
    );
    Ok((u, a as u16, b as u16, Some(note)))
}

/// What of `m` a JPEG of `layout` cannot hold as given.
pub(super) fn fit(m: &Metadata, layout: Layout) -> Vec<MetadataNote> {
    let mut notes = m.empty_items();
    notes.extend(m.npy_facts_dropped("jpeg-turbo"));
    notes.extend(m.timing_dropped("jpeg-turbo"));
    notes.extend(m.tiff_tags_dropped("jpeg-turbo"));
    notes.extend(photometric_fit(m, layout));
    let (e, n) = exif::for_write(m);
    notes.extend(n);
    if e.is_some_and(|e| e.len() > SEGMENT - EXIF_ID.len()) {
        let why = format!(
            "an APP1 segment holds at most {} bytes of EXIF",
            SEGMENT - EXIF_ID.len()
        );
        notes.push(MetadataNote::new(MetadataItem::Exif, why));
    }
    if m.xmp.as_ref().is_some_and(|x| x.len() > SEGMENT - XMP_ID.len()) {
        let why = format!(
            "an APP1 segment holds at most {} bytes of XMP (extended XMP is not written)",
            SEGMENT - XMP_ID.len()
        );
        notes.push(MetadataNote::new(MetadataItem::Xmp, why));
    }
    if m.icc_profile.as_ref().is_some_and(|p| p.len() > ICC_CHUNK * 255) {
        let why = format!(
            "255 APP2 segments hold at most {} bytes of ICC profile",
            ICC_CHUNK * 255
        );
        notes.push(MetadataNote::new(MetadataItem::IccProfile, why));
    }
    if let Some(r) = &m.resolution {
        if layout == Layout::Cmyk {
            let why = "a CMYK JPEG has no JFIF header to hold the density";
            notes.push(MetadataNote::new(MetadataItem::Resolution, why));
        } else if let Ok((.., Some(n))) | Err(n) = jfif(r) {
            notes.push(MetadataNote::new(MetadataItem::Resolution, n));
        }
    }
    for t in &m.text {
        let why = "JPEG has no keyword/value text entries (pixcodec writes no COM markers)";
        notes.push(MetadataNote::new(MetadataItem::Text(t.keyword.clone()), why));
    }
    notes
}

/// A writer in front of the encoder's output that sets the JFIF density and inserts the
/// metadata segments after the JFIF APP0 (or after SOI when there is none).
pub(super) struct Splicer<'w> {
    out: &'w mut dyn Write,
    /// Bytes held until the insertion point is known.
    head: Vec<u8>,
    /// The segments to insert (EXIF, XMP, ICC), ready to write.
    segments: Vec<u8>,
    density: Option<(u8, u16, u16)>,
    done: bool,
}

fn push_segment(v: &mut Vec<u8>, marker: u8, parts: &[&[u8]]) {
    let len: usize = 2 + parts.iter().map(|p| p.len()).sum::<usize>();
    v.extend_from_slice(&[0xFF, marker]);
    v.extend_from_slice(&(len as u16).to_be_bytes());
    for p in parts {
        v.extend_from_slice(p);
    }
}

impl<'w> Splicer<'w> {
    /// A splicer writing `m` (what [`fit`] did not exclude) into the JPEG sent to `out`.
    pub(super) fn new(out: &'w mut dyn Write, m: &Metadata, layout: Layout) -> Self {
        let mut segments = Vec::new();
        if let (Some(e), _) = exif::for_write(m) {
            if e.len() <= SEGMENT - EXIF_ID.len() {
                push_segment(&mut segments, 0xE1, &[EXIF_ID, &e]);
            }
        }
        if let Some(x) = m
            .xmp
            .as_ref()
            .filter(|x| !x.is_empty() && x.len() <= SEGMENT - XMP_ID.len())
        {
            push_segment(&mut segments, 0xE1, &[XMP_ID, x]);
        }
        if let Some(p) = m
            .icc_profile
            .as_ref()
            .filter(|p| !p.is_empty() && p.len() <= ICC_CHUNK * 255)
        {
            let n = p.len().div_ceil(ICC_CHUNK).max(1);
            for (i, c) in p.chunks(ICC_CHUNK).enumerate() {
                push_segment(&mut segments, 0xE2, &[ICC_ID, &[i as u8 + 1, n as u8], c]);
            }
        }
        let density = m
            .resolution
            .filter(|_| layout != Layout::Cmyk)
            .and_then(|r| jfif(&r).ok())
            .map(|(u, x, y, _)| (u, x, y));
        Splicer {
            out,
            head: Vec::new(),
            segments,
            density,
            done: false,
        }
    }

    /// Where the segments go in a stream starting with `h`: after SOI and a JFIF APP0;
    /// `None` while more bytes are needed to tell.
    fn insertion_point(h: &[u8]) -> Option<usize> {
        if h.get(2..4)? != [0xFF, 0xE0] {
            return (h.len() >= 4).then_some(2);
        }
        let len = usize::from(u16::from_be_bytes([*h.get(4)?, *h.get(5)?]));
        (h.len() >= 4 + len).then_some(4 + len)
    }

    /// Writes `bytes` (the stream from its start) with the segments inserted, when the
    /// insertion point is in it; false when more bytes are needed.
    fn splice(&mut self, bytes: &[u8]) -> std::io::Result<bool> {
        let Some(at) = Self::insertion_point(bytes) else {
            return Ok(false);
        };
        let mut prefix = bytes[..at].to_vec();
        if let Some((u, x, y)) = self.density.filter(|_| at >= 18 && &prefix[6..11] == b"JFIF\0") {
            prefix[13] = u;
            prefix[14..16].copy_from_slice(&x.to_be_bytes());
            prefix[16..18].copy_from_slice(&y.to_be_bytes());
        }
        self.out.write_all(&prefix)?;
        self.out.write_all(&self.segments)?;
        self.out.write_all(&bytes[at..])?;
        self.done = true;
        Ok(true)
    }

    /// Writes anything still held (a stream too short to splice is passed on unchanged).
    pub(super) fn finish(self) -> std::io::Result<()> {
        if !self.done {
            self.out.write_all(&self.head)?;
        }
        self.out.flush()
    }
}

impl Write for Splicer<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.done {
            return self.out.write(buf);
        }
        if self.head.is_empty() {
            // Usually the whole header arrives in the first write: no copy of the stream.
            if !self.splice(buf)? {
                self.head.extend_from_slice(buf);
            }
        } else {
            let mut head = std::mem::take(&mut self.head);
            head.extend_from_slice(buf);
            if !self.splice(&head)? {
                self.head = head;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
