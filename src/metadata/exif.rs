//! EXIF blocks (TIFF-structured bytes): checking their IFD structure before they are carried,
//! reading the orientation tag, setting it in place, and the minimal block that holds only an
//! orientation. The bytes are never re-encoded: a carried block is the stored one, at most
//! with the two bytes of its orientation value changed.

use std::borrow::Cow;

use super::tiff_ifd::{self, type_size};
use super::{Metadata, MetadataItem, MetadataNote};

/// The orientation tag.
const ORIENTATION: u16 = 0x0112;
/// Pointers to sub-IFDs whose tables are checked: EXIF, GPS, interoperability.
const SUB_IFDS: [u16; 3] = [0x8769, 0x8825, 0xA005];
/// At most this many IFDs are followed (IFD0, IFD1, sub-IFDs); more is treated as corrupt.
const MAX_IFDS: usize = 32;

/// A parsed view of an EXIF block's byte order.
struct Block<'a> {
    b: &'a [u8],
    le: bool,
}

impl<'a> Block<'a> {
    fn new(b: &'a [u8]) -> Result<Self, String> {
        let le = match b.get(..4) {
            Some([b'I', b'I', 42, 0]) => true,
            Some([b'M', b'M', 0, 42]) => false,
            _ => return Err("not a TIFF-structured block (no II*/MM* header)".to_string()),
        };
        Ok(Block { b, le })
    }

    fn u16_at(&self, o: usize) -> Option<u16> {
        let v: [u8; 2] = self.b.get(o..o.checked_add(2)?)?.try_into().ok()?;
        Some(if self.le {
            u16::from_le_bytes(v)
        } else {
            u16::from_be_bytes(v)
        })
    }

    fn u32_at(&self, o: usize) -> Option<u32> {
        let v: [u8; 4] = self.b.get(o..o.checked_add(4)?)?.try_into().ok()?;
        Some(if self.le {
            u32::from_le_bytes(v)
        } else {
            u32::from_be_bytes(v)
        })
    }

    /// Entry count of the IFD at `at`, after checking that its table lies inside the block.
    fn table(&self, at: usize, what: impl std::fmt::Display) -> Result<usize, String> {
        let len = self.b.len();
        let outside = || format!("{what} offset {at} is outside the {len}-byte block");
        if at < 8 {
            return Err(outside());
        }
        let n = self.u16_at(at).ok_or_else(outside)? as usize;
        let end = at + 2 + 12 * n;
        if end > len {
            return Err(format!(
                "{what} at offset {at} has {n} entries running past the end of the {len}-byte block"
            ));
        }
        Ok(n)
    }

    /// Offset of the value field of IFD0's orientation entry, when it is a single SHORT.
    fn orientation_field(&self) -> Option<usize> {
        let ifd = self.u32_at(4)? as usize;
        let n = self.u16_at(ifd)? as usize;
        (0..n).find_map(|k| {
            let e = ifd.checked_add(2 + 12 * k)?;
            let found = self.u16_at(e)? == ORIENTATION && self.u16_at(e + 2)? == 3 && self.u32_at(e + 4)? == 1;
            // The value's two bytes must lie inside the block too.
            (found && self.u16_at(e + 8).is_some()).then_some(e + 8)
        })
    }
}

/// Checks the IFD structure of an EXIF block (header, IFD0 and the IFDs chained after it, the
/// EXIF, GPS and interoperability sub-IFDs: each table inside the block, no IFD visited twice)
/// and returns the orientation (IFD0 tag 0x0112, when in 1..=8). The error says what is wrong.
pub fn check(exif: &[u8]) -> Result<Option<u16>, String> {
    let blk = Block::new(exif)?;
    let first = blk.u32_at(4).ok_or("block shorter than its header")? as usize;
    // Up to MAX_IFDS offsets to visit and visited, without allocating (this runs on every
    // encode that carries EXIF); an IFD is named only in an error.
    let mut todo = [(0usize, IfdName::Ifd0); MAX_IFDS + 1];
    let mut pending = 1;
    todo[0] = (first, IfdName::Ifd0);
    let mut seen = [0usize; MAX_IFDS];
    let mut visited = 0;
    while pending > 0 {
        pending -= 1;
        let (at, what) = todo[pending];
        if seen[..visited].contains(&at) {
            return Err(format!("{what} at offset {at} was already visited (an offset loop)"));
        }
        if visited >= MAX_IFDS {
            return Err(format!("more than {MAX_IFDS} IFDs"));
        }
        seen[visited] = at;
        visited += 1;
        let n = blk.table(at, what)?;
        let mut push = |to: usize, name: IfdName| -> Result<(), String> {
            // Each visited IFD adds at most four; more pending than can still be visited is
            // already past the limit.
            if pending > MAX_IFDS {
                return Err(format!("more than {MAX_IFDS} IFDs"));
            }
            todo[pending] = (to, name);
            pending += 1;
            Ok(())
        };
        for k in 0..n {
            let e = at + 2 + 12 * k;
            let tag = blk.u16_at(e).unwrap_or(0);
            if SUB_IFDS.contains(&tag) {
                let to = blk.u32_at(e + 8).unwrap_or(0) as usize;
                push(to, IfdName::Sub(tag))?;
            }
        }
        // The next-IFD link: 0 ends the chain; a missing link is tolerated.
        if let Some(next) = blk.u32_at(at + 2 + 12 * n).filter(|&v| v != 0) {
            push(next as usize, IfdName::After(at))?;
        }
    }
    Ok(orientation(exif))
}

/// How an error names an IFD of the block.
#[derive(Clone, Copy)]
enum IfdName {
    /// The first IFD.
    Ifd0,
    /// A sub-IFD, by the tag that points to it.
    Sub(u16),
    /// The IFD chained after the one at this offset.
    After(usize),
}

impl std::fmt::Display for IfdName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IfdName::Ifd0 => write!(f, "IFD0"),
            IfdName::Sub(tag) => write!(f, "sub-IFD {tag:#06x}"),
            IfdName::After(at) => write!(f, "IFD after offset {at}"),
        }
    }
}

/// The orientation (IFD0 tag 0x0112 as a single SHORT in 1..=8) of an EXIF block.
pub fn orientation(exif: &[u8]) -> Option<u16> {
    let blk = Block::new(exif).ok()?;
    let at = blk.orientation_field()?;
    blk.u16_at(at).filter(|v| (1..=8).contains(v))
}

/// The orientation `m` stands for: [`Metadata::orientation`], else the one in its EXIF.
pub fn effective_orientation(m: &Metadata) -> Option<u16> {
    m.orientation.or_else(|| m.exif.as_deref().and_then(orientation))
}

/// Sets the orientation value of an EXIF block in place: the two bytes of IFD0's orientation
/// entry (a single SHORT), in the block's byte order; nothing else changes. Returns false, with
/// the block untouched, when it holds no such entry (or is not TIFF-structured).
pub fn set_orientation(exif: &mut [u8], orientation: u16) -> bool {
    let Ok(blk) = Block::new(exif) else { return false };
    let (Some(at), le) = (blk.orientation_field(), blk.le) else {
        return false;
    };
    let bytes = if le {
        orientation.to_le_bytes()
    } else {
        orientation.to_be_bytes()
    };
    exif[at..at + 2].copy_from_slice(&bytes);
    true
}

/// A minimal little-endian EXIF block holding only IFD0 with the orientation tag.
pub fn minimal(orientation: u16) -> Vec<u8> {
    let mut v = Vec::with_capacity(26);
    v.extend_from_slice(b"II*\0");
    v.extend_from_slice(&8u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&ORIENTATION.to_le_bytes());
    v.extend_from_slice(&3u16.to_le_bytes());
    v.extend_from_slice(&1u32.to_le_bytes());
    v.extend_from_slice(&orientation.to_le_bytes());
    v.extend_from_slice(&[0, 0]);
    v.extend_from_slice(&0u32.to_le_bytes());
    v
}

/// The EXIF block an encoder writes for `m`: the stored block as is, the stored block with
/// its orientation value set to [`Metadata::orientation`] when they differ, or a minimal
/// block when only an orientation is given. The note says when the orientation could not be
/// written (the stored block has no orientation entry to set, or the value is not 1..=8).
pub fn for_write(m: &Metadata) -> (Option<Cow<'_, [u8]>>, Option<MetadataNote>) {
    let bad = |o: u16| {
        MetadataNote::new(
            MetadataItem::Orientation,
            format!("{o} is not an EXIF orientation (1..=8)"),
        )
    };
    match (m.exif.as_ref().filter(|e| !e.is_empty()), m.orientation) {
        (None, None) => (None, None),
        (None, Some(o)) if !(1..=8).contains(&o) => (None, Some(bad(o))),
        (None, Some(o)) => (Some(Cow::Owned(minimal(o))), None),
        (Some(e), None) => (Some(Cow::Borrowed(e)), None),
        (Some(e), Some(o)) => {
            if orientation(e) == Some(o) {
                return (Some(Cow::Borrowed(e)), None);
            }
            if !(1..=8).contains(&o) {
                return (Some(Cow::Borrowed(e)), Some(bad(o)));
            }
            let mut v = e.to_vec();
            match set_orientation(&mut v, o) {
                true => (Some(Cow::Owned(v)), None),
                false => (
                    Some(Cow::Borrowed(e)),
                    Some(MetadataNote::new(
                        MetadataItem::Orientation,
                        "the EXIF block has no orientation entry to set and is written unchanged",
                    )),
                ),
            }
        }
    }
}

/// An EXIF block made from the EXIF IFD at offset `at` of a TIFF file (classic or BigTIFF),
/// whose bytes `get(offset, len)` returns (`None` when outside the file): a classic header in
/// the file's byte order, an IFD0 holding the TIFF's `orientation` (when given) and the EXIF
/// IFD pointer, then the EXIF IFD's entries with their values copied byte for byte
/// (out-of-line values moved behind the table, their offsets rewritten; a BigTIFF value of 5
/// to 8 bytes held in its entry moves there too). Entries that point to further IFDs
/// (interoperability) or have an unknown type are left out and returned as notes.
pub fn from_tiff_ifd(
    get: &mut dyn FnMut(u64, usize) -> Option<Vec<u8>>,
    at: u64,
    orientation: Option<u16>,
) -> Result<(Vec<u8>, Vec<String>), String> {
    let order = tiff_ifd::file_order(get)?;
    let le = order.le;
    let entries = tiff_ifd::read_ifd(get, order, at, "EXIF IFD", &|tag, _| !SUB_IFDS.contains(&tag))?;
    let mut notes = Vec::new();
    // (tag, type, count, value bytes): inline values as the classic entry's 4 value bytes.
    let mut keep: Vec<(u16, u16, u32, Vec<u8>)> = Vec::new();
    for e in entries {
        let tag = e.tag;
        if SUB_IFDS.contains(&tag) {
            notes.push(format!("exif: the sub-IFD {tag:#06x} of the EXIF IFD is not carried"));
            continue;
        }
        let Some(value) = e.value else {
            notes.push(format!(
                "exif: tag {tag:#06x} has unknown type {} and is not carried",
                e.ty
            ));
            continue;
        };
        let Ok(count) = u32::try_from(e.count) else {
            notes.push(format!(
                "exif: tag {tag:#06x} has {} values, more than an EXIF block holds, and is not carried",
                e.count
            ));
            continue;
        };
        let value = value?;
        // Values of up to 4 bytes keep the entry's value field as stored (padding included).
        let value = if value.len() <= 4 { e.field[..4].to_vec() } else { value };
        keep.push((tag, e.ty, count, value));
    }
    let put16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&if le { x.to_le_bytes() } else { x.to_be_bytes() });
    let put32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&if le { x.to_le_bytes() } else { x.to_be_bytes() });
    let mut out = if le { b"II*\0".to_vec() } else { b"MM\0*".to_vec() };
    put32(&mut out, 8);
    let ifd0 = 1 + usize::from(orientation.is_some());
    let exif_at = 8 + 2 + 12 * ifd0 + 4;
    put16(&mut out, ifd0 as u16);
    if let Some(o) = orientation {
        put16(&mut out, ORIENTATION);
        put16(&mut out, 3);
        put32(&mut out, 1);
        put16(&mut out, o);
        put16(&mut out, 0);
    }
    put16(&mut out, 0x8769);
    put16(&mut out, 4);
    put32(&mut out, 1);
    put32(&mut out, exif_at as u32);
    put32(&mut out, 0);
    put16(&mut out, keep.len() as u16);
    let mut data_at = exif_at + 2 + 12 * keep.len() + 4;
    let mut data = Vec::new();
    for (tag, ty, count, value) in &keep {
        put16(&mut out, *tag);
        put16(&mut out, *ty);
        put32(&mut out, *count);
        // Inline values are the entry's 4 value bytes; out-of-line ones are longer.
        if value.len() <= 4 {
            out.extend_from_slice(value);
        } else {
            let offset = u32::try_from(data_at).map_err(|_| "EXIF IFD values past 4 GiB".to_string())?;
            put32(&mut out, offset);
            data.extend_from_slice(value);
            if value.len() % 2 == 1 {
                data.push(0);
            }
            data_at += value.len().next_multiple_of(2);
        }
    }
    put32(&mut out, 0);
    out.extend_from_slice(&data);
    Ok((out, notes))
}

/// [`from_tiff_ifd`] over a file held in memory.
pub fn from_tiff_ifd_bytes(file: &[u8], at: u64, orientation: Option<u16>) -> Result<(Vec<u8>, Vec<String>), String> {
    from_tiff_ifd(
        &mut |off, len| {
            let off = usize::try_from(off).ok()?;
            file.get(off..off.checked_add(len)?).map(<[u8]>::to_vec)
        },
        at,
        orientation,
    )
}

/// One entry of an EXIF IFD: tag, type, count and its value bytes (the 4 bytes of the entry's
/// value field when `inline`, else the out-of-line value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfdEntry {
    /// Tag number.
    pub tag: u16,
    /// TIFF field type.
    pub ty: u16,
    /// Number of values.
    pub count: u32,
    /// The value bytes, in the block's byte order.
    pub value: Vec<u8>,
    /// True when the value sat in the entry itself (4 bytes or fewer).
    pub inline: bool,
}

/// The EXIF IFD of a block whose IFD0 holds nothing but the orientation and the EXIF IFD
/// pointer (the shape [`from_tiff_ifd`] makes), with its byte order (`true`: little-endian):
/// what a TIFF writer can store as the page's EXIF IFD. The error says why the block is not
/// of that shape.
pub fn simple_exif_ifd(block: &[u8]) -> Result<(bool, Vec<IfdEntry>), String> {
    check(block)?;
    let blk = Block::new(block)?;
    let ifd0 = blk.u32_at(4).unwrap_or(0) as usize;
    let n = blk.table(ifd0, "IFD0")?;
    let mut exif_at = None;
    let mut others = Vec::new();
    for k in 0..n {
        let e = ifd0 + 2 + 12 * k;
        match blk.u16_at(e).unwrap_or(0) {
            ORIENTATION => {}
            0x8769 => exif_at = blk.u32_at(e + 8).map(|v| v as usize),
            t => others.push(format!("{t:#06x}")),
        }
    }
    if !others.is_empty() {
        return Err(format!(
            "its IFD0 holds tags ({}) that would have to be merged into the page's own tags",
            others.join(", ")
        ));
    }
    // Only an orientation: nothing for an EXIF IFD (the page's tag 274 holds it).
    let Some(at) = exif_at else {
        return Ok((blk.le, Vec::new()));
    };
    let n = blk.table(at, "EXIF IFD")?;
    let mut entries = Vec::with_capacity(n);
    for k in 0..n {
        let e = at + 2 + 12 * k;
        let (tag, ty) = (blk.u16_at(e).unwrap_or(0), blk.u16_at(e + 2).unwrap_or(0));
        let count = blk.u32_at(e + 4).unwrap_or(0);
        if SUB_IFDS.contains(&tag) {
            return Err(format!("its EXIF IFD points to a further IFD ({tag:#06x})"));
        }
        let size = type_size(ty)
            .and_then(|s| s.checked_mul(count as usize))
            .ok_or_else(|| format!("tag {tag:#06x} has unknown type {ty}"))?;
        let (value, inline) = if size <= 4 {
            (block[e + 8..e + 12].to_vec(), true)
        } else {
            let off = blk.u32_at(e + 8).unwrap_or(0) as usize;
            let v = block
                .get(off..off.saturating_add(size))
                .ok_or_else(|| format!("tag {tag:#06x}: its value is outside the block"))?;
            (v.to_vec(), false)
        };
        entries.push(IfdEntry {
            tag,
            ty,
            count,
            value,
            inline,
        });
    }
    Ok((blk.le, entries))
}

/// Reads an EXIF block found in a file into `m`: carried with its orientation when its
/// structure is sound, else left out and named in [`Metadata::unreadable`].
pub fn carry(m: &mut Metadata, exif: &[u8]) {
    match check(exif) {
        Ok(o) => {
            m.orientation = o;
            m.exif = Some(exif.to_vec());
        }
        Err(why) => m.unreadable.push(format!("exif: {why}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_block_round_trips_and_patches() {
        let e = minimal(6);
        assert_eq!(check(&e), Ok(Some(6)));
        let m = Metadata {
            exif: Some(e.clone()),
            orientation: Some(3),
            ..Metadata::default()
        };
        let (w, note) = for_write(&m);
        let w = w.unwrap();
        assert!(note.is_none());
        assert_eq!(orientation(&w), Some(3));
        assert_eq!(w.len(), e.len());
    }

    #[test]
    fn set_orientation_changes_two_bytes_or_nothing() {
        let mut e = minimal(6);
        assert!(set_orientation(&mut e, 1));
        assert_eq!(e, minimal(1));
        // Cut inside the value: no entry to set, the block stays as it is.
        let mut cut = minimal(6)[..19].to_vec();
        assert!(!set_orientation(&mut cut, 1));
        assert_eq!(cut, minimal(6)[..19].to_vec());
        let m = Metadata {
            exif: Some(minimal(6)[..19].to_vec()),
            orientation: Some(3),
            ..Metadata::default()
        };
        assert!(for_write(&m).1.is_some());
        assert!(!set_orientation(&mut b"JUNK".to_vec(), 1));
    }

    #[test]
    fn an_exif_ifd_of_a_tiff_becomes_a_block() {
        // A TIFF whose IFD at 8 is used as the EXIF IFD: ExposureTime (RATIONAL, out of line)
        // and ISO (SHORT, inline).
        let mut f = b"II*\0".to_vec();
        f.extend_from_slice(&8u32.to_le_bytes());
        f.extend_from_slice(&2u16.to_le_bytes());
        for (tag, ty, count, value) in [(0x829Au16, 5u16, 1u32, 38u32), (0x8827, 3, 1, 200)] {
            f.extend_from_slice(&tag.to_le_bytes());
            f.extend_from_slice(&ty.to_le_bytes());
            f.extend_from_slice(&count.to_le_bytes());
            f.extend_from_slice(&value.to_le_bytes());
        }
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(&1u32.to_le_bytes());
        f.extend_from_slice(&250u32.to_le_bytes());
        let (b, notes) = from_tiff_ifd_bytes(&f, 8, None).unwrap();
        assert!(notes.is_empty());
        assert_eq!(check(&b), Ok(None));
        assert_eq!(b.len(), 26 + 2 + 24 + 4 + 8);
        assert_eq!(&b[b.len() - 8..], &f[38..46]);
        assert!(from_tiff_ifd_bytes(&f, 4000, None).is_err());
        let (b, _) = from_tiff_ifd_bytes(&f, 8, Some(6)).unwrap();
        assert_eq!(check(&b), Ok(Some(6)));
        assert_eq!(&b[b.len() - 8..], &f[38..46]);
    }

    #[test]
    fn loops_and_outside_offsets_are_errors() {
        let mut e = minimal(1);
        e[4..8].copy_from_slice(&4000u32.to_le_bytes());
        assert!(check(&e).unwrap_err().contains("outside"), "{:?}", check(&e));
        let mut e = minimal(1);
        let n = e.len();
        e[n - 4..].copy_from_slice(&8u32.to_le_bytes()); // next IFD = IFD0 again
        assert!(check(&e).unwrap_err().contains("loop"));
        assert!(check(b"JUNK").is_err());
        assert!(check(b"II*\0").is_err());
    }
}
