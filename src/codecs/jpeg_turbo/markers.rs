//! Reading JPEG marker segments without libjpeg: the EXIF payload and its orientation tag
//! (for the decoder's metadata), and the layout of a single-scan JPEG (for joining bands,
//! [`super::bands`]).

/// The TIFF-structured payload of the first `APP1 Exif\0\0` segment before the first scan.
pub(super) fn find_exif(data: &[u8]) -> Option<&[u8]> {
    let mut i = 2;
    loop {
        while *data.get(i)? != 0xFF {
            i += 1; // tolerate garbage between segments, as libjpeg does (with a warning)
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
        if marker == 0xE1 && seg.starts_with(b"Exif\0\0") {
            return Some(&seg[6..]);
        }
        i += len;
    }
}

/// The orientation tag (0x0112) of IFD0 when it holds a value in 1..=8.
pub(super) fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let le = match tiff.get(..4)? {
        [b'I', b'I', 42, 0] => true,
        [b'M', b'M', 0, 42] => false,
        _ => return None,
    };
    let u16_at = |o: usize| -> Option<u16> {
        let b = [*tiff.get(o)?, *tiff.get(o + 1)?];
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |o: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(o..o + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let ifd = u32_at(4)? as usize;
    let count = u16_at(ifd)? as usize;
    (0..count).find_map(|k| {
        let e = ifd.checked_add(2 + 12 * k)?;
        // tag 0x0112, type SHORT (3), count 1: the value sits in the first 2 bytes of the field
        if u16_at(e)? == 0x0112 && u16_at(e + 2)? == 3 && u32_at(e + 4)? == 1 {
            u16_at(e + 8).filter(|v| (1..=8).contains(v))
        } else {
            None
        }
    })
}

/// Where the parts of a single-scan JPEG written by libjpeg-turbo are: the frame's height
/// field, the SOS marker and the first entropy-coded byte; the entropy-coded data runs to the
/// final EOI marker (the last two bytes).
pub(super) struct ScanLayout {
    pub(super) height_at: usize,
    pub(super) sos_at: usize,
    pub(super) data_at: usize,
}

pub(super) fn scan_layout(jpeg: &[u8]) -> Option<ScanLayout> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) || !jpeg.ends_with(&[0xFF, 0xD9]) {
        return None;
    }
    let mut i = 2;
    let mut height_at = None;
    loop {
        if *jpeg.get(i)? != 0xFF {
            return None;
        }
        let marker = *jpeg.get(i + 1)?;
        let len = usize::from(u16::from_be_bytes([*jpeg.get(i + 2)?, *jpeg.get(i + 3)?]));
        match marker {
            // A restart interval already present would clash with the one added.
            0xDD => return None,
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => height_at = Some(i + 5),
            0xDA => {
                let data_at = i + 2 + len;
                return (data_at <= jpeg.len() - 2).then_some(ScanLayout {
                    height_at: height_at?,
                    sos_at: i,
                    data_at,
                });
            }
            _ => {}
        }
        i += 2 + len;
    }
}
