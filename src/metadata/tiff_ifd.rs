//! Reads one IFD of a TIFF file (classic or BigTIFF, either byte order) through a byte getter:
//! its entries with their values as stored. Used for the EXIF IFD ([`super::exif`]) and for
//! the page tags kept as [`super::TiffTag`]s.

/// Largest total of value bytes one IFD read copies; beyond it the IFD counts as corrupt.
pub(crate) const MAX_IFD_VALUES: usize = 16 << 20;

/// A TIFF file's layout facts.
#[derive(Clone, Copy)]
pub(crate) struct FileOrder {
    /// Little-endian (`II`).
    pub le: bool,
    /// BigTIFF (8-byte counts and offsets).
    pub big: bool,
}

/// One IFD entry as stored.
pub(crate) struct RawEntry {
    /// Tag number.
    pub tag: u16,
    /// Field type.
    pub ty: u16,
    /// Number of values.
    pub count: u64,
    /// The entry's value field (4 bytes classic, 8 BigTIFF), as stored.
    pub field: Vec<u8>,
    /// The value bytes (`count` values, in the file's byte order), when asked for and the
    /// type is known: from the field when they fit in it, else from the offset it holds. An
    /// error when the offset points outside the file or past [`MAX_IFD_VALUES`].
    pub value: Option<Result<Vec<u8>, String>>,
}

/// Bytes per value of a TIFF field type (`None` for unknown types).
pub(crate) fn type_size(ty: u16) -> Option<usize> {
    Some(match ty {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 | 16 | 17 | 18 => 8,
        _ => return None,
    })
}

/// The byte order and kind of the file `get(offset, len)` reads.
pub(crate) fn file_order(get: &mut dyn FnMut(u64, usize) -> Option<Vec<u8>>) -> Result<FileOrder, String> {
    let head = get(0, 4).ok_or("file shorter than its header")?;
    Ok(match head[..] {
        [b'I', b'I', 42, 0] => FileOrder { le: true, big: false },
        [b'M', b'M', 0, 42] => FileOrder { le: false, big: false },
        [b'I', b'I', 43, 0] => FileOrder { le: true, big: true },
        [b'M', b'M', 0, 43] => FileOrder { le: false, big: true },
        _ => return Err("not a TIFF header".to_string()),
    })
}

/// An unsigned number of 1 to 8 bytes in the file's byte order.
pub(crate) fn uint(order: FileOrder, b: &[u8]) -> u64 {
    let mut v = [0u8; 8];
    if order.le {
        v[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(v)
    } else {
        v[8 - b.len()..].copy_from_slice(b);
        u64::from_be_bytes(v)
    }
}

/// The entries of the IFD at `at` (`what` names it in errors); the values of the entries
/// `want(tag, type)` selects are read too. An error when the table itself lies outside the
/// file.
pub(crate) fn read_ifd(
    get: &mut dyn FnMut(u64, usize) -> Option<Vec<u8>>,
    order: FileOrder,
    at: u64,
    what: &str,
    want: &dyn Fn(u16, u16) -> bool,
) -> Result<Vec<RawEntry>, String> {
    // Classic: a 2-byte count, 12-byte entries with a 4-byte count and value field;
    // BigTIFF: 8, 20, 8 and 8.
    let (count_len, entry_len, field_len) = if order.big { (8, 20, 8) } else { (2, 12, 4) };
    let outside = || format!("{what} offset {at} is outside the file");
    let n = uint(order, &get(at, count_len).ok_or_else(outside)?);
    let n = usize::try_from(n)
        .ok()
        .filter(|&n| n <= usize::from(u16::MAX))
        .ok_or_else(|| format!("{what} at offset {at} claims {n} entries"))?;
    let table = get(at + count_len as u64, entry_len * n)
        .ok_or_else(|| format!("{what} at offset {at} with {n} entries runs past the end of the file"))?;
    let mut total = 0usize;
    let mut out = Vec::with_capacity(n);
    for e in table.chunks_exact(entry_len) {
        let (tag, ty) = (uint(order, &e[0..2]) as u16, uint(order, &e[2..4]) as u16);
        let count = uint(order, &e[4..4 + field_len]);
        let field = e[4 + field_len..].to_vec();
        let size = type_size(ty).and_then(|s| usize::try_from(count).ok()?.checked_mul(s));
        let value = match size {
            Some(size) if want(tag, ty) => Some(if size <= field_len {
                Ok(field[..size].to_vec())
            } else {
                total = total.saturating_add(size);
                if total > MAX_IFD_VALUES {
                    Err(format!("{what}: values larger than {MAX_IFD_VALUES} bytes in all"))
                } else {
                    let off = uint(order, &field);
                    get(off, size).ok_or_else(|| {
                        format!("tag {tag:#06x}: value at offset {off} ({size} bytes) is outside the file")
                    })
                }
            }),
            _ => None,
        };
        out.push(RawEntry {
            tag,
            ty,
            count,
            field,
            value,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn getter(file: &[u8]) -> impl FnMut(u64, usize) -> Option<Vec<u8>> + '_ {
        move |off, len| {
            let off = usize::try_from(off).ok()?;
            file.get(off..off.checked_add(len)?).map(<[u8]>::to_vec)
        }
    }

    /// A little-endian BigTIFF header, then an IFD at 16 with `entries` (tag, type, count,
    /// 8-byte field).
    fn big_le(entries: &[(u16, u16, u64, [u8; 8])], tail: &[u8]) -> Vec<u8> {
        let mut f = b"II+\0".to_vec();
        f.extend(8u16.to_le_bytes());
        f.extend(0u16.to_le_bytes());
        f.extend(16u64.to_le_bytes());
        f.extend((entries.len() as u64).to_le_bytes());
        for (tag, ty, count, field) in entries {
            f.extend(tag.to_le_bytes());
            f.extend(ty.to_le_bytes());
            f.extend(count.to_le_bytes());
            f.extend(field);
        }
        f.extend(0u64.to_le_bytes());
        f.extend(tail);
        f
    }

    #[test]
    fn bigtiff_entries_inline_out_of_line_and_outside() {
        let tail_at = 16 + 8 + 3 * 20 + 8;
        let mut field_out = [0u8; 8];
        field_out.copy_from_slice(&(tail_at as u64).to_le_bytes());
        let file = big_le(
            &[
                // 3 SHORTs (6 bytes) inline in the 8-byte field.
                (33550, 3, 3, [1, 0, 2, 0, 3, 0, 9, 9]),
                // 2 DOUBLEs out of line, right after the IFD.
                (33922, 12, 2, field_out),
                // 1 DOUBLE claimed at an offset past the end.
                (34264, 12, 2, 4000u64.to_le_bytes()),
            ],
            &[7; 16],
        );
        let mut get = getter(&file);
        let order = file_order(&mut get).unwrap();
        assert!(order.le && order.big);
        let e = read_ifd(&mut get, order, 16, "page IFD", &|_, _| true).unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].value.as_ref().unwrap().as_ref().unwrap(), &[1, 0, 2, 0, 3, 0]);
        assert_eq!(e[1].value.as_ref().unwrap().as_ref().unwrap(), &[7; 16]);
        let err = e[2].value.as_ref().unwrap().as_ref().unwrap_err();
        assert!(err.contains("outside the file"), "{err}");
        // Not asked for: no value read.
        let e = read_ifd(&mut get, order, 16, "page IFD", &|tag, _| tag != 33922).unwrap();
        assert!(e[1].value.is_none());
    }

    #[test]
    fn tables_outside_the_file_or_too_long_are_errors() {
        let file = big_le(&[], &[]);
        let mut get = getter(&file);
        let order = file_order(&mut get).unwrap();
        let err = read_ifd(&mut get, order, 4000, "page IFD", &|_, _| true).err().unwrap();
        assert_eq!(err, "page IFD offset 4000 is outside the file");
        // An entry count past u16 in a BigTIFF IFD.
        let mut bad = file.clone();
        bad[16..24].copy_from_slice(&70_000u64.to_le_bytes());
        let mut get = getter(&bad);
        let err = read_ifd(&mut get, order, 16, "page IFD", &|_, _| true).err().unwrap();
        assert!(err.contains("claims 70000 entries"), "{err}");
        // A classic count whose table runs past the end.
        let classic = [b'I', b'I', 42, 0, 8, 0, 0, 0, 5, 0, 1, 1];
        let mut get = getter(&classic);
        let order = file_order(&mut get).unwrap();
        let err = read_ifd(&mut get, order, 8, "EXIF IFD", &|_, _| true).err().unwrap();
        assert!(err.contains("runs past the end"), "{err}");
        assert!(file_order(&mut getter(b"II*")).is_err());
    }
}
