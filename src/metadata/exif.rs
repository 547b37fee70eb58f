//! EXIF blocks (TIFF-structured bytes): checking their IFD structure before they are carried,
//! reading the orientation tag, setting it in place, and the minimal block that holds only an
//! orientation. The bytes are never re-encoded: a carried block is the stored one, at most
//! with the two bytes of its orientation value changed.

use std::borrow::Cow;

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
    fn table(&self, at: usize, what: &str) -> Result<usize, String> {
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
            (self.u16_at(e)? == ORIENTATION && self.u16_at(e + 2)? == 3 && self.u32_at(e + 4)? == 1).then_some(e + 8)
        })
    }
}

/// Checks the IFD structure of an EXIF block (header, IFD0 and the IFDs chained after it, the
/// EXIF, GPS and interoperability sub-IFDs: each table inside the block, no IFD visited twice)
/// and returns the orientation (IFD0 tag 0x0112, when in 1..=8). The error says what is wrong.
pub fn check(exif: &[u8]) -> Result<Option<u16>, String> {
    let blk = Block::new(exif)?;
    let first = blk.u32_at(4).ok_or("block shorter than its header")? as usize;
    let mut todo = vec![(first, "IFD0".to_string())];
    let mut seen = Vec::new();
    while let Some((at, what)) = todo.pop() {
        if seen.contains(&at) {
            return Err(format!("{what} at offset {at} was already visited (an offset loop)"));
        }
        if seen.len() >= MAX_IFDS {
            return Err(format!("more than {MAX_IFDS} IFDs"));
        }
        seen.push(at);
        let n = blk.table(at, &what)?;
        for k in 0..n {
            let e = at + 2 + 12 * k;
            let tag = blk.u16_at(e).unwrap_or(0);
            if SUB_IFDS.contains(&tag) {
                let to = blk.u32_at(e + 8).unwrap_or(0) as usize;
                todo.push((to, format!("sub-IFD {tag:#06x}")));
            }
        }
        // The next-IFD link: 0 ends the chain; a missing link is tolerated.
        if let Some(next) = blk.u32_at(at + 2 + 12 * n).filter(|&v| v != 0) {
            todo.push((next as usize, format!("IFD after offset {at}")));
        }
    }
    Ok(orientation(exif))
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
            let field = Block::new(e)
                .ok()
                .and_then(|b| b.orientation_field().map(|f| (f, b.le)));
            match field {
                Some((at, le)) => {
                    let mut v = e.to_vec();
                    let bytes = if le { o.to_le_bytes() } else { o.to_be_bytes() };
                    v[at..at + 2].copy_from_slice(&bytes);
                    (Some(Cow::Owned(v)), None)
                }
                None => (
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
