//! The few facts `info` shows about an embedded ICC profile, read from its header and its
//! `desc` tag (ICC.1: v2 `textDescriptionType`, v4 `multiLocalizedUnicodeType`). Every read
//! is bounds-checked; a malformed profile gives `None` fields, never a panic.

/// What `info` reports about a profile.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct IccSummary {
    /// Profile size in bytes.
    pub bytes: usize,
    /// The `desc` tag's text.
    pub description: Option<String>,
    /// The data colour space signature (`RGB`, `GRAY`, `CMYK`, …).
    pub color_space: Option<String>,
    /// The profile version, `major.minor`.
    pub version: Option<String>,
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    let b = d.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn signature(d: &[u8], at: usize) -> Option<String> {
    let b = d.get(at..at + 4)?;
    let s: String = b.iter().map(|&c| c as char).collect();
    let s = s.trim_end().to_string();
    (!s.is_empty() && s.chars().all(|c| c.is_ascii_graphic())).then_some(s)
}

/// Reads the summary of `profile`.
pub fn summarize(profile: &[u8]) -> IccSummary {
    let version = profile.get(8..10).map(|v| format!("{}.{}", v[0], v[1] >> 4));
    IccSummary {
        bytes: profile.len(),
        description: description(profile),
        color_space: signature(profile, 16),
        version,
    }
}

/// The text of the `desc` tag.
fn description(p: &[u8]) -> Option<String> {
    let count = be32(p, 128)? as usize;
    let (off, len) = (0..count.min(1024)).find_map(|i| {
        let at = 132 + i * 12;
        if p.get(at..at + 4)? != b"desc" {
            return None;
        }
        Some((be32(p, at + 4)? as usize, be32(p, at + 8)? as usize))
    })?;
    let tag = p.get(off..off.checked_add(len)?)?;
    let text = match tag.get(0..4)? {
        b"desc" => {
            let n = be32(tag, 8)? as usize;
            let ascii = tag.get(12..12usize.checked_add(n)?)?;
            let end = ascii.iter().position(|&c| c == 0).unwrap_or(ascii.len());
            String::from_utf8_lossy(&ascii[..end]).into_owned()
        }
        b"mluc" => {
            let records = be32(tag, 8)? as usize;
            if records == 0 {
                return None;
            }
            // The first record: language, country, length, offset (from the tag's start).
            let n = be32(tag, 20)? as usize;
            let at = be32(tag, 24)? as usize;
            let units: Vec<u16> = tag
                .get(at..at.checked_add(n)?)?
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units).trim_end_matches('\0').to_string()
        }
        _ => return None,
    };
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(tag: &[u8], version: u8) -> Vec<u8> {
        let mut p = vec![0u8; 128];
        p[8] = version;
        p[9] = 0x10;
        p[16..20].copy_from_slice(b"RGB ");
        p.extend_from_slice(&1u32.to_be_bytes());
        p.extend_from_slice(b"desc");
        p.extend_from_slice(&144u32.to_be_bytes());
        p.extend_from_slice(&(tag.len() as u32).to_be_bytes());
        p.extend_from_slice(tag);
        let len = p.len() as u32;
        p[0..4].copy_from_slice(&len.to_be_bytes());
        p
    }

    #[test]
    fn reads_v2_and_v4_descriptions_and_survives_garbage() {
        let mut v2 = b"desc\0\0\0\0".to_vec();
        v2.extend_from_slice(&5u32.to_be_bytes());
        v2.extend_from_slice(b"sRGB\0");
        let s = summarize(&profile(&v2, 2));
        assert_eq!(s.description.as_deref(), Some("sRGB"));
        assert_eq!(
            (s.color_space.as_deref(), s.version.as_deref()),
            (Some("RGB"), Some("2.1"))
        );
        let mut v4 = b"mluc\0\0\0\0".to_vec();
        v4.extend_from_slice(&1u32.to_be_bytes());
        v4.extend_from_slice(&12u32.to_be_bytes());
        v4.extend_from_slice(b"enUS");
        v4.extend_from_slice(&6u32.to_be_bytes());
        v4.extend_from_slice(&28u32.to_be_bytes());
        v4.extend_from_slice(&[0, b'P', 0, b'3', 0, b'!']);
        assert_eq!(summarize(&profile(&v4, 4)).description.as_deref(), Some("P3!"));
        for n in 0..200 {
            let p = profile(&v2, 2);
            let cut = &p[..n.min(p.len())];
            let _ = summarize(cut);
        }
        let mut bad = profile(&v2, 2);
        bad[136..140].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(summarize(&bad).description, None);
    }
}
