//! Reading JPEG marker segments without libjpeg: the layout of a single-scan JPEG (for
//! joining bands, [`super::bands`]); metadata segments are read in `metadata.rs`.

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
